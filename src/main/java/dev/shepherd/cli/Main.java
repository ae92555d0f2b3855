package dev.shepherd.cli;

import dev.shepherd.supervisor.ConsoleLog;
import java.util.Arrays;
import java.util.List;

/** {@code shepherd operator | supervise | run}: one jar, three roles. */
public final class Main {
  static final String USAGE =
      """
      usage: shepherd <command> [args]
        operator                 run the Workflow controller (in a cluster, or against $KUBECONFIG)
        supervise                run one Workflow's steps as PID 1 of its Pod (executor: supervisor)
        run FILE.yaml [options]  run a Workflow file locally, without a cluster ('run --help')
        kubectl COMMAND ...      the kubectl plugin: submit, get, watch, logs, ... ('kubectl --help')
      """;

  private Main() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      System.out.print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    if (List.of("run", "supervise", "kubectl").contains(args[0])
        && System.getProperty(ConsoleLog.PROVIDER_PROPERTY) == null
        && System.getProperty("logback.configurationFile") == null) {
      ConsoleLog.select(); // the command-line roles log without logback's set-up (~30 ms)
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    int code =
        switch (args[0]) {
          case "operator" -> operator(rest);
          case "supervise" -> SuperviseCommand.run(rest);
          case "run" -> RunCommand.run(rest);
          case "kubectl" -> kubectl(rest);
          default -> {
            System.err.println("shepherd: unknown command '" + args[0] + "'");
            System.err.print(USAGE);
            yield 2;
          }
        };
    System.exit(code);
  }

  /** The kubectl plugin, which the supervisor runtime's jar leaves out as it does the operator. */
  private static int kubectl(String[] args) {
    if (Main.class.getResource("kubectl/KubectlCommand.class") == null) {
      System.err.println(
          "shepherd: this is the supervisor runtime; the kubectl plugin runs from shepherd.jar");
      return 2;
    }
    return dev.shepherd.cli.kubectl.KubectlCommand.run(args);
  }

  /**
   * The operator, where it is: the supervisor runtime's jar (what a Pod copies) holds only {@code
   * supervise} and {@code run}, without the operator's libraries.
   */
  private static int operator(String[] args) {
    if (Main.class.getResource("OperatorCommand.class") == null) {
      System.err.println(
          "shepherd: this is the supervisor runtime, which holds 'supervise' and 'run' only;"
              + " the operator runs from shepherd.jar (in the image: /opt/shepherd/shepherd.jar)");
      return 2;
    }
    return OperatorCommand.run(args);
  }
}
