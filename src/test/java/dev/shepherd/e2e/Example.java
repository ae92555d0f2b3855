package dev.shepherd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An example manifest and the phase its first line says it ends in ({@code # ends: Failed}). */
record Example(Path file, Workflow workflow, WorkflowPhase ends) {
  static Example read(Path file) throws IOException {
    String text = Files.readString(file);
    String header = text.lines().findFirst().orElse("");
    if (!header.startsWith("# ends: ")) {
      throw new IllegalArgumentException(file + ": the first line must be '# ends: <phase>'");
    }
    return new Example(
        file, inline(text), WorkflowPhase.valueOf(header.substring("# ends: ".length()).strip()));
  }

  /** A Workflow of the given steps (a YAML list, unindented), image and executor. */
  static Workflow workflow(
      String name, String namespace, String image, Executor executor, String steps) {
    Workflow w =
        inline(
            """
            apiVersion: shepherd.dev/v1alpha1
            kind: Workflow
            metadata: {name: %s, namespace: %s}
            spec:
              image: %s
              steps:
            %s"""
                .formatted(name, namespace, image, steps.indent(4)));
    w.getSpec().executor = executor;
    return w;
  }

  static Workflow inline(String yaml) {
    return Serialization.unmarshal(yaml, Workflow.class);
  }

  /**
   * What each step's phase says agrees with its exit code and reason; a loop step's counts agree
   * with its phase.
   */
  void assertStepsConsistent(Workflow done) {
    for (StepStatus st : done.getStatus().steps) {
      String what =
          file + ": step " + st.name + " " + st.phase + " " + st.reason + " " + st.message;
      if (st.loop != null) {
        assertThat(st.loop.succeeded + st.loop.failed + st.loop.skipped)
            .as(what)
            .isEqualTo(st.loop.total);
        assertThat(st.loop.failed == 0 && st.loop.skipped == 0)
            .as(what)
            .isEqualTo(st.phase == StepPhase.Succeeded);
        continue;
      }
      switch (st.phase) {
        case Succeeded -> assertThat(st.exitCode).as(what).isEqualTo(0);
        case Failed ->
            assertThat(st.reason != null && (st.exitCode == null || st.exitCode != 0))
                .as(what)
                .isTrue();
        case Skipped -> assertThat(st.attempts).as(what).isEqualTo(0);
        default -> throw new AssertionError("not final: " + what);
      }
    }
    if (ends == WorkflowPhase.Succeeded) {
      // Every step succeeded, but those allowed to fail (allowFailure), which may have failed,
      // and those skipped by a false when.
      assertThat(done.getStatus().steps)
          .as(file + ": " + done.getStatus().message)
          .allMatch(
              s ->
                  s.phase == StepPhase.Succeeded
                      || (s.phase == StepPhase.Skipped && "ConditionFalse".equals(s.reason))
                      || (s.phase == StepPhase.Failed
                          && workflow.getSpec().allSteps().stream()
                              .anyMatch(d -> d.name.equals(s.name) && d.allowsFailure())));
    }
  }
}
