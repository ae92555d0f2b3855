package dev.shepherd.engine;

import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import java.util.Arrays;
import java.util.List;

/** Small builders for specs and plans in the engine tests. */
final class Specs {
  private Specs() {}

  static WorkflowSpec spec(Step... steps) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps = new java.util.ArrayList<>(Arrays.asList(steps));
    return spec;
  }

  static Step step(String name, String... depends) {
    return new Step(name, depends);
  }

  static Step retrying(Step step, int limit, int backoffSeconds, Integer maxBackoffSeconds) {
    step.retry = new Retry(limit, backoffSeconds, maxBackoffSeconds);
    return step;
  }

  static Step timeout(Step step, long seconds) {
    step.timeoutSeconds = seconds;
    return step;
  }

  /** The spec with {@code steps} as its finally steps. */
  static WorkflowSpec withFinally(WorkflowSpec spec, Step... steps) {
    spec.finallySteps = new java.util.ArrayList<>(Arrays.asList(steps));
    return spec;
  }

  /**
   * The step as a loop over {@code items}, at most {@code maxParallel} at once (null: no limit).
   */
  static Step loop(Step step, Integer maxParallel, Object... items) {
    step.items = new java.util.ArrayList<>(Arrays.asList(items));
    step.maxParallel = maxParallel;
    return step;
  }

  static List<String> started(Plan plan) {
    return plan.start().stream().map(StepStart::step).toList();
  }
}
