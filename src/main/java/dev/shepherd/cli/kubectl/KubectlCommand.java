package dev.shepherd.cli.kubectl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.supervisor.ConsoleLog;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.event.Level;

/**
 * {@code kubectl shepherd} (the plugin {@code kubectl-shepherd} runs {@code shepherd kubectl}):
 * Workflows from a terminal, as the user's kubeconfig allows, in its current namespace unless
 * {@code -n} says otherwise. Errors go to stderr as kubectl writes them ({@code error: ...}, {@code
 * Error from server (NotFound): ...}).
 */
public final class KubectlCommand {
  /** Done; or the watched Workflow succeeded. */
  public static final int OK = 0;

  /** The API server refused or could not be reached, or the Workflow is not in a state for it. */
  public static final int ERROR = 1;

  /** Invalid arguments, or a file that can't run (lint's findings). */
  public static final int INVALID = 2;

  /** The watched Workflow ended Failed or Cancelled. */
  public static final int UNSUCCESSFUL = 3;

  static final String USAGE =
      """
      kubectl shepherd: shepherd Workflows from the command line.

      usage: kubectl shepherd COMMAND [flags]

      commands:
        submit FILE [--param K=V]... [--watch]  create the Workflow of FILE (its WorkflowTemplates
                                                 first, created or updated); --watch as watch
        get WF [-o json|yaml]                    the steps as a tree: phase, attempts, duration,
                                                 exit code, reason; loops with counts; finally apart
        watch WF                                 the table of the steps, live, until the end
        logs WF [STEP] [-f] [--attempt N]        a step's log (its Pod's, or its lines of the
                                                 supervisor Pod's); without STEP, every step's
        cancel WF                                spec.cancel=true: stop it, run its finally steps
        suspend WF | resume WF                   spec.suspend=true | false
        retry WF                                 rerun a Failed or Cancelled Workflow's failed,
                                                 cancelled and skipped steps, in place
        resubmit WF [--param K=V]...             a new Workflow (generateName WF-) of WF's spec
        lint FILE                                the checks a Workflow file must pass, offline
        completion bash|zsh                      a shell completion script

      flags: -n, --namespace NS   --context NAME   --kubeconfig FILE   -h, --help

      exit codes: 0 done (watch: the Workflow succeeded), 1 an error (the API server refused or
      could not be reached, a Workflow not found, retry of one that did not fail), 2 invalid
      arguments or file, 3 the watched Workflow ended Failed or Cancelled.
      """;

  /** Where the plugin connects: the flags kubectl takes for it. */
  public record Target(String kubeconfig, String context, String namespace) {}

  private KubectlCommand() {}

  public static int run(String[] args) {
    if (ConsoleLog.selected()) {
      // fabric8 warns that v1alpha1 is unstable at every request: not the user's concern here.
      ConsoleLog.setLevel("io.fabric8", Level.ERROR);
    }
    return run(
        args,
        System.out,
        System.err,
        KubectlCommand::connect,
        Clock.systemUTC(),
        Session.terminal());
  }

  /**
   * @param connect the client for the target (tests: the mock server's)
   * @param live whether {@code watch} draws the live table (a terminal) or plain lines
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<Target, KubernetesClient> connect,
      Clock clock,
      boolean live) {
    Args parsed;
    try {
      parsed = Args.parse(args);
    } catch (Args.Invalid e) {
      return usageError(err, e.getMessage());
    }
    if (parsed.has("--help")) {
      out.print(USAGE);
      return OK;
    }
    if (parsed.positionals().isEmpty()) {
      return usageError(err, "no command given");
    }
    String command = parsed.positionals().getFirst();
    try {
      switch (command) {
        case "lint" -> {
          return Lint.run(parsed, out, err);
        }
        case "completion" -> {
          return Completion.run(parsed, out);
        }
        default -> {}
      }
      if (!Commands.KNOWN.contains(command)) {
        return usageError(err, "unknown command \"" + command + "\" for \"kubectl shepherd\"");
      }
      Target target =
          new Target(
              parsed.value("--kubeconfig"), parsed.value("--context"), parsed.value("--namespace"));
      try (KubernetesClient client = connect.apply(target)) {
        String namespace =
            target.namespace() != null
                ? target.namespace()
                : client.getNamespace() != null ? client.getNamespace() : "default";
        Session session = new Session(client, namespace, out, err, clock, live);
        try {
          return Commands.run(command, parsed, session);
        } catch (KubernetesClientException e) {
          err.println(describe(e, client.getMasterUrl()));
          return ERROR;
        }
      }
    } catch (Args.Invalid e) {
      return usageError(err, e.getMessage());
    } catch (Failure e) {
      err.println(e.line());
      return e.code;
    } catch (KubernetesClientException e) {
      err.println(describe(e, null));
      return ERROR;
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return ERROR;
    }
  }

  /** What stops a command, with its exit code; printed as {@code error: <message>}. */
  static final class Failure extends Exception {
    final int code;
    private final boolean fromServer;

    Failure(int code, String message) {
      this(code, message, false);
    }

    private Failure(int code, String message, boolean fromServer) {
      super(message);
      this.code = code;
      this.fromServer = fromServer;
    }

    /** As kubectl says that {@code kind} (plural.group) has no object {@code name}. */
    static Failure notFound(String kind, String name) {
      return new Failure(
          ERROR, "Error from server (NotFound): " + kind + " \"" + name + "\" not found", true);
    }

    String line() {
      return fromServer ? getMessage() : "error: " + getMessage();
    }
  }

  /**
   * The client as kubectl would connect: the kubeconfig (--kubeconfig, else KUBECONFIG, else
   * ~/.kube/config) and its current context or the one named.
   */
  static KubernetesClient connect(Target target) {
    Config config;
    if (target.kubeconfig() != null) {
      File file = new File(target.kubeconfig());
      if (!file.isFile()) {
        throw new KubernetesClientException(
            "stat " + target.kubeconfig() + ": no such file or directory");
      }
      config = Config.fromKubeconfig(target.context(), file);
    } else {
      config = Config.autoConfigure(target.context());
    }
    // A plugin older than the operator still reads the Workflows it writes: fields this model does
    // not know (a newer status) are passed over, as kubectl passes over what it does not print.
    ObjectMapper lenient =
        new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(new KubernetesSerialization(lenient, true))
        .build();
  }

  /**
   * As kubectl says it: {@code Error from server (NotFound): workflows.shepherd.dev "x" not found}
   * for an answer of the API server, {@code error: ...} for the rest (no connection, say).
   *
   * @param server the API server's address, or null when there is no client yet
   */
  static String describe(KubernetesClientException e, URL server) {
    Status status = e.getStatus();
    if (status != null && status.getMessage() != null && e.getCode() > 0) {
      String reason = status.getReason() == null ? "" : " (" + status.getReason() + ")";
      return "Error from server" + reason + ": " + status.getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (server != null && e.getCode() <= 0) {
      return "error: cannot reach the API server at " + server + ": " + why;
    }
    return "error: " + why;
  }

  private static int usageError(PrintStream err, String message) {
    err.println("error: " + message);
    err.println("See 'kubectl shepherd --help' for usage.");
    return INVALID;
  }
}
