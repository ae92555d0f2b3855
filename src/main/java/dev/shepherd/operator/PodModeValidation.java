package dev.shepherd.operator;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.SpecValidation;
import java.util.ArrayList;
import java.util.List;

/** What a spec needs before the operator can run it, on top of the engine's checks. */
public final class PodModeValidation {
  private PodModeValidation() {}

  public static List<String> problems(WorkflowSpec spec) {
    List<String> problems = new ArrayList<>(SpecValidation.problems(spec));
    if (spec == null || spec.steps == null) {
      return problems;
    }
    if (spec.executorOrDefault() == Executor.SUPERVISOR) {
      problems.add("spec.executor is supervisor, which this version of the operator does not run yet; use pod.");
      return problems;
    }
    for (Step step : spec.steps) {
      if (step != null && step.name != null && blank(step.image) && blank(spec.image)) {
        problems.add("Step \"" + step.name + "\" has no image, and spec.image is not set.");
      }
    }
    return problems;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
