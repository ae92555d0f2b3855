package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineDagTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  private static WorkflowSpec diamond() {
    return spec(
        step("fetch"),
        step("build", "fetch"),
        step("test", "fetch"),
        step("report", "build", "test"));
  }

  @Test
  void diamondStartsFetchAloneThenBuildAndTestTogetherThenReport() {
    WorkflowSpec spec = diamond();
    WorkflowStatus status = new WorkflowStatus();

    Plan first = engine.plan(spec, status, 1);
    assertEquals(List.of(StartKeys.of("fetch", 1)), StartKeys.of(first));
    assertEquals(WorkflowPhase.Running, status.phase);
    assertEquals(StepPhase.Pending, status.step("build").phase);

    clock.advanceSeconds(5);
    assertTrue(engine.finished(spec, status, "fetch", 1, Outcome.exited(0)));
    Plan second = engine.plan(spec, status, 1);
    assertEquals(List.of(StartKeys.of("build", 1), StartKeys.of("test", 1)), StartKeys.of(second));
    assertEquals(StepPhase.Pending, status.step("report").phase);

    clock.advanceSeconds(5);
    assertTrue(engine.finished(spec, status, "build", 1, Outcome.exited(0)));
    Plan third = engine.plan(spec, status, 1);
    assertEquals(List.of(), third.start(), "report must wait for test too");

    assertTrue(engine.finished(spec, status, "test", 1, Outcome.exited(0)));
    Plan fourth = engine.plan(spec, status, 1);
    assertEquals(List.of(StartKeys.of("report", 1)), StartKeys.of(fourth));

    assertTrue(engine.finished(spec, status, "report", 1, Outcome.exited(0)));
    Plan last = engine.plan(spec, status, 1);
    assertEquals(List.of(), last.start());
    assertNull(last.wakeAt());
    assertEquals(WorkflowPhase.Succeeded, status.phase);
    assertEquals("4/4", status.progress);
    assertTrue(
        status.steps.stream().allMatch(s -> s.phase == StepPhase.Succeeded && s.attempts == 1));
  }

  @Test
  void failingStepSkipsItsDependentsTransitivelyWhileIndependentBranchRunsToCompletion() {
    // a -> b -> c (chain that fails at a), x -> y (independent branch), d needs c and y.
    WorkflowSpec spec =
        spec(
            step("a"),
            step("b", "a"),
            step("c", "b"),
            step("x"),
            step("y", "x"),
            step("d", "c", "y"));
    WorkflowStatus status = new WorkflowStatus();

    assertEquals(List.of("a", "x"), started(engine.plan(spec, status, 1)));
    clock.advanceSeconds(2);
    assertTrue(engine.finished(spec, status, "a", 1, new Outcome(3, "Error", "boom")));
    Plan afterFailure = engine.plan(spec, status, 1);
    assertEquals(List.of(), afterFailure.start());
    assertEquals(StepPhase.Failed, status.step("a").phase);
    assertEquals(3, status.step("a").exitCode);
    assertEquals(StepPhase.Skipped, status.step("b").phase);
    assertEquals(StepPhase.Skipped, status.step("c").phase);
    assertEquals(StepPhase.Skipped, status.step("d").phase);
    assertEquals(StepPhase.Running, status.step("x").phase);
    assertEquals(WorkflowPhase.Running, status.phase, "the independent branch is still running");

    assertTrue(
        status.step("b").message.contains("a") && status.step("b").message.contains("failed"),
        status.step("b").message);
    assertTrue(status.step("c").message.contains("dependency b"), status.step("c").message);
    assertTrue(status.step("d").message.contains("dependency c"), status.step("d").message);
    assertEquals(0, status.step("b").attemptsOrZero(), "a skipped step never ran");

    assertTrue(engine.finished(spec, status, "x", 1, Outcome.exited(0)));
    assertEquals(List.of("y"), started(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "y", 1, Outcome.exited(0)));
    Plan last = engine.plan(spec, status, 1);
    assertEquals(List.of(), last.start());

    assertEquals(StepPhase.Succeeded, status.step("x").phase);
    assertEquals(StepPhase.Succeeded, status.step("y").phase);
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals("6/6", status.progress);
    assertEquals(Reason.StepFailed.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertTrue(status.message.contains("Step a failed"), status.message);
    assertTrue(status.message.contains("exit code 3"), status.message);
    assertTrue(status.message.contains("3 steps were skipped"), status.message);
    assertEquals(status.message, Conditions.find(status, Conditions.FAILED).getMessage());
  }

  @Test
  void parallelismCapsRunningSteps() {
    WorkflowSpec spec = spec(step("a"), step("b"), step("c"), step("d"), step("e"));
    spec.parallelism = 2;
    WorkflowStatus status = new WorkflowStatus();

    assertEquals(List.of("a", "b"), started(engine.plan(spec, status, 1)));
    assertEquals(List.of(), started(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "b", 1, Outcome.exited(0)));
    assertEquals(List.of("c"), started(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "a", 1, Outcome.exited(1)));
    assertEquals(
        List.of("d"), started(engine.plan(spec, status, 1)), "a failed step frees its slot");
    assertTrue(engine.finished(spec, status, "c", 1, Outcome.exited(0)));
    assertTrue(engine.finished(spec, status, "d", 1, Outcome.exited(0)));
    assertEquals(List.of("e"), started(engine.plan(spec, status, 1)));
    assertEquals(1, status.steps.stream().filter(s -> s.phase == StepPhase.Running).count());
  }

  @Test
  void activeDeadlineStopsRunningStepsSkipsPendingOnesAndFailsTheWorkflow() {
    WorkflowSpec spec = spec(step("slow"), step("quick"), step("after", "slow"));
    spec.activeDeadlineSeconds = 60L;
    WorkflowStatus status = new WorkflowStatus();

    Plan first = engine.plan(spec, status, 1);
    assertEquals(List.of("slow", "quick"), started(first));
    assertEquals(clock.instant().plusSeconds(60), first.wakeAt());
    clock.advanceSeconds(10);
    assertTrue(engine.finished(spec, status, "quick", 1, Outcome.exited(0)));
    engine.plan(spec, status, 1);

    clock.advanceSeconds(50);
    Plan atDeadline = engine.plan(spec, status, 1);
    assertEquals(List.of(), atDeadline.start());
    assertEquals(List.of("slow"), atDeadline.stop());
    assertNull(atDeadline.wakeAt());
    assertEquals(StepPhase.Failed, status.step("slow").phase);
    assertEquals("DeadlineExceeded", status.step("slow").reason);
    assertEquals(StepPhase.Skipped, status.step("after").phase);
    assertEquals(StepPhase.Succeeded, status.step("quick").phase);
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals(
        Reason.DeadlineExceeded.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertTrue(status.message.contains("activeDeadlineSeconds"), status.message);

    assertTrue(
        !engine.finished(spec, status, "slow", 1, Outcome.exited(0)),
        "the stopped attempt is over");
    assertEquals(Plan.NOTHING, engine.plan(spec, status, 1));
    assertEquals(WorkflowPhase.Failed, status.phase);
  }
}
