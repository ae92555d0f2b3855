package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Concurrency;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** spec.concurrency: one Workflow of a key at a time, the others waiting in creation order. */
class ConcurrencyTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  private static Workflow deploy(String name) {
    Workflow w = workflow(name, step("a"));
    w.getSpec().concurrency = new Concurrency();
    w.getSpec().concurrency.key = "deploy";
    return w;
  }

  @Test
  void oneAtATimeTheOthersQueuedInCreationOrder() {
    h.cluster.create(deploy("first"));
    String firstPod = h.awaitPod("first-a-1").getMetadata().getName();
    h.cluster.create(deploy("second"));
    h.cluster.create(deploy("third"));

    Workflow third =
        h.awaitWorkflow(
            "third",
            x ->
                x.getStatus() != null
                    && x.getStatus().message != null
                    && x.getStatus().message.contains("place 2"));
    assertThat(third.getStatus().phase).isEqualTo(WorkflowPhase.Pending);
    assertThat(third.getStatus().message)
        .isEqualTo("Queued for concurrency key deploy: 1 of 1 running; place 2 in the queue.");
    Workflow second =
        h.awaitWorkflow(
            "second",
            x ->
                x.getStatus() != null
                    && x.getStatus().message != null
                    && x.getStatus().message.contains("place 1"));
    assertThat(h.cluster.pod("second-a-1")).as("queued: no Pod").isNull();

    h.kubelet.succeed(firstPod);
    h.kubelet.succeed(h.awaitPod("second-a-1").getMetadata().getName());
    h.awaitWorkflow("second", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    h.kubelet.succeed(h.awaitPod("third-a-1").getMetadata().getName());
    h.awaitWorkflow("third", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(second.getStatus().conditions)
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("Queued"));
  }

  @Test
  void anotherKeyDoesNotWait() {
    h.cluster.create(deploy("one"));
    h.awaitPod("one-a-1");
    Workflow other = deploy("other");
    other.getSpec().concurrency.key = "report";
    h.cluster.create(other);
    h.awaitPod("other-a-1");
  }

  /**
   * A queued supervisor-mode Workflow gets its Pod once admitted: the queue's Pending is not taken
   * for the supervisor's report (which made the controller take over as if its Pod was deleted).
   */
  @Test
  void aQueuedSupervisorWorkflowGetsItsPodOnceAdmitted() {
    h.cluster.create(deploy("pod-first"));
    String first = h.awaitPod("pod-first-a-1").getMetadata().getName();
    Workflow supervised = deploy("sv-second");
    supervised.getSpec().executor = dev.shepherd.api.Executor.SUPERVISOR;
    supervised.getSpec().image = "busybox:1.36";
    supervised.getSpec().steps.getFirst().command = java.util.List.of("true");
    h.cluster.create(supervised);
    h.awaitWorkflow(
        "sv-second",
        x -> x.getStatus() != null && dev.shepherd.engine.Engine.queued(x.getStatus()));

    h.kubelet.succeed(first);

    h.awaitPod("sv-second-supervisor");
    assertThat(h.cluster.get("sv-second").getStatus().phase).isNotEqualTo(WorkflowPhase.Failed);
  }
}
