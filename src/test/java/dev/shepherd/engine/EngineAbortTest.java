package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ending steps before they end on their own: the deadline, a cancel, a lost executor. */
class EngineAbortTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);
  private static final Abort LOST =
      Abort.lost(
          "OOMKilled",
          "the Pod ran out of memory.",
          "The Pod ended while the step ran.",
          "The Pod failed.");

  /**
   * One step in each phase: running, retrying (after exit code 3), pending, succeeded and failed,
   * in that order; "pending" waits for "running".
   */
  private WorkflowSpec everyPhase(WorkflowStatus status) {
    WorkflowSpec spec =
        spec(
            step("running"),
            retrying(step("retrying"), 2, 30, null),
            step("pending", "running"),
            step("succeeded"),
            step("failed"));
    assertEquals(
        List.of("running", "retrying", "succeeded", "failed"),
        started(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "retrying", 1, Outcome.exited(3)));
    assertTrue(engine.finished(spec, status, "succeeded", 1, Outcome.exited(0)));
    assertTrue(engine.finished(spec, status, "failed", 1, Outcome.exited(1)));
    engine.plan(spec, status, 1);
    assertEquals(
        List.of(
            StepPhase.Running,
            StepPhase.Retrying,
            StepPhase.Pending,
            StepPhase.Succeeded,
            StepPhase.Failed),
        status.steps.stream().map(st -> st.phase).toList());
    clock.advanceSeconds(5);
    return spec;
  }

  @Test
  void anAbortEndsExactlyTheUnfinishedStepsAndReturnsTheRunningOnesToStop() {
    WorkflowStatus status = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(status);
    StepStatus succeeded = status.step("succeeded").copy();
    StepStatus failed = status.step("failed").copy();

    Plan plan = engine.abort(spec, status, LOST, 1);

    assertEquals(List.of(), plan.start());
    assertEquals(List.of("running"), plan.stop());
    assertNull(plan.wakeAt());
    String now = Timestamps.format(clock.instant());
    StepStatus running = status.step("running");
    assertEquals(
        List.of(StepPhase.Failed, "OOMKilled", "The Pod ended while the step ran.", now),
        List.of(running.phase, running.reason, running.message, running.finishedAt));
    assertNull(running.exitCode);
    StepStatus retrying = status.step("retrying");
    assertEquals(
        List.of(StepPhase.Failed, "OOMKilled", "Not retried: the Pod ran out of memory.", now, 3),
        List.of(
            retrying.phase,
            retrying.reason,
            retrying.message,
            retrying.finishedAt,
            retrying.exitCode));
    StepStatus pending = status.step("pending");
    assertEquals(
        List.of(StepPhase.Skipped, "Not run: the Pod ran out of memory.", now),
        List.of(pending.phase, pending.message, pending.finishedAt));
    assertNull(pending.reason);
    assertEquals(succeeded, status.step("succeeded"), "a finished step is left as it was");
    assertEquals(failed, status.step("failed"), "a finished step is left as it was");
    assertEquals("5/5", status.progress);
  }

  @Test
  void anAbortWithoutAReasonFailsTheWorkflowAsItsStepsSayWithItsMessageFirst() {
    WorkflowStatus status = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(status);

    engine.abort(spec, status, LOST, 1);

    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals(
        "The Pod failed. Step running failed (OOMKilled) after 1 attempt; 2 more failed; 1 step was skipped.",
        status.message);
    assertEquals(Reason.StepFailed.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertEquals(status.message, Conditions.find(status, Conditions.FAILED).getMessage());
    assertEquals(Timestamps.format(clock.instant()), status.finishedAt);
  }

  @Test
  void aCancelIsAnAbortWhoseReasonAndMessageAreTheWorkflows() {
    WorkflowStatus status = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(status);

    Plan plan = engine.cancel(spec, status, "Stopped by SIGTERM.", 1);

    assertEquals(List.of("running"), plan.stop());
    assertEquals(WorkflowPhase.Cancelled, status.phase);
    assertEquals("Stopped by SIGTERM.", status.message);
    assertEquals(Reason.Cancelled.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertEquals(
        List.of("Cancelled", "Stopped: Stopped by SIGTERM."),
        List.of(status.step("running").reason, status.step("running").message));
    assertEquals("Not run: Stopped by SIGTERM.", status.step("pending").message);
  }

  @Test
  void theDeadlineInPlanIsTheDeadlineAbort() {
    WorkflowStatus viaPlan = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(viaPlan);
    spec.activeDeadlineSeconds = 5L;
    WorkflowStatus viaAbort = viaPlan.copy();

    Plan planned = engine.plan(spec, viaPlan, 1);
    Plan aborted = engine.abort(spec, viaAbort, Abort.deadline(5), 1);

    assertEquals(aborted, planned);
    assertEquals(viaAbort, viaPlan);
    assertEquals(WorkflowPhase.Failed, viaPlan.phase);
    assertEquals(Reason.DeadlineExceeded.name(), viaPlan.step("running").reason);
  }

  @Test
  void anAbortBeforeTheFirstPlanGivesEveryStepOfTheSpecAnEntryInSpecOrderAndSkipsIt() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"), step("c"));
    WorkflowStatus status = new WorkflowStatus();

    Plan plan = engine.cancel(spec, status, "Cancelled early.", 7);

    assertEquals(Plan.NOTHING, plan);
    assertEquals(List.of("a", "b", "c"), status.steps.stream().map(st -> st.name).toList());
    assertTrue(
        status.steps.stream().allMatch(st -> st.phase == StepPhase.Skipped),
        status.steps::toString);
    assertEquals("3/3", status.progress);
    assertEquals(WorkflowPhase.Cancelled, status.phase);
    assertEquals(7L, status.observedGeneration);
    assertEquals(Timestamps.format(clock.instant()), status.startedAt);
  }

  @Test
  void aRunningStepThatLeftTheSpecIsStoppedByTheAbortAndItsEntryDropped() {
    WorkflowSpec before = spec(step("gone"), step("kept"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(before, status, 1);

    Plan plan = engine.abort(spec(step("kept"), step("new")), status, LOST, 2);

    assertEquals(List.of("gone", "kept"), plan.stop());
    assertEquals(List.of("kept", "new"), status.steps.stream().map(st -> st.name).toList());
    assertEquals(StepPhase.Skipped, status.step("new").phase);
  }

  @Test
  void anAbortOfSomeStepsLeavesTheOthersAndTheWorkflowGoesOn() {
    WorkflowStatus status = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(status);
    StepStatus pending = status.step("pending").copy();

    Plan plan =
        engine.abort(
            spec, status, Abort.cancel("Stop.").only(Set.of("running", "retrying")::contains), 1);

    assertEquals(List.of("running"), plan.stop());
    assertEquals(StepPhase.Failed, status.step("running").phase);
    assertEquals(StepPhase.Failed, status.step("retrying").phase);
    assertEquals(pending, status.step("pending"), "a step the abort spares is left as it was");
    assertEquals(WorkflowPhase.Pending, status.phase);

    engine.plan(spec, status, 1);
    assertEquals(StepPhase.Skipped, status.step("pending").phase, "its dependency failed");
    assertEquals(WorkflowPhase.Failed, status.phase);
  }

  @Test
  void anAbortOfAnEndedWorkflowChangesNothing() {
    WorkflowStatus status = new WorkflowStatus();
    WorkflowSpec spec = everyPhase(status);
    engine.cancel(spec, status, "First.", 1);
    WorkflowStatus ended = status.copy();
    clock.advanceSeconds(1);

    assertEquals(Plan.NOTHING, engine.abort(spec, status, LOST, 2));
    assertEquals(ended, status);
  }

  @Test
  void aCleanReasonOfSomethingThatFailedCountsAsError() {
    assertEquals("Error", Outcome.failureReason(null));
    assertEquals("Error", Outcome.failureReason("Completed"));
    assertEquals("OOMKilled", Outcome.failureReason("OOMKilled"));
    assertTrue(new Outcome(0, "Completed", null).succeeded());
    assertTrue(!new Outcome(0, Outcome.failureReason("Completed"), null).succeeded());
  }
}
