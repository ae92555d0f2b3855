package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.withFinally;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import org.junit.jupiter.api.Test;

/** spec.cancel and spec.suspend: a running workflow controlled through its spec. */
class EngineControlTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  @Test
  void specCancelStopsTheRunningStepsSkipsThePendingRunsFinallyAndEndsCancelled() {
    WorkflowSpec spec = withFinally(spec(step("a"), step("b", "a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    spec.cancel = true;
    Plan plan = engine.plan(spec, status, 2);

    assertThat(plan.stop()).containsExactly("a");
    assertThat(started(plan)).containsExactly("report");
    assertThat(status.step("a").reason).isEqualTo("Cancelled");
    assertThat(status.step("b").phase).isEqualTo(StepPhase.Skipped);
    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    assertThat(engine.plan(spec, status, 2).stop()).isEmpty();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
    assertThat(status.message).isEqualTo("Cancelled: spec.cancel is true.");
  }

  @Test
  void specCancelInTheMiddleOfARetryBackoffEndsTheRetry() {
    WorkflowSpec spec = spec(retrying(step("flaky"), 3, 60, null));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    engine.finished(spec, status, "flaky", 1, Outcome.exited(1));
    engine.plan(spec, status, 1);
    assertThat(status.step("flaky").phase).isEqualTo(StepPhase.Retrying);

    spec.cancel = true;
    engine.plan(spec, status, 2);

    assertThat(status.step("flaky").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("flaky").message).isEqualTo("Not retried: " + Engine.SPEC_CANCEL);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
  }

  @Test
  void suspendStartsNothingLetsRunningStepsFinishAndResumeGoesOn() {
    WorkflowSpec spec = spec(step("a"), step("b"), step("c", "a"));
    spec.parallelism = 1;
    WorkflowStatus status = new WorkflowStatus();
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("a");

    spec.suspend = true;
    Plan suspended = engine.plan(spec, status, 2);
    assertThat(suspended.stop()).isEmpty();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Suspended);
    assertThat(status.message).isEqualTo("Suspended: a finish, no other step starts.");
    assertThat(Conditions.isTrue(status, Conditions.RECONCILING)).isTrue();
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 2))).isEmpty();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Suspended);
    assertThat(status.message).isEqualTo("Suspended: no step starts until spec.suspend is false.");

    spec.suspend = false;
    assertThat(started(engine.plan(spec, status, 3))).containsExactly("b");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Running);
  }

  @Test
  void theDeadlineKeepsCountingWhileSuspended() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"));
    spec.activeDeadlineSeconds = 60L;
    spec.suspend = true;
    WorkflowStatus status = new WorkflowStatus();
    assertThat(started(engine.plan(spec, status, 1))).isEmpty();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Suspended);

    clock.advanceSeconds(60);
    engine.plan(spec, status, 1);

    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(Conditions.find(status, Conditions.FAILED).getReason())
        .isEqualTo("DeadlineExceeded");
  }

  @Test
  void aCancelWinsOverASuspend() {
    WorkflowSpec spec = withFinally(spec(step("a")), step("report"));
    spec.suspend = true;
    spec.cancel = true;
    WorkflowStatus status = new WorkflowStatus();

    engine.plan(spec, status, 1);

    // Suspended: not even the finally steps start, but the main steps were ended.
    assertThat(status.step("a").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.abortReason).isEqualTo("Cancelled");
    spec.suspend = false;
    assertThat(started(engine.plan(spec, status, 2))).containsExactly("report");
  }
}
