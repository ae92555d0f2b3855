package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.PodGCStrategy;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HousekeepingTest {
  static final Instant END = Instant.parse("2026-11-29T10:00:00Z");

  static WorkflowStatus ended(WorkflowPhase phase) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = phase;
    s.finishedAt = Timestamps.format(END);
    return s;
  }

  static WorkflowSpec ttl(Long seconds) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.ttlSecondsAfterFinished = seconds;
    return spec;
  }

  @Property
  void aFinishedWorkflowIsDeletedExactlyFromFinishedAtPlusItsTtl(
      @ForAll @LongRange(max = 31_536_000) long ttl,
      @ForAll @LongRange(min = -100_000, max = 100_000) long secondsFromExpiry) {
    Instant expiry = END.plusSeconds(ttl);
    Instant now = expiry.plusSeconds(secondsFromExpiry);
    Housekeeping.Ttl decision =
        Housekeeping.ttl(ttl(ttl), ended(WorkflowPhase.Succeeded), null, now);
    if (now.isBefore(expiry)) {
      assertThat(decision).isEqualTo(new Housekeeping.Ttl.WakeAt(expiry));
    } else {
      assertThat(decision).isEqualTo(new Housekeeping.Ttl.Delete());
    }
  }

  @Test
  void theSpecsTtlWinsOverTheOperatorsDefaultWhichAppliesWithoutIt() {
    Duration dflt = Duration.ofSeconds(100);
    WorkflowStatus failed = ended(WorkflowPhase.Failed);
    assertThat(Housekeeping.ttl(ttl(10L), failed, dflt, END))
        .isEqualTo(new Housekeeping.Ttl.WakeAt(END.plusSeconds(10)));
    assertThat(Housekeeping.ttl(ttl(null), failed, dflt, END))
        .isEqualTo(new Housekeeping.Ttl.WakeAt(END.plusSeconds(100)));
    assertThat(Housekeeping.ttl(ttl(0L), failed, dflt, END))
        .isEqualTo(new Housekeeping.Ttl.Delete());
    assertThat(Housekeeping.ttl(ttl(null), failed, null, END.plusSeconds(999_999)))
        .isEqualTo(new Housekeeping.Ttl.Keep());
  }

  @Test
  void aWorkflowThatHasNotFinishedIsKeptWhateverItsTtl() {
    WorkflowStatus running = new WorkflowStatus();
    running.phase = WorkflowPhase.Running;
    assertThat(Housekeeping.ttl(ttl(0L), running, Duration.ZERO, END))
        .isEqualTo(new Housekeeping.Ttl.Keep());
    assertThat(Housekeeping.ttl(ttl(0L), null, Duration.ZERO, END))
        .isEqualTo(new Housekeeping.Ttl.Keep());
  }

  static WorkflowStatus running(StepStatus... steps) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = WorkflowPhase.Running;
    s.steps.addAll(java.util.List.of(steps));
    return s;
  }

  static StepStatus step(String name, StepPhase phase, int attempts) {
    StepStatus s = new StepStatus(name);
    s.phase = phase;
    s.attempts = attempts;
    return s;
  }

  /**
   * While the workflow runs, the Pod of an attempt the status has running (or not yet started)
   * never goes, whatever the strategy and the Pod's own phase; an attempt before the last one has
   * ended.
   */
  @Property
  void theRunningAttemptsPodNeverGoesAndAnEarlierAttemptsMay(
      @ForAll PodGCStrategy strategy,
      @ForAll @IntRange(min = 1, max = 20) int attempts,
      @ForAll @IntRange(min = 1, max = 25) int podAttempt,
      @ForAll boolean podSucceeded) {
    WorkflowStatus status = running(step("s", StepPhase.Running, attempts));
    boolean mayGo = Housekeeping.stepPodMayGo(strategy, status, "s", podAttempt, podSucceeded);
    boolean earlier = podAttempt < attempts;
    boolean expected =
        earlier
            && (strategy == PodGCStrategy.OnPodCompletion
                || strategy == PodGCStrategy.OnPodSuccess && podSucceeded);
    assertThat(mayGo).isEqualTo(expected);
  }

  /** Each strategy lets go at least what the one before it in this order does. */
  @Property
  void strategiesAreOrderedNeverOnPodSuccessOnPodCompletion(
      @ForAll StepPhase phase,
      @ForAll @IntRange(max = 5) int attempts,
      @ForAll @IntRange(min = 1, max = 6) int podAttempt,
      @ForAll boolean podSucceeded,
      @ForAll WorkflowPhase workflowPhase) {
    WorkflowStatus status = running(step("s", phase, attempts));
    status.phase = workflowPhase;
    boolean never = Housekeeping.stepPodMayGo(PodGCStrategy.Never, status, "s", podAttempt, true);
    boolean success =
        Housekeeping.stepPodMayGo(
            PodGCStrategy.OnPodSuccess, status, "s", podAttempt, podSucceeded);
    boolean completion =
        Housekeeping.stepPodMayGo(
            PodGCStrategy.OnPodCompletion, status, "s", podAttempt, podSucceeded);
    boolean workflow =
        Housekeeping.stepPodMayGo(
            PodGCStrategy.OnWorkflowCompletion, status, "s", podAttempt, podSucceeded);
    assertThat(never).isFalse();
    assertThat(!success || completion).as("OnPodSuccess within OnPodCompletion").isTrue();
    assertThat(workflow).isEqualTo(workflowPhase.isFinal());
    if (workflowPhase.isFinal()) {
      assertThat(completion).as("every attempt of a finished workflow has ended").isTrue();
    }
  }

  @Test
  void aLastAttemptThatEndedMayGoOnceTheStatusSaysSo() {
    for (StepPhase phase : StepPhase.values()) {
      WorkflowStatus status = running(step("s", phase, 2));
      boolean ended = phase != StepPhase.Running && phase != StepPhase.Pending;
      assertThat(Housekeeping.stepPodMayGo(PodGCStrategy.OnPodCompletion, status, "s", 2, false))
          .as(phase.name())
          .isEqualTo(ended);
    }
    assertThat(
            Housekeeping.stepPodMayGo(PodGCStrategy.OnPodCompletion, running(), "unknown", 1, true))
        .as("a step the status does not list")
        .isFalse();
  }

  @Test
  void aLoopInstanceHasEndedWhenItIsRetryingOrNoLongerListed() {
    StepStatus loop = step("l", StepPhase.Running, 0);
    loop.loop = new LoopStatus(5);
    loop.loop.started = 3;
    RunStatus running = new RunStatus(LoopStatus.instanceName("l", 2));
    running.phase = StepPhase.Running;
    running.attempts = 1;
    RunStatus retrying = new RunStatus(LoopStatus.instanceName("l", 1));
    retrying.phase = StepPhase.Retrying;
    retrying.attempts = 1;
    loop.loop.instances.add(running);
    loop.loop.instances.add(retrying);
    WorkflowStatus status = running(loop);
    PodGCStrategy s = PodGCStrategy.OnPodCompletion;

    assertThat(Housekeeping.stepPodMayGo(s, status, "l[0]", 1, true))
        .as("ended, unlisted")
        .isTrue();
    assertThat(Housekeeping.stepPodMayGo(s, status, "l[1]", 1, false)).as("retrying").isTrue();
    assertThat(Housekeeping.stepPodMayGo(s, status, "l[2]", 1, false)).as("running").isFalse();
    assertThat(Housekeeping.stepPodMayGo(s, status, "l[3]", 1, false)).as("not started").isFalse();
  }

  @Test
  void theSupervisorPodGoesOnlyOnceItAndTheWorkflowHaveEnded() {
    WorkflowStatus running = new WorkflowStatus();
    running.phase = WorkflowPhase.Running;
    for (PodGCStrategy strategy : PodGCStrategy.values()) {
      assertThat(Housekeeping.supervisorPodMayGo(strategy, running, true)).isFalse();
      assertThat(Housekeeping.supervisorPodMayGo(strategy, null, true)).isFalse();
      assertThat(Housekeeping.supervisorPodMayGo(strategy, ended(WorkflowPhase.Failed), false))
          .as("a Pod still running, though the status is final")
          .isFalse();
    }
    WorkflowStatus succeeded = ended(WorkflowPhase.Succeeded);
    WorkflowStatus failed = ended(WorkflowPhase.Failed);
    assertThat(Housekeeping.supervisorPodMayGo(PodGCStrategy.Never, succeeded, true)).isFalse();
    assertThat(Housekeeping.supervisorPodMayGo(PodGCStrategy.OnWorkflowCompletion, failed, true))
        .isTrue();
    assertThat(Housekeeping.supervisorPodMayGo(PodGCStrategy.OnPodCompletion, failed, true))
        .isTrue();
    assertThat(Housekeeping.supervisorPodMayGo(PodGCStrategy.OnPodSuccess, failed, true)).isFalse();
    assertThat(Housekeeping.supervisorPodMayGo(PodGCStrategy.OnPodSuccess, succeeded, true))
        .isTrue();
  }
}
