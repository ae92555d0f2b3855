package dev.shepherd.cli.kubectl;

import java.io.PrintStream;

/**
 * {@code completion bash|zsh}: a script to source. It completes the commands, their flags, files
 * for submit and lint, and Workflow names, which it asks kubectl for (in the namespace of {@code
 * -n} if given), so that it uses the same kubeconfig as the plugin.
 */
final class Completion {
  static final String BASH =
      """
      # kubectl shepherd completion for bash: source <(kubectl shepherd completion bash)
      # kubectl runs plugins' completion as kubectl_complete-shepherd (kubectl 1.26+); the same
      # function also completes kubectl-shepherd typed directly.
      _kubectl_shepherd() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        local commands="submit get watch logs cancel suspend resume retry resubmit lint completion"
        local i ns="" cmd=""
        for ((i = 1; i < COMP_CWORD; i++)); do
          case ${COMP_WORDS[i]} in
            -n|--namespace) ns="--namespace=${COMP_WORDS[i+1]}" ;;
            --namespace=*) ns=${COMP_WORDS[i]} ;;
            -*) ;;
            *) if [ -z "$cmd" ] && [ "${COMP_WORDS[i-1]}" != -n ] \\
                 && [ "${COMP_WORDS[i-1]}" != --namespace ]; then cmd=${COMP_WORDS[i]}; fi ;;
          esac
        done
        case $prev in
          -n|--namespace)
            COMPREPLY=($(compgen -W "$(kubectl get namespaces -o name 2>/dev/null | sed 's|.*/||')" -- "$cur")); return ;;
          -o|--output) COMPREPLY=($(compgen -W "json yaml" -- "$cur")); return ;;
          --kubeconfig) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        esac
        case $cmd in
          "") COMPREPLY=($(compgen -W "$commands -n --namespace --context --kubeconfig --help" -- "$cur")) ;;
          submit) COMPREPLY=($(compgen -W "--param --watch" -- "$cur") $(compgen -f -- "$cur")) ;;
          lint) COMPREPLY=($(compgen -f -- "$cur")) ;;
          completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
          *)
            local flags=""
            case $cmd in
              get) flags="-o --output" ;;
              logs) flags="-f --follow --attempt" ;;
              resubmit) flags="--param" ;;
            esac
            COMPREPLY=($(compgen -W "$flags $(kubectl get workflows.shepherd.dev $ns -o name 2>/dev/null | sed 's|.*/||')" -- "$cur")) ;;
        esac
      }
      complete -o default -F _kubectl_shepherd kubectl-shepherd kubectl_complete-shepherd
      """;

  static final String ZSH =
      """
      #compdef kubectl-shepherd
      # kubectl shepherd completion for zsh: kubectl shepherd completion zsh > "${fpath[1]}/_kubectl-shepherd"
      _kubectl-shepherd() {
        local -a commands workflows ns
        commands=(
          'submit:create the Workflow of a file, --watch to follow it'
          'get:the steps of a Workflow as a tree'
          'watch:the live table of a Workflow'"'"'s steps'
          'logs:a step'"'"'s log'
          'cancel:stop a Workflow'
          'suspend:start no more steps'
          'resume:start steps again'
          'retry:rerun a failed Workflow'"'"'s failed steps'
          'resubmit:a new Workflow of an old one'"'"'s spec'
          'lint:check a Workflow file offline'
          'completion:a shell completion script'
        )
        local i
        for ((i = 2; i < CURRENT; i++)); do
          case ${words[i]} in
            -n|--namespace) ns=(--namespace "${words[i+1]}") ;;
            --namespace=*) ns=("${words[i]}") ;;
          esac
        done
        _arguments -C \\
          '(-n --namespace)'{-n,--namespace}'[namespace]:namespace:' \\
          '--context[kubeconfig context]:context:' \\
          '--kubeconfig[kubeconfig file]:file:_files' \\
          '1:command:->command' \\
          '*::arg:->args'
        case $state in
          command) _describe command commands ;;
          args)
            case ${words[1]} in
              submit) _arguments '*--param[NAME=VALUE]:param:' '(-w --watch)'{-w,--watch}'[watch it]' '1:file:_files' ;;
              lint) _arguments '1:file:_files' ;;
              completion) _values shell bash zsh ;;
              *)
                workflows=(${(f)"$(kubectl get workflows.shepherd.dev $ns -o name 2>/dev/null)"})
                workflows=(${workflows##*/})
                _arguments '1:workflow:(${workflows})' \\
                  '(-o --output)'{-o,--output}'[format]:format:(json yaml)' \\
                  '(-f --follow)'{-f,--follow}'[follow the log]' \\
                  '--attempt[attempt]:number:' \\
                  '*--param[NAME=VALUE]:param:' ;;
            esac ;;
        esac
      }
      compdef _kubectl-shepherd kubectl-shepherd
      """;

  private Completion() {}

  static int run(Args args, PrintStream out) throws Args.Invalid {
    args.allow("completion");
    String shell = args.operands("completion bash|zsh", 1, 1).getFirst();
    switch (shell) {
      case "bash" -> out.print(BASH);
      case "zsh" -> out.print(ZSH);
      default -> throw new Args.Invalid("unknown shell \"" + shell + "\": bash or zsh");
    }
    return KubectlCommand.OK;
  }
}
