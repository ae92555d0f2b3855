package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.Retry;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EngineRetryAndTimeoutTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  @ParameterizedTest(name = "retry.limit {0}")
  @ValueSource(ints = {0, 1, 3})
  void retryLimitNGivesExactlyNPlusOneAttempts(int limit) {
    WorkflowSpec spec = spec(retrying(step("flaky"), limit, 1, null));
    WorkflowStatus status = new WorkflowStatus();
    int attempts = 0;
    for (int i = 0; i < limit + 5; i++) {
      Plan plan = engine.plan(spec, status, 1);
      for (StepStart s : plan.start()) {
        attempts++;
        assertEquals(attempts, s.attempt());
        assertTrue(engine.finished(spec, status, "flaky", s.attempt(), Outcome.exited(1)));
      }
      if (plan.wakeAt() != null) {
        clock.advanceTo(plan.wakeAt());
      }
    }
    assertEquals(limit + 1, attempts);
    assertEquals(limit + 1, status.step("flaky").attempts);
    assertEquals(StepPhase.Failed, status.step("flaky").phase);
    assertEquals(WorkflowPhase.Failed, status.phase);
    String expected = (limit + 1) + (limit == 0 ? " attempt" : " attempts");
    assertTrue(status.message.contains("after " + expected), status.message);
  }

  @Test
  void backoffDoublesFromBackoffSecondsIsCappedAndNoAttemptStartsBeforeItEnds() {
    WorkflowSpec spec = spec(retrying(step("flaky"), 5, 2, 10));
    WorkflowStatus status = new WorkflowStatus();
    assertEquals(List.of(StartKeys.of("flaky", 1)), StartKeys.of(engine.plan(spec, status, 1)));

    List<Long> backoffs = new ArrayList<>();
    for (int attempt = 1; attempt <= 5; attempt++) {
      clock.advance(Duration.ofMillis(1500)); // the attempt runs a while
      assertTrue(engine.finished(spec, status, "flaky", attempt, Outcome.exited(7)));
      Instant failedAt = clock.instant();
      Plan waiting = engine.plan(spec, status, 1);
      assertEquals(List.of(), waiting.start());
      assertEquals(StepPhase.Retrying, status.step("flaky").phase);
      assertEquals(WorkflowPhase.Running, status.phase);
      Instant retryAt = waiting.wakeAt();
      backoffs.add(Duration.between(failedAt, retryAt).toSeconds());
      assertEquals(retryAt, Engine.retryAt(spec.steps.getFirst(), status.step("flaky")));

      clock.advanceTo(retryAt.minusMillis(1));
      Plan early = engine.plan(spec, status, 1);
      assertEquals(List.of(), early.start(), "no start before the backoff ends");
      assertEquals(retryAt, early.wakeAt());

      clock.advanceTo(retryAt);
      Plan onTime = engine.plan(spec, status, 1);
      assertEquals(List.of(StartKeys.of("flaky", attempt + 1)), StartKeys.of(onTime));
      assertEquals(StepPhase.Running, status.step("flaky").phase);
      assertNull(status.step("flaky").exitCode, "a new attempt clears the old attempt's end");
    }
    assertEquals(List.of(2L, 4L, 8L, 10L, 10L), backoffs);

    assertTrue(engine.finished(spec, status, "flaky", 6, Outcome.exited(7)));
    Plan end = engine.plan(spec, status, 1);
    assertEquals(List.of(), end.start());
    assertNull(end.wakeAt());
    assertEquals(StepPhase.Failed, status.step("flaky").phase);
    assertEquals(6, status.step("flaky").attempts);
    assertEquals(7, status.step("flaky").exitCode);
  }

  @Test
  void backoffDefaultsToOneSecondDoublingUpToFiveMinutes() {
    Retry retry = new Retry();
    retry.limit = 20;
    var s = step("x");
    s.retry = retry;
    assertEquals(Duration.ofSeconds(1), Engine.backoff(s, 1));
    assertEquals(Duration.ofSeconds(2), Engine.backoff(s, 2));
    assertEquals(Duration.ofSeconds(256), Engine.backoff(s, 9));
    assertEquals(Duration.ofSeconds(300), Engine.backoff(s, 10));
    assertEquals(Duration.ofSeconds(300), Engine.backoff(s, 100));
  }

  @Test
  void successOnSecondAttemptEndsSucceededWithTwoAttempts() {
    WorkflowSpec spec = spec(retrying(step("flaky"), 3, 1, null), step("after", "flaky"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    assertTrue(engine.finished(spec, status, "flaky", 1, new Outcome(137, "OOMKilled", "killed")));
    Plan retry = engine.plan(spec, status, 1);
    assertEquals(List.of(), retry.start());
    assertEquals(
        StepPhase.Pending,
        status.step("after").phase,
        "a retrying step does not skip its dependents");
    assertEquals("OOMKilled", status.step("flaky").reason);
    clock.advanceTo(retry.wakeAt());
    assertEquals(List.of(StartKeys.of("flaky", 2)), StartKeys.of(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "flaky", 2, Outcome.exited(0)));
    assertEquals(List.of(StartKeys.of("after", 1)), StartKeys.of(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "after", 1, Outcome.exited(0)));
    engine.plan(spec, status, 1);

    assertEquals(WorkflowPhase.Succeeded, status.phase);
    assertEquals(StepPhase.Succeeded, status.step("flaky").phase);
    assertEquals(2, status.step("flaky").attempts);
    assertNull(status.step("flaky").reason);
    assertNull(status.step("flaky").message);
  }

  @Test
  void stepPastItsTimeoutIsStoppedAndRetriedWithReasonDeadlineExceeded() {
    WorkflowSpec spec = spec(retrying(timeout(step("hang"), 30), 1, 5, null));
    WorkflowStatus status = new WorkflowStatus();
    Plan first = engine.plan(spec, status, 1);
    assertEquals(List.of(StartKeys.of("hang", 1)), StartKeys.of(first));
    Instant timeoutAt = clock.instant().plusSeconds(30);
    assertEquals(timeoutAt, first.wakeAt());

    clock.advanceTo(timeoutAt.minusMillis(1));
    Plan before = engine.plan(spec, status, 1);
    assertEquals(List.of(), before.stop());
    assertEquals(StepPhase.Running, status.step("hang").phase);

    clock.advanceTo(timeoutAt);
    Plan timedOut = engine.plan(spec, status, 1);
    assertEquals(List.of("hang"), timedOut.stop());
    assertEquals(List.of(), timedOut.start());
    assertEquals(StepPhase.Retrying, status.step("hang").phase);
    assertEquals("DeadlineExceeded", status.step("hang").reason);
    assertTrue(
        status.step("hang").message.contains("timeoutSeconds of 30"), status.step("hang").message);
    assertEquals(timeoutAt.plusSeconds(5), timedOut.wakeAt());

    clock.advanceSeconds(1);
    assertFalse(
        engine.finished(spec, status, "hang", 1, Outcome.exited(0)),
        "the late end of a timed out attempt");
    assertEquals(StepPhase.Retrying, status.step("hang").phase);

    clock.advanceTo(timedOut.wakeAt());
    assertEquals(List.of(StartKeys.of("hang", 2)), StartKeys.of(engine.plan(spec, status, 1)));
    assertFalse(
        engine.finished(spec, status, "hang", 1, Outcome.exited(0)),
        "attempt 1 is still not the current one");
    assertEquals(StepPhase.Running, status.step("hang").phase);

    clock.advanceSeconds(30);
    Plan again = engine.plan(spec, status, 1);
    assertEquals(List.of("hang"), again.stop());
    assertEquals(StepPhase.Failed, status.step("hang").phase);
    assertEquals("DeadlineExceeded", status.step("hang").reason);
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals(Reason.StepFailed.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertTrue(
        status.message.contains("Step hang failed (DeadlineExceeded) after 2 attempts"),
        status.message);
    assertFalse(engine.finished(spec, status, "hang", 2, Outcome.exited(0)));
  }

  @Test
  void repeatedOrUnknownEndsAreIgnored() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    assertFalse(
        engine.finished(spec, status, "a", 2, Outcome.exited(0)), "an attempt that never started");
    assertFalse(
        engine.finished(spec, status, "b", 1, Outcome.exited(0)), "a step that is not running");
    assertFalse(engine.finished(spec, status, "nope", 1, Outcome.exited(0)));
    assertTrue(engine.finished(spec, status, "a", 1, Outcome.exited(0)));
    assertFalse(engine.finished(spec, status, "a", 1, Outcome.exited(1)), "a repeated report");
    assertEquals(StepPhase.Succeeded, status.step("a").phase);
  }

  @Test
  void wakeAtIsNeverInThePastWhenAReadyRetryWaitsForAParallelismSlot() {
    // One slot: a fails and waits for its retry while b takes the slot. Once a's backoff is over,
    // only b's end can free the slot, so the plan must not ask to be woken at a time already past
    // (an executor sleeping until wakeAt would spin).
    WorkflowSpec spec = spec(retrying(step("a"), 1, 1, null), step("b"));
    spec.parallelism = 1;
    WorkflowStatus status = new WorkflowStatus();
    assertEquals(List.of("a"), started(engine.plan(spec, status, 1)));
    assertTrue(engine.finished(spec, status, "a", 1, Outcome.exited(1)));
    Plan bStarts = engine.plan(spec, status, 1);
    assertEquals(List.of("b"), started(bStarts));
    assertEquals(clock.instant().plusSeconds(1), bStarts.wakeAt());

    clock.advanceTo(bStarts.wakeAt());
    Plan blocked = engine.plan(spec, status, 1);
    assertEquals(List.of(), blocked.start());
    assertTrue(
        blocked.wakeAt() == null || blocked.wakeAt().isAfter(clock.instant()),
        "wakeAt " + blocked.wakeAt() + " is not after now " + clock.instant());

    assertTrue(engine.finished(spec, status, "b", 1, Outcome.exited(0)));
    assertEquals(List.of(StartKeys.of("a", 2)), StartKeys.of(engine.plan(spec, status, 1)));
  }
}
