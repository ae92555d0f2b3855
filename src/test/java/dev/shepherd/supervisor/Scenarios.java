package dev.shepherd.supervisor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the scenario mains ({@link SupervisorScenarios}, {@link WorkflowRunnerScenarios}) share: the
 * line their parent test reads, and checks that need no test framework in the child JVM.
 */
final class Scenarios {
  interface Body {
    void run() throws Exception;
  }

  private Scenarios() {}

  /** The scenarios of a scenario main: its methods marked {@link Scenario}, by name. */
  static List<String> names(Class<?> scenarios) {
    return Arrays.stream(scenarios.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Scenario.class))
        .map(Method::getName)
        .sorted()
        .toList();
  }

  /** Runs the scenario {@code name} of {@code scenarios} (an instance of a scenario main). */
  static void run(Object scenarios, String name) throws Exception {
    Method method;
    try {
      method = scenarios.getClass().getDeclaredMethod(name);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "no scenario " + name + " in " + scenarios.getClass().getSimpleName());
    }
    if (!method.isAnnotationPresent(Scenario.class)) {
      throw new IllegalArgumentException(name + " is not marked as a @Scenario");
    }
    try {
      method.invoke(scenarios);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

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
