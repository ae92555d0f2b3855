package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.CarriedManifest;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retry in place, asked for with one merge patch of spec.retryGeneration, in both executors. */
class RetryInPlaceTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aFailedWorkflowRetriedRunsItsFailedStepsInNewPodsAndKeepsTheOthers() {
    h.cluster.create(workflow("again", step("a"), step("b", "a"), step("c", "b")));
    h.kubelet.succeed(h.awaitPod("again-a-1").getMetadata().getName());
    h.kubelet.fail(h.awaitPod("again-b-1").getMetadata().getName(), 3);
    h.awaitWorkflow("again", x -> x.getStatus().phase == WorkflowPhase.Failed);

    h.cluster.patchSpec("again", "{\"retryGeneration\":1}");

    Pod b = h.awaitPod("again-b-1-retry1");
    assertThat(b.getMetadata().getLabels()).containsEntry(StepPodBuilder.RETRY_LABEL, "1");
    assertThat(h.cluster.pod("again-b-1")).as("the first run's Pod stays").isNotNull();
    h.kubelet.succeed(b.getMetadata().getName());
    h.kubelet.succeed(h.awaitPod("again-c-1-retry1").getMetadata().getName());
    Workflow done = h.awaitWorkflow("again", x -> x.getStatus().phase == WorkflowPhase.Succeeded);

    StepStatus a = OperatorHarness.step(done, "a");
    assertThat(a.podName).as("not run again").isEqualTo("again-a-1");
    assertThat(OperatorHarness.step(done, "b").podName).isEqualTo("again-b-1-retry1");
    assertThat(done.getStatus().retries).hasSize(1);
    assertThat(done.getStatus().retries.getFirst().steps).containsExactly("b", "c");
    assertThat(h.cluster.events())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("Retrying");
              assertThat(e.getMessage()).isEqualTo("Retry 1: running 2 steps again.");
            });

    h.cluster.patchSpec("again", "{\"retryGeneration\":2}");
    Workflow refused =
        h.awaitWorkflow(
            "again", x -> x.getStatus().retries != null && x.getStatus().retries.size() == 2);
    assertThat(refused.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(refused.getStatus().retries.getLast().refused)
        .isEqualTo("the workflow Succeeded: there is nothing to retry.");
    assertThat(h.cluster.events())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RetryRefused"));
  }

  /**
   * Supervisor mode: the controller takes the retry (the supervisor of the failed run is gone),
   * writes the reset status and starts a supervisor Pod of the retry's own name, which goes on from
   * the stored status.
   */
  @Test
  void aSupervisorRetryStartsASupervisorOfItsOwnThatGoesOnFromTheStoredStatus() {
    try (TestingCluster cluster = new TestingCluster()) {
      TestingClock clock = new TestingClock(Instant.parse("2026-12-06T10:00:00Z"));
      SupervisorExecutor executor = SupervisorExecutorTest.executor(cluster, clock);
      TestingContext context = new TestingContext(cluster.client);
      Workflow w = cluster.create(SupervisorExecutorTest.supervised("sv-again"));
      WorkflowStatus failed = new WorkflowStatus();
      failed.phase = WorkflowPhase.Failed;
      failed.startedAt = "2026-12-06T09:00:00Z";
      failed.finishedAt = "2026-12-06T09:01:00Z";
      failed.steps =
          new ArrayList<>(List.of(ended("a", StepPhase.Succeeded), ended("b", StepPhase.Failed)));
      w.setStatus(failed);
      w = cluster.client.resource(w).updateStatus();
      w.getSpec().retryGeneration = 4L;

      executor.reconcile(w, context.pass(w));

      Workflow stored = cluster.get("sv-again");
      assertThat(stored.getStatus().phase).isEqualTo(WorkflowPhase.Pending);
      assertThat(stored.getStatus().finishedAt).isNull();
      assertThat(stored.getStatus().step("a").phase).isEqualTo(StepPhase.Succeeded);
      assertThat(stored.getStatus().step("b").phase).isEqualTo(StepPhase.Pending);
      assertThat(stored.getStatus().retries.getFirst().generation).isEqualTo(4);
      Pod pod = cluster.pod("sv-again-supervisor-retry4");
      assertThat(pod).as("the retry's supervisor").isNotNull();
      assertThat(pod.getSpec().getContainers().getFirst().getEnv())
          .extracting(EnvVar::getName, EnvVar::getValue)
          .contains(org.assertj.core.groups.Tuple.tuple(CarriedManifest.RETRY_ENV, "4"));
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("sv-again-supervisor");

      Workflow next = cluster.get("sv-again");
      next.getSpec().retryGeneration = 4L;
      executor.reconcile(next, context.pass(next));
      assertThat(cluster.get("sv-again").getStatus().phase)
          .as("the next pass finds the retry's Pod, not the first run's, and waits for it")
          .isEqualTo(WorkflowPhase.Pending);
      assertThat(cluster.get("sv-again").getStatus().retries).hasSize(1);
    }
  }

  private static StepStatus ended(String name, StepPhase phase) {
    StepStatus st = new StepStatus(name);
    st.phase = phase;
    st.attempts = 1;
    st.exitCode = phase == StepPhase.Succeeded ? 0 : 1;
    return st;
  }
}
