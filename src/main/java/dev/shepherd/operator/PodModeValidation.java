package dev.shepherd.operator;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.SpecValidation;
import io.fabric8.kubernetes.api.model.EnvVar;
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
      supervisorProblems(spec, problems);
      return problems;
    }
    for (Step step : spec.steps) {
      if (step != null && step.name != null && blank(step.image) && blank(spec.image)) {
        problems.add("Step \"" + step.name + "\" has no image, and spec.image is not set.");
      }
    }
    return problems;
  }

  /**
   * executor: supervisor runs every step in one container, the image's entrypoint replaced by the
   * supervisor: so one image for all, and each step says what to run.
   */
  private static void supervisorProblems(WorkflowSpec spec, List<String> problems) {
    if (blank(spec.image)) {
      problems.add("spec.image is required with executor supervisor: all steps run in one container of that image.");
    }
    if (!blank(spec.serviceAccountName)) {
      problems.add("spec.serviceAccountName is not supported with executor supervisor: its Pod runs as a"
          + " ServiceAccount of its own that may only write the workflow's status.");
    }
    for (Step step : spec.steps) {
      if (step == null || step.name == null) {
        continue;
      }
      if (!blank(step.image) && !blank(spec.image) && !step.image.strip().equals(spec.image.strip())) {
        problems.add("Step \"" + step.name + "\" has image " + step.image + ", but with executor supervisor all steps"
            + " run in one container of spec.image " + spec.image + "; remove the step's image or use executor pod.");
      }
      if (step.command == null || step.command.isEmpty()) {
        problems.add("Step \"" + step.name + "\" has no command; executor supervisor does not run the image's"
            + " entrypoint, so every step needs one.");
      }
      if (step.env != null) {
        for (EnvVar e : step.env) {
          if (e != null && e.getValueFrom() != null) {
            problems.add("Step \"" + step.name + "\" env " + e.getName() + " uses valueFrom, which executor"
                + " supervisor cannot resolve; give it a value or use executor pod.");
          }
        }
      }
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
