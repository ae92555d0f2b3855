package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  private static void assertConditions(
      WorkflowStatus status, String reconciling, String stalled, String complete, String failed) {
    assertEquals(
        reconciling, Conditions.find(status, Conditions.RECONCILING).getStatus(), "Reconciling");
    assertEquals(stalled, Conditions.find(status, Conditions.STALLED).getStatus(), "Stalled");
    assertEquals(complete, Conditions.find(status, Conditions.COMPLETE).getStatus(), "Complete");
    assertEquals(failed, Conditions.find(status, Conditions.FAILED).getStatus(), "Failed");
    assertEquals(4, status.conditions.size(), "one condition of each type");
  }

  @Test
  void runningThenSucceededConditions() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 3);
    assertEquals(WorkflowPhase.Running, status.phase);
    assertConditions(status, "True", "False", "False", "False");
    assertEquals(
        Reason.Running.name(), Conditions.find(status, Conditions.RECONCILING).getReason());
    for (Condition c : status.conditions) {
      assertEquals(3L, c.getObservedGeneration(), c.getType());
      assertNotNull(c.getLastTransitionTime());
    }
    assertEquals(3L, status.observedGeneration);

    String reconcilingSince =
        Conditions.find(status, Conditions.RECONCILING).getLastTransitionTime();
    String completeSince = Conditions.find(status, Conditions.COMPLETE).getLastTransitionTime();
    String failedSince = Conditions.find(status, Conditions.FAILED).getLastTransitionTime();

    clock.advanceSeconds(30);
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    engine.plan(spec, status, 5); // the spec was edited meanwhile
    assertConditions(status, "True", "False", "False", "False");
    assertEquals(
        reconcilingSince,
        Conditions.find(status, Conditions.RECONCILING).getLastTransitionTime(),
        "a condition that keeps its status keeps its lastTransitionTime");
    assertEquals(5L, status.observedGeneration);
    assertEquals(5L, Conditions.find(status, Conditions.RECONCILING).getObservedGeneration());

    clock.advanceSeconds(30);
    engine.finished(spec, status, "b", 1, Outcome.exited(0));
    engine.plan(spec, status, 5);
    assertEquals(WorkflowPhase.Succeeded, status.phase);
    assertConditions(status, "False", "False", "True", "False");
    assertEquals(Reason.Succeeded.name(), Conditions.find(status, Conditions.COMPLETE).getReason());
    assertNotEquals(
        reconcilingSince, Conditions.find(status, Conditions.RECONCILING).getLastTransitionTime());
    assertNotEquals(
        completeSince, Conditions.find(status, Conditions.COMPLETE).getLastTransitionTime());
    assertEquals(
        failedSince,
        Conditions.find(status, Conditions.FAILED).getLastTransitionTime(),
        "Failed stayed False all along");
    assertEquals(
        "2025-03-01T10:01:00Z",
        Conditions.find(status, Conditions.COMPLETE).getLastTransitionTime());
    assertEquals(
        "All 2 steps succeeded.", Conditions.find(status, Conditions.COMPLETE).getMessage());
  }

  @Test
  void failedConditions() {
    WorkflowSpec spec = spec(step("a"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    String stalledSince = Conditions.find(status, Conditions.STALLED).getLastTransitionTime();
    clock.advanceSeconds(10);
    engine.finished(spec, status, "a", 1, Outcome.exited(2));
    engine.plan(spec, status, 1);
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertConditions(status, "False", "True", "False", "True");
    assertEquals(Reason.StepFailed.name(), Conditions.find(status, Conditions.STALLED).getReason());
    assertNotEquals(
        stalledSince, Conditions.find(status, Conditions.STALLED).getLastTransitionTime());
    assertEquals(
        List.of("Step a failed with exit code 2 after 1 attempt."),
        List.of(Conditions.find(status, Conditions.FAILED).getMessage()));
  }

  @Test
  void conditionKeepsItsTransitionTimeWhenOnlyReasonAndMessageChange() {
    WorkflowStatus status = new WorkflowStatus();
    status.phase = WorkflowPhase.Running;
    Conditions.update(status, Reason.Pending, "waiting", 1, clock.instant());
    String since = Conditions.find(status, Conditions.RECONCILING).getLastTransitionTime();
    clock.advanceSeconds(90);
    Conditions.update(status, Reason.Running, "running", 2, clock.instant());
    Condition reconciling = Conditions.find(status, Conditions.RECONCILING);
    assertEquals(since, reconciling.getLastTransitionTime());
    assertEquals(Reason.Running.name(), reconciling.getReason());
    assertEquals("running", reconciling.getMessage());
    assertEquals(2L, reconciling.getObservedGeneration());
  }
}
