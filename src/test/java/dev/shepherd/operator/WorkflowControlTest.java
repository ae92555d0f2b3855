package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** spec.cancel and spec.suspend, set on a running Workflow as kubectl patch or Git would. */
class WorkflowControlTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void cancelDeletesTheRunningStepsPodSkipsThePendingRunsFinallyAndEndsCancelled() {
    Workflow w = workflow("stop", step("a"), step("b", "a"));
    w.getSpec().finallySteps = new java.util.ArrayList<>(List.of(step("report")));
    h.cluster.create(w);
    h.awaitPod("stop-a-1");
    h.awaitWorkflow("stop", x -> OperatorHarness.step(x, "a").phase == StepPhase.Running);

    h.cluster.patchSpec("stop", "{\"cancel\":true}");

    h.kubelet.succeed(h.awaitPod("stop-report-1").getMetadata().getName());
    Workflow done = h.awaitWorkflow("stop", x -> x.getStatus().phase == WorkflowPhase.Cancelled);
    assertThat(done.getStatus().message).isEqualTo("Cancelled: spec.cancel is true.");
    assertThat(OperatorHarness.step(done, "a").reason).isEqualTo("Cancelled");
    assertThat(OperatorHarness.step(done, "b").phase).isEqualTo(StepPhase.Skipped);
    assertThat(OperatorHarness.step(done, "report").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(h.cluster.pod("stop-a-1")).as("the running step's Pod is deleted").isNull();
    assertThat(h.cluster.pod("stop-b-1")).isNull();
  }

  @Test
  void suspendLetsTheRunningStepFinishStartsNothingAndResumeGoesOn() {
    h.cluster.create(workflow("pause", step("a"), step("b", "a")));
    Pod a = h.awaitPod("pause-a-1");

    h.cluster.patchSpec("pause", "{\"suspend\":true}");
    h.awaitWorkflow("pause", x -> x.getStatus().phase == WorkflowPhase.Suspended);
    h.kubelet.succeed(a.getMetadata().getName());
    Workflow suspended =
        h.awaitWorkflow(
            "pause",
            x ->
                x.getStatus().phase == WorkflowPhase.Suspended
                    && OperatorHarness.step(x, "a").phase == StepPhase.Succeeded);
    // The pass that recorded a's end is the one that would have started b.
    assertThat(h.cluster.pod("pause-b-1")).isNull();
    assertThat(suspended.getStatus().message)
        .isEqualTo("Suspended: no step starts until spec.suspend is false.");

    h.cluster.patchSpec("pause", "{\"suspend\":false}");
    h.kubelet.succeed(h.awaitPod("pause-b-1").getMetadata().getName());
    h.awaitWorkflow("pause", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
  }

  /**
   * Supervisor mode: a supervisor runs the spec its Pod was made with, so a cancel set later stops
   * the Pod (SIGTERM has the supervisor cancel); a Pod made from a cancelled spec is left alone.
   */
  @Test
  void aSupervisorPodFromBeforeTheCancelIsDeletedAndOneMadeAfterItIsNot() {
    // A cluster of its own: the harness's operator would reconcile these Workflows too.
    try (TestingCluster cluster = new TestingCluster()) {
      supervisorPodsOnCancel(cluster);
    }
  }

  private static void supervisorPodsOnCancel(TestingCluster cluster) {
    TestingClock clock = new TestingClock(Instant.parse("2026-12-06T10:00:00Z"));
    SupervisorExecutor executor = SupervisorExecutorTest.executor(cluster, clock);
    TestingContext context = new TestingContext(cluster.client);

    Workflow before = cluster.create(SupervisorExecutorTest.supervised("sv-stop"));
    executor.reconcile(before, context.pass(before));
    Pod pod = cluster.pod("sv-stop-supervisor");
    assertThat(SupervisorPodBuilder.runsCancel(pod)).isFalse();
    Workflow cancelled = context.written.getLast();
    cancelled.getSpec().cancel = true;
    executor.reconcile(cancelled, context.pass(cancelled));
    assertThat(cluster.pod("sv-stop-supervisor")).as("stopped: SIGTERM").isNull();
    assertThat(cluster.events()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Cancelling"));

    Workflow after = SupervisorExecutorTest.supervised("sv-cancelled");
    after.getSpec().cancel = true;
    after = cluster.create(after);
    executor.reconcile(after, context.pass(after));
    Pod made = cluster.pod("sv-cancelled-supervisor");
    assertThat(SupervisorPodBuilder.runsCancel(made)).isTrue();
    Workflow again = context.written.getLast();
    executor.reconcile(again, context.pass(again));
    assertThat(cluster.pod("sv-cancelled-supervisor"))
        .as("its supervisor cancels itself")
        .isNotNull();
  }
}
