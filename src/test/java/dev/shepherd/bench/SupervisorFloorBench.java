package dev.shepherd.bench;

import dev.shepherd.supervisor.Command;
import dev.shepherd.supervisor.Supervisor;
import java.util.Arrays;

/**
 * The floors under benchmark 3 (bench/SUPERVISOR.md): how much of shepherd's startup and memory is
 * the JVM itself, and how much the supervisor layer, without the Workflow file, Jackson, the
 * fabric8 model and the engine.
 *
 * <ul>
 *   <li>{@code jdk CMD...}: runs CMD with {@link ProcessBuilder} (inheriting stdout) and exits with
 *       its code: the JVM's own floor. No Supervisor exists in this JVM, so ProcessBuilder is safe.
 *   <li>{@code supervisor CMD...}: {@link Supervisor#start()} and one {@link Supervisor#spawn}: the
 *       process layer alone (FFM downcalls, logging, the reaper thread).
 * </ul>
 *
 * A main class, not a test.
 */
public final class SupervisorFloorBench {
  private SupervisorFloorBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !(args[0].equals("jdk") || args[0].equals("supervisor"))) {
      System.err.println("usage: SupervisorFloorBench jdk|supervisor CMD [ARGS...]");
      System.exit(2);
    }
    String[] command = Arrays.copyOfRange(args, 1, args.length);
    if (args[0].equals("jdk")) {
      Process p = new ProcessBuilder(command).inheritIO().start();
      System.exit(p.waitFor());
    }
    try (Supervisor supervisor = Supervisor.start()) {
      int code = supervisor.spawn(Command.of("floor", command)).exit().get().code();
      System.out.flush();
      System.exit(code);
    }
  }
}
