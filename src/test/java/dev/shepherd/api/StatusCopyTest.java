package dev.shepherd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * copy(), snapshot() and equals() of the status: the runner publishes snapshots and compares with
 * them.
 */
class StatusCopyTest {
  @Test
  void aCopyHasEveryFieldAndSharesNothing() throws Exception {
    WorkflowStatus status = full();
    WorkflowStatus copy = status.copy();
    assertThat(Serialization.asJson(copy)).isEqualTo(Serialization.asJson(status));
    assertThat(copy).isEqualTo(status).hasSameHashCodeAs(status);

    copy.steps.getFirst().phase = StepPhase.Failed;
    copy.conditions.getFirst().setStatus("False");
    copy.steps.getFirst().outputs.put("version", "2");
    copy.steps.getFirst().loop.instances.getFirst().phase = StepPhase.Failed;
    copy.stepTemplates.getFirst().resourceVersion = "8";
    assertThat(status.steps.getFirst().phase).isEqualTo(StepPhase.Running);
    assertThat(status.steps.getFirst().outputs).containsEntry("version", "1");
    assertThat(status.steps.getFirst().loop.instances.getFirst().phase)
        .isEqualTo(StepPhase.Running);
    assertThat(status.conditions.getFirst().getStatus()).isEqualTo("True");
    assertThat(status.stepTemplates.getFirst().resourceVersion).isEqualTo("7");
    assertThat(copy).isNotEqualTo(status);
  }

  @Test
  void everyFieldCountsForEquality() throws Exception {
    for (Object target : List.of(new WorkflowStatus(), new StepStatus())) {
      for (Field f : target.getClass().getFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        WorkflowStatus a = full();
        WorkflowStatus b = full();
        Object changed = target instanceof WorkflowStatus ? b : b.steps.getFirst();
        Object other =
            f.getType() == String.class
                ? "other"
                : f.getType() == Integer.class
                    ? 99
                    : f.getType() == Long.class
                        ? 99L
                        : f.getType() == WorkflowPhase.class
                            ? WorkflowPhase.Failed
                            : f.getType() == StepPhase.class
                                ? StepPhase.Skipped
                                : f.getType() == Map.class
                                    ? Map.of("other", "1")
                                    : f.getType() == LoopStatus.class
                                        ? new LoopStatus(7)
                                        : List.of();
        f.set(changed, other);
        assertThat(b).as(target.getClass().getSimpleName() + "." + f.getName()).isNotEqualTo(a);
      }
    }
  }

  @Test
  void aSnapshotSharesTheStepsThatDidNotChangeAndCopiesTheOthers() throws Exception {
    WorkflowStatus status = full();
    status.steps.add(new StepStatus("b"));
    status.steps.add(new StepStatus("c"));
    WorkflowStatus first = status.snapshot(null);
    assertThat(first).isEqualTo(status);
    assertThat(first.steps)
        .allSatisfy(st -> assertThat(status.steps).noneMatch(orig -> orig == st));

    status.steps.get(1).phase = StepPhase.Running;
    status.message = "Running a, b.";
    WorkflowStatus second = status.snapshot(first);
    assertThat(Serialization.asJson(second)).isEqualTo(Serialization.asJson(status));
    assertThat(second.steps.get(0)).isSameAs(first.steps.get(0));
    assertThat(second.steps.get(1))
        .isNotSameAs(first.steps.get(1))
        .isNotSameAs(status.steps.get(1));
    assertThat(second.steps.get(2)).isSameAs(first.steps.get(2));
    assertThat(second.conditions.getFirst()).isNotSameAs(first.conditions.getFirst());
    assertThat(first.steps.get(1).phase)
        .isEqualTo(StepPhase.Pending); // the earlier snapshot is as it was

    // A step that moved is compared by position, so it is copied, never mixed up.
    status.steps.add(0, status.steps.remove(2));
    WorkflowStatus third = status.snapshot(second);
    assertThat(third).isEqualTo(status);
    assertThat(third.steps).extracting(st -> st.name).containsExactly("c", "a", "b");
  }

  private static WorkflowStatus full() {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = WorkflowPhase.Running;
    s.progress = "0/1";
    s.startedAt = "2026-11-29T10:00:00Z";
    s.finishedAt = "2026-11-29T10:01:00Z";
    s.message = "Running a.";
    s.observedGeneration = 3L;
    StepStatus st = new StepStatus("a");
    st.phase = StepPhase.Running;
    st.exitCode = 1;
    st.reason = "Error";
    st.attempts = 2;
    st.startedAt = "2026-11-29T10:00:00Z";
    st.finishedAt = "2026-11-29T10:00:30Z";
    st.podName = "wf-a-2";
    st.message = "boom";
    st.outputs = new java.util.LinkedHashMap<>(Map.of("version", "1"));
    st.loop = new LoopStatus(3);
    RunStatus instance = new RunStatus("a[1]");
    instance.phase = StepPhase.Running;
    st.loop.instances.add(instance);
    s.steps.add(st);
    s.abortReason = "Cancelled";
    s.abortMessage = "Stop.";
    s.stepTemplates = new java.util.ArrayList<>(List.of(new PinnedTemplate("t", "7", "{}")));
    s.conditions.add(
        new ConditionBuilder()
            .withType("Reconciling")
            .withStatus("True")
            .withReason("Running")
            .withMessage("Running a.")
            .withLastTransitionTime("2026-11-29T10:00:00Z")
            .withObservedGeneration(3L)
            .addToAdditionalProperties("severity", "Info")
            .build());
    return s;
  }
}
