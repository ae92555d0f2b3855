package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.withFinally;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spec.retryGeneration: a finished, failed workflow run again in place from its failed steps. */
class EngineRetryInPlaceTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  /** Runs {@code spec} to its end, each step ending as {@code exits} says (0 when unnamed). */
  private WorkflowStatus run(WorkflowSpec spec, Map<String, Integer> exits) {
    WorkflowStatus status = new WorkflowStatus();
    Plan plan = engine.plan(spec, status, 1);
    while (!plan.start().isEmpty()) {
      for (StepStart s : plan.start()) {
        int exit = exits.getOrDefault(s.step(), 0);
        engine.finished(
            spec,
            status,
            s.step(),
            s.attempt(),
            new Outcome(exit, exit == 0 ? null : "Error", null, "out=" + s.step() + "\n"));
      }
      plan = engine.plan(spec, status, 1);
    }
    return status;
  }

  @Test
  void aRetryRunsTheFailedAndSkippedStepsAgainAndKeepsTheSucceededOnesWithTheirOutputs() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"), step("c", "b"), step("d"));
    WorkflowStatus status = run(spec, Map.of("b", 3));
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    String aFinished = status.step("a").finishedAt;

    clock.advance(Duration.ofMinutes(5));
    spec.retryGeneration = 1L;
    RetryRecord r = engine.retry(spec, status, 2);

    assertThat(r.taken()).isTrue();
    assertThat(r.rerun).isEqualTo(2);
    assertThat(r.steps).containsExactly("b", "c");
    assertThat(status.retries).containsExactly(r);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Pending);
    assertThat(status.finishedAt).isNull();
    assertThat(status.message).isEqualTo("Retry 1: running 2 steps again: b, c.");
    assertThat(status.step("a").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(status.step("a").finishedAt).isEqualTo(aFinished);
    assertThat(status.step("a").outputs).containsEntry("out", "a");
    assertThat(status.step("b").phase).isEqualTo(StepPhase.Pending);
    assertThat(status.step("b").attemptsOrZero()).isZero();
    assertThat(status.step("b").exitCode).isNull();
    assertThat(status.runningRetry()).isEqualTo(1);

    Plan plan = engine.plan(spec, status, 2);
    assertThat(started(plan)).containsExactly("b");
    assertThat(plan.start().getFirst().attempt()).isEqualTo(1);
    engine.finished(spec, status, "b", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 2))).containsExactly("c");
    engine.finished(spec, status, "c", 1, Outcome.exited(0));
    engine.plan(spec, status, 2);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(engine.retry(spec, status, 2)).as("asked once, taken once").isNull();
  }

  @Test
  void stepsAfterARerunStepRunAgainEvenIfTheySucceededAndFinallyStepsAlwaysDo() {
    Step flaky = step("flaky");
    flaky.allowFailure = true;
    Step skippedByCondition = step("never");
    skippedByCondition.when = "1 > 2";
    WorkflowSpec spec =
        withFinally(
            spec(step("ok"), flaky, step("after", "flaky"), step("broken"), skippedByCondition),
            step("report"));
    WorkflowStatus status = run(spec, Map.of("flaky", 1, "broken", 2));
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.step("after").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(status.step("never").phase).isEqualTo(StepPhase.Skipped);

    spec.retryGeneration = 7L;
    RetryRecord r = engine.retry(spec, status, 2);

    assertThat(r.steps).containsExactly("flaky", "after", "broken", "report");
    assertThat(status.step("ok").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(status.step("never").phase)
        .as("its condition is as false as before")
        .isEqualTo(StepPhase.Skipped);
    assertThat(status.retryGeneration()).isEqualTo(7);
  }

  @Test
  void aCancelledWorkflowIsRetriedWithItsAbortForgotten() {
    WorkflowSpec spec = withFinally(spec(step("a"), step("b", "a")), step("report"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    spec.cancel = true;
    engine.plan(spec, status, 2);
    engine.finished(spec, status, "report", 1, Outcome.exited(0));
    engine.plan(spec, status, 2);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);

    spec.retryGeneration = 1L;
    RetryRecord refused = engine.retry(spec, status, 3);
    assertThat(refused.refused).isEqualTo("spec.cancel is true: set it to false to retry.");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);

    spec.cancel = false;
    spec.retryGeneration = 2L;
    RetryRecord taken = engine.retry(spec, status, 4);
    assertThat(taken.taken()).isTrue();
    assertThat(status.abortReason).isNull();
    assertThat(status.abortMessage).isNull();
    assertThat(started(engine.plan(spec, status, 4))).containsExactly("a");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Running);
    assertThat(status.retries).extracting(x -> x.generation).containsExactly(1L, 2L);
  }

  @Test
  void aRunningOrSucceededWorkflowRefusesTheRetryAndRecordsWhy() {
    WorkflowSpec spec = spec(step("a"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    spec.retryGeneration = 1L;
    RetryRecord running = engine.retry(spec, status, 2);
    assertThat(running.refused)
        .isEqualTo("the workflow is Running: only a Failed or Cancelled workflow is retried.");
    assertThat(running.rerun).isZero();
    assertThat(status.step("a").phase).isEqualTo(StepPhase.Running);
    assertThat(engine.retry(spec, status, 2)).as("a request is recorded once").isNull();

    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    engine.plan(spec, status, 2);
    spec.retryGeneration = 2L;
    RetryRecord succeeded = engine.retry(spec, status, 3);
    assertThat(succeeded.refused).isEqualTo("the workflow Succeeded: there is nothing to retry.");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.runningRetry()).as("no retry was taken").isZero();
  }

  @Test
  void theDeadlineOfARetriedWorkflowCountsFromTheRetry() {
    WorkflowSpec spec = spec(step("a"));
    spec.activeDeadlineSeconds = 60L;
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    clock.advanceSeconds(61);
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);

    clock.advanceSeconds(600);
    spec.retryGeneration = 1L;
    engine.retry(spec, status, 2);
    Plan plan = engine.plan(spec, status, 2);
    assertThat(started(plan)).containsExactly("a");
    assertThat(plan.wakeAt()).isEqualTo(clock.instant().plusSeconds(60));
    clock.advanceSeconds(59);
    engine.plan(spec, status, 2);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Running);
    clock.advanceSeconds(1);
    engine.plan(spec, status, 2);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
  }

  @Test
  void theStatusKeepsTheLatestRecordsAndAlwaysTheTakenOneThatNamesTheRun() {
    WorkflowSpec spec = spec(step("a"));
    WorkflowStatus status = run(spec, Map.of("a", 1));
    spec.retryGeneration = 1L;
    engine.retry(spec, status, 2);
    engine.plan(spec, status, 2); // a runs: every later request is refused
    for (long g = 2; g < 2 + 3 * RetryInPlace.MAX_RECORDS; g++) {
      spec.retryGeneration = g;
      assertThat(engine.retry(spec, status, 2).taken()).isFalse();
    }
    assertThat(status.retries).hasSize(RetryInPlace.MAX_RECORDS);
    assertThat(status.retries.getFirst().generation).isEqualTo(1);
    assertThat(status.runningRetry()).isEqualTo(1);
    assertThat(status.retryGeneration()).isEqualTo(1 + 3 * RetryInPlace.MAX_RECORDS);
  }

  @Test
  void aRetryOfALoopRunsTheWholeLoopAgain() {
    Step loop = Specs.loop(step("each"), null, "x", "y", "z");
    WorkflowSpec spec = spec(loop);
    WorkflowStatus status = run(spec, Map.of("each[1]", 1));
    assertThat(status.step("each").loop.failed).isEqualTo(1);

    spec.retryGeneration = 1L;
    engine.retry(spec, status, 2);

    assertThat(status.step("each").loop).isNull();
    assertThat(started(engine.plan(spec, status, 2)))
        .containsExactly("each[0]", "each[1]", "each[2]");
  }
}
