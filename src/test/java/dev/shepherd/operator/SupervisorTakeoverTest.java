package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Conditions;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Timestamps;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The controller's takeover of a dead supervisor's status, and how a supervisor Pod's end is read.
 */
class SupervisorTakeoverTest {
  static final KubernetesSerialization JSON = new KubernetesSerialization();
  final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:05:00Z"));
  final SupervisorTakeover takeover = new SupervisorTakeover(new Engine(clock));

  static WorkflowSpec spec(Step... steps) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "debian:13-slim";
    spec.steps = new ArrayList<>(List.of(steps));
    return spec;
  }

  static StepStatus st(String name, StepPhase phase, int attempts) {
    StepStatus s = new StepStatus(name);
    s.phase = phase;
    s.attempts = attempts;
    if (phase != StepPhase.Pending) {
      s.startedAt = "2026-11-29T10:00:00Z";
    }
    if (phase.isFinal() || phase == StepPhase.Retrying) {
      s.finishedAt = "2026-11-29T10:01:00Z";
    }
    return s;
  }

  static WorkflowStatus running(StepStatus... steps) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = WorkflowPhase.Running;
    s.startedAt = "2026-11-29T10:00:00Z";
    s.observedGeneration = 3L;
    s.steps = new ArrayList<>(List.of(steps));
    long done = s.steps.stream().filter(x -> x.phase.isFinal()).count();
    s.progress = done + "/" + steps.length;
    return s;
  }

  static SupervisorPodOutcome oom(String terminationMessage) {
    return new SupervisorPodOutcome(
        "OOMKilled", "The supervisor exited with code 137 (OOMKilled).", terminationMessage, false);
  }

  @Test
  void everyUnfinishedStepEndsWithThePodsReasonAndTheWorkflowFails() {
    Step retried = step("c");
    retried.retry = new Retry(3, 10, null);
    WorkflowSpec spec = spec(step("a"), step("b"), retried, step("d", "a"));
    StepStatus c = st("c", StepPhase.Retrying, 1);
    c.exitCode = 3;
    WorkflowStatus stored =
        running(
            st("a", StepPhase.Running, 1),
            st("b", StepPhase.Succeeded, 1),
            c,
            st("d", StepPhase.Pending, 0));

    WorkflowStatus after = takeover.takeOver(spec, stored, oom(null), 3, JSON);

    assertThat(after.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(after.step("a").phase).isEqualTo(StepPhase.Failed);
    assertThat(after.step("a").reason).isEqualTo("OOMKilled");
    assertThat(after.step("a").exitCode).isNull();
    assertThat(after.step("a").finishedAt).isEqualTo("2026-11-29T10:05:00Z");
    assertThat(after.step("b").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(after.step("c").phase)
        .as("no retry without a supervisor")
        .isEqualTo(StepPhase.Failed);
    assertThat(after.step("c").exitCode).isEqualTo(3);
    assertThat(after.step("c").message).startsWith("Not retried");
    assertThat(after.step("d").phase).isEqualTo(StepPhase.Skipped);
    assertThat(after.progress).isEqualTo("4/4");
    assertThat(after.finishedAt).isEqualTo("2026-11-29T10:05:00Z");
    assertThat(after.message).contains("OOMKilled").contains("Step a failed");
    assertThat(Conditions.find(after, Conditions.FAILED).getMessage()).isEqualTo(after.message);
    assertThat(after.observedGeneration).isEqualTo(3L);
    assertThat(stored.step("a").phase).as("the input is not changed").isEqualTo(StepPhase.Running);
  }

  /**
   * The times the takeover writes (java.time) are RFC 3339 at the engine's precision ({@link
   * Timestamps}, which the supervisor writes them with): whole milliseconds, no fraction for none.
   */
  @Test
  void stepTimesAreWrittenAsTheEngineWritesThem() {
    for (String now :
        List.of(
            "2026-11-29T10:05:00Z",
            "2026-11-29T10:05:00.000999Z",
            "2026-11-29T10:05:00.010Z",
            "2026-11-29T10:05:00.123456789Z",
            "2026-11-29T10:05:00.5Z")) {
      clock.advanceTo(Instant.parse(now));
      WorkflowStatus after =
          takeover.takeOver(
              spec(step("a")), running(st("a", StepPhase.Running, 1)), oom(null), 3, JSON);
      assertThat(after.step("a").finishedAt)
          .as(now)
          .isEqualTo(Timestamps.format(Instant.parse(now)))
          .isEqualTo(after.finishedAt);
    }
    assertThat(Timestamps.format(Instant.parse("2026-11-29T10:05:00.123456789Z")))
        .isEqualTo("2026-11-29T10:05:00.123Z");
  }

  @Test
  void theTakeoverIsTheEnginesAbortOfTheStoredStatusWithNothingOfItsOwn() {
    Step retried = step("c");
    retried.retry = new Retry(3, 10, null);
    WorkflowSpec spec = spec(step("a"), step("b"), retried, step("d", "a"), step("e"));
    StepStatus c = st("c", StepPhase.Retrying, 1);
    c.exitCode = 3;
    // Out of spec order, with a step the spec no longer has, and none for e.
    WorkflowStatus stored =
        running(
            c,
            st("a", StepPhase.Running, 1),
            st("old", StepPhase.Running, 1),
            st("b", StepPhase.Succeeded, 1),
            st("d", StepPhase.Pending, 0));
    SupervisorPodOutcome pod = oom(null);

    WorkflowStatus after = takeover.takeOver(spec, stored, pod, 3, JSON);

    WorkflowStatus aborted = JSON.clone(stored);
    new Engine(clock).abort(spec, aborted, SupervisorTakeover.abort(pod), 3);
    assertThat(after).isEqualTo(aborted);
    assertThat(after.steps).extracting(s -> s.name).containsExactly("a", "b", "c", "d", "e");
    assertThat(after.message)
        .isEqualTo(
            "The supervisor Pod failed (OOMKilled): The supervisor exited with code 137"
                + " (OOMKilled). Step a failed (OOMKilled) after 1 attempt; 1 more failed; 2 steps were skipped.");
  }

  @Test
  void aPodThatNeverStartedSkipsEveryStepOfTheSpec() {
    WorkflowStatus after =
        takeover.takeOver(
            spec(step("a"), step("b", "a")),
            null,
            new SupervisorPodOutcome("InvalidImageName", "bad image name", null, true),
            1,
            JSON);
    assertThat(after.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(after.steps)
        .extracting(s -> s.phase)
        .containsExactly(StepPhase.Skipped, StepPhase.Skipped);
    assertThat(after.message).contains("InvalidImageName").contains("bad image name");
  }

  @Test
  void aNewerTerminationMessageIsMergedAndAnOlderOneIgnored() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"));
    WorkflowStatus stored = running(st("a", StepPhase.Running, 1), st("b", StepPhase.Pending, 0));
    String newer =
        "{\"phase\":\"Running\",\"progress\":\"1/2\",\"steps\":[{\"name\":\"a\",\"phase\":\"Succeeded\","
            + "\"exitCode\":0,\"attempts\":1},{\"name\":\"b\",\"phase\":\"Running\",\"attempts\":1}]}";
    WorkflowStatus after = takeover.takeOver(spec, stored, oom(newer), 3, JSON);
    assertThat(after.step("a").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(after.step("b").phase).isEqualTo(StepPhase.Failed);
    assertThat(after.step("b").reason).isEqualTo("OOMKilled");

    WorkflowStatus ahead = running(st("a", StepPhase.Succeeded, 1), st("b", StepPhase.Running, 1));
    String older =
        "{\"phase\":\"Running\",\"progress\":\"0/2\",\"steps\":[{\"name\":\"a\",\"phase\":\"Running\","
            + "\"attempts\":1}]}";
    after = takeover.takeOver(spec, ahead, oom(older), 3, JSON);
    assertThat(after.step("a").phase).isEqualTo(StepPhase.Succeeded);
  }

  @Test
  void aCutTerminationMessageIsIgnored() {
    String whole =
        "{\"phase\":\"Succeeded\",\"progress\":\"1/1\",\"steps\":[{\"name\":\"a\",\"phase\":\"Succeeded\"}]}";
    assertThat(SupervisorTakeover.parse(whole, JSON)).isPresent();
    assertThat(SupervisorTakeover.parse(whole.substring(0, whole.length() - 7), JSON)).isEmpty();
    assertThat(SupervisorTakeover.parse("Error: no such file", JSON)).isEmpty();
    WorkflowStatus after =
        takeover.takeOver(
            spec(step("a")),
            running(st("a", StepPhase.Running, 1)),
            oom(whole.substring(0, 60)),
            3,
            JSON);
    assertThat(after.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(after.step("a").reason).isEqualTo("OOMKilled");
  }

  @Test
  void aFinalTerminationMessageIsTheResultAndStepsItLeftOutCountAsSucceeded() {
    WorkflowSpec spec = spec(step("a"), step("b", "a"), step("c", "b"));
    WorkflowStatus stored =
        running(
            st("a", StepPhase.Running, 1),
            st("b", StepPhase.Pending, 0),
            st("c", StepPhase.Pending, 0));
    // Shortened by the supervisor: Succeeded steps left out, progress still counts them.
    String last =
        "{\"phase\":\"Failed\",\"progress\":\"3/3\",\"message\":\"Step c failed with exit code 1 after 1 attempt.\","
            + "\"finishedAt\":\"2026-11-29T10:02:00Z\",\"steps\":[{\"name\":\"c\",\"phase\":\"Failed\",\"exitCode\":1,\"attempts\":1}]}";
    WorkflowStatus after = takeover.takeOver(spec, stored, oom(last), 3, JSON);
    assertThat(after.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(after.message).isEqualTo("Step c failed with exit code 1 after 1 attempt.");
    assertThat(after.finishedAt).isEqualTo("2026-11-29T10:02:00Z");
    assertThat(after.step("c").exitCode).isEqualTo(1);
    assertThat(after.step("a").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(after.step("b").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(after.observedGeneration).isEqualTo(3L);
  }

  // ---- SupervisorPodOutcome

  static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("wf-supervisor").endMetadata();
  }

  /**
   * A supervisor that could not start at all (the runtime is x86-64, the node is not): the
   * workflow's message says what the container runtime said, and why, instead of only an exit code.
   */
  @Test
  void aSupervisorThatCouldNotStartNamesTheReasonInTheMessage() {
    Pod wrongArch =
        supervisorEnded(
            "Failed",
            128,
            "StartError",
            "failed to create containerd task: exec: \"/shepherd/glibc/ld-linux-x86-64.so.2\":"
                + " exec format error");
    assertThat(SupervisorPodOutcome.of(wrongArch, Instant.parse("2026-11-29T10:00:00Z")))
        .get()
        .satisfies(
            o -> {
              assertThat(o.reason()).isEqualTo("StartError");
              assertThat(o.message())
                  .contains("exited with code 128 (StartError)")
                  .contains("exec format error")
                  .contains("built for x86-64");
            });
  }

  @Test
  void theOutcomeOfAPodNamesThePodsReasonFirstThenTheContainersThenTheInitContainers() {
    Instant now = Instant.parse("2026-11-29T10:00:00Z");
    Pod evicted =
        pod()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("Evicted")
            .withMessage("low on memory")
            .endStatus()
            .build();
    assertThat(SupervisorPodOutcome.of(evicted, now))
        .get()
        .satisfies(
            o -> {
              assertThat(o.reason()).isEqualTo("Evicted");
              assertThat(o.message()).isEqualTo("low on memory");
              assertThat(o.podLives()).isFalse();
            });
    Pod oom = supervisorEnded("Failed", 137, "OOMKilled", "{\"phase\":\"Running\"}");
    assertThat(SupervisorPodOutcome.of(oom, now))
        .get()
        .satisfies(
            o -> {
              assertThat(o.reason()).isEqualTo("OOMKilled");
              assertThat(o.terminationMessage()).isEqualTo("{\"phase\":\"Running\"}");
            });
    Pod initFailed =
        pod()
            .withNewStatus()
            .withPhase("Failed")
            .withInitContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("install-shepherd")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(1)
                    .withReason("Error")
                    .withMessage("cp: cannot create directory")
                    .endTerminated()
                    .endState()
                    .build())
            .endStatus()
            .build();
    assertThat(SupervisorPodOutcome.of(initFailed, now))
        .get()
        .satisfies(
            o -> {
              assertThat(o.reason()).isEqualTo("Error");
              assertThat(o.message())
                  .contains("install-shepherd")
                  .contains("cp: cannot create directory");
            });
    Pod exitedZero = supervisorEnded("Succeeded", 0, "Completed", null);
    assertThat(SupervisorPodOutcome.of(exitedZero, now))
        .get()
        .satisfies(
            o ->
                assertThat(o.reason())
                    .as("an unreported end is never a success")
                    .isEqualTo("Error"));
    Pod stopping =
        pod()
            .editMetadata()
            .withDeletionTimestamp("2026-11-29T10:00:00Z")
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();
    assertThat(SupervisorPodOutcome.of(stopping, now))
        .as("the supervisor gets its grace period to report")
        .isEmpty();
  }

  @Test
  void aPullFailureCountsOnlyAfterFiveMinutesButAnInvalidNameAtOnce() {
    Pod pulling =
        pod()
            .withNewStatus()
            .withPhase("Pending")
            .withConditions(
                new PodConditionBuilder()
                    .withType("PodScheduled")
                    .withStatus("True")
                    .withLastTransitionTime("2026-11-29T10:00:00Z")
                    .build())
            .withInitContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("install-shepherd")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ErrImagePull")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();
    assertThat(SupervisorPodOutcome.pullDeadline(pulling))
        .isEqualTo(Instant.parse("2026-11-29T10:05:00Z"));
    assertThat(SupervisorPodOutcome.of(pulling, Instant.parse("2026-11-29T10:04:59Z"))).isEmpty();
    assertThat(SupervisorPodOutcome.of(pulling, Instant.parse("2026-11-29T10:05:00Z")))
        .get()
        .satisfies(
            o -> {
              assertThat(o.reason()).isEqualTo("ErrImagePull");
              assertThat(o.podLives()).isTrue();
            });
    Pod invalid =
        pod()
            .withNewStatus()
            .withPhase("Pending")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("supervisor")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("InvalidImageName")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();
    assertThat(SupervisorPodOutcome.of(invalid, Instant.parse("2026-11-29T10:00:00Z")))
        .get()
        .satisfies(o -> assertThat(o.reason()).isEqualTo("InvalidImageName"));
  }

  // ---- SupervisorPodBuilder

  @Test
  void longWorkflowNamesAreShortenedWithAHashAndStayDistinct() {
    String a = "w".repeat(60) + "-a";
    String b = "w".repeat(60) + "-b";
    assertThat(SupervisorPodBuilder.name("short")).isEqualTo("short-supervisor");
    assertThat(SupervisorPodBuilder.name(a))
        .hasSizeLessThanOrEqualTo(63)
        .isNotEqualTo(SupervisorPodBuilder.name(b));
  }

  @Test
  void theContainerGetsTheLargestRequestAndLimitOfAnyStep() {
    Step small = step("small");
    small.resources =
        new ResourceRequirementsBuilder()
            .addToRequests("memory", new Quantity("128Mi"))
            .addToLimits("memory", new Quantity("1Gi"))
            .build();
    Step big = step("big");
    big.resources =
        new ResourceRequirementsBuilder()
            .addToRequests("memory", new Quantity("512Mi"))
            .addToRequests("cpu", new Quantity("500m"))
            .addToLimits("memory", new Quantity("768Mi"))
            .build();
    var r = SupervisorPodBuilder.resources(spec(small, big, step("none")));
    assertThat(r.getRequests())
        .containsEntry("memory", new Quantity("512Mi"))
        .containsEntry("cpu", new Quantity("500m"));
    assertThat(r.getLimits()).containsEntry("memory", new Quantity("1Gi"));
    assertThat(SupervisorPodBuilder.resources(spec(step("none")))).isNull();
  }

  /** A supervisor Pod in {@code phase} whose supervisor container ended so. */
  private Pod supervisorEnded(String phase, int exitCode, String reason, String message) {
    return pod()
        .withStatus(SupervisorExecutorTest.terminated(phase, null, null, exitCode, reason, message))
        .build();
  }
}
