package dev.shepherd.engine;

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

/** {@code spec.finally}: steps that run once the main steps have ended, however they ended. */
class EngineFinallyTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  @Test
  void finallyStepsWaitForEveryMainStepThenRunAndTheWorkflowSucceeds() {
    WorkflowSpec spec = withFinally(spec(step("a"), step("b")), step("report"));
    WorkflowStatus status = new WorkflowStatus();

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("a", "b");
    assertThat(status.steps).extracting(s -> s.name).containsExactly("a", "b", "report");
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 1))).isEmpty();
    engine.finished(spec, status, "b", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("report");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Running);

    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.progress).isEqualTo("3/3");
  }

  @Test
  void afterAFailedMainStepTheFinallyStepsRunAndTheWorkflowFailsAsTheMainStepsSay() {
    WorkflowSpec spec = withFinally(spec(step("a"), step("b", "a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "a", 1, Outcome.exited(2));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("report");
    assertThat(status.step("b").phase).isEqualTo(StepPhase.Skipped);
    assertThat(Engine.mainPhase(index(spec), status)).isEqualTo(WorkflowPhase.Failed);

    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message)
        .isEqualTo("Step a failed with exit code 2 after 1 attempt; 1 step was skipped.");
  }

  @Test
  void aFailedFinallyStepFailsTheWorkflowAndSkipsTheFinallyStepsThatDependOnIt() {
    WorkflowSpec spec =
        withFinally(spec(step("a")), step("clean"), step("notify", "clean"), step("log"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("clean", "log");

    engine.finished(spec, status, "clean", 1, Outcome.exited(1));
    engine.finished(spec, status, "log", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);

    assertThat(status.step("notify").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message).startsWith("Step clean failed with exit code 1");
  }

  @Test
  void aCancelEndsTheMainStepsRunsTheFinallyStepsAndThenEndsCancelled() {
    WorkflowSpec spec = withFinally(spec(step("a"), step("b", "a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    Plan cancel = engine.cancel(spec, status, "Stopped by SIGTERM.", 1);
    assertThat(cancel.stop()).containsExactly("a");
    assertThat(status.phase).isNotEqualTo(WorkflowPhase.Cancelled);
    assertThat(status.abortReason).isEqualTo("Cancelled");
    assertThat(status.step("report").phase).isEqualTo(StepPhase.Pending);

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("report");
    assertThat(Engine.mainPhase(index(spec), status)).isEqualTo(WorkflowPhase.Cancelled);
    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
    assertThat(status.message).isEqualTo("Stopped by SIGTERM.");
  }

  @Test
  void aSecondCancelWhileTheFinallyStepsRunEndsThemToo() {
    WorkflowSpec spec = withFinally(spec(step("a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    engine.cancel(spec, status, "Stop.", 1);
    engine.plan(spec, status, 1);

    Plan again = engine.cancel(spec, status, "Stop now.", 1);

    assertThat(again.stop()).containsExactly("report");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
  }

  @Test
  void theDeadlineEndsTheMainStepsAndStartsTheFinallyStepsInTheSamePlan() {
    WorkflowSpec spec = withFinally(spec(step("a")), step("report"));
    spec.activeDeadlineSeconds = 10L;
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    clock.advanceSeconds(11);
    Plan plan = engine.plan(spec, status, 1);

    assertThat(plan.stop()).containsExactly("a");
    assertThat(started(plan)).containsExactly("report");
    assertThat(status.step("a").reason).isEqualTo("DeadlineExceeded");
    clock.advanceSeconds(60); // past the deadline: a finally step is not bound by it
    assertThat(engine.plan(spec, status, 1).stop()).isEmpty();
    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message)
        .isEqualTo("The workflow exceeded its activeDeadlineSeconds of 10 s.");
    assertThat(Conditions.find(status, Conditions.FAILED).getReason())
        .isEqualTo("DeadlineExceeded");
  }

  @Test
  void aLostExecutorEndsTheFinallyStepsWithTheMainSteps() {
    WorkflowSpec spec = withFinally(spec(step("a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.abort(spec, status, Abort.lost("Lost", "the Pod is gone.", "Lost.", "The Pod died."), 1);

    assertThat(status.step("report").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
  }

  private static Engine.SpecIndex index(WorkflowSpec spec) {
    return Engine.SpecIndex.of(spec);
  }
}
