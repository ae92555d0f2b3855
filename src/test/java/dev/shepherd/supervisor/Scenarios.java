package dev.shepherd.supervisor;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the scenario mains ({@link SupervisorScenarios}, {@link WorkflowRunnerScenarios}) share:
 * the line their parent test reads, and checks that need no test framework in the child JVM.
 */
final class Scenarios {
  interface Body {
    void run() throws Exception;
  }

  private Scenarios() {}

  /**
   * Runs one scenario, prints {@code SCENARIO OK name} and exits 0, or prints the failure and
   * {@code SCENARIO FAILED name} and halts with 1 (no shutdown hooks: nothing may hide it).
   */
  static void runAndExit(String scenario, Body body) {
    try {
      body.run();
      System.out.println("SCENARIO OK " + scenario);
      System.out.flush();
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace(System.out);
      System.out.println("SCENARIO FAILED " + scenario + ": " + t);
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  /** Polls until true; fails after 20 s (a bound against hanging, not a speed assertion). */
  static void awaitTrue(BooleanSupplier condition, Supplier<String> failure) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      check(System.nanoTime() - deadline < 0, failure.get());
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
