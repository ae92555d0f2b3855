package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.Engine;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single passes of the pod executor against a {@link TestingContext}, at the edges of the informer
 * and the API server.
 */
class PodExecutorPassTest {
  static final String NS = TestingCluster.NAMESPACE;

  private final TestingCluster cluster = new TestingCluster();
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PodExecutor executor =
      new PodExecutor(
          clock,
          new Engine(clock),
          new EventRecorder(cluster.client, clock),
          new OperatorMetrics(registry));
  private final TestingContext context = new TestingContext(cluster.client);

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aPodTheLastPassCreatedIsRunningInTheNextBeforeTheInformerHasSeenIt() {
    Workflow w = cluster.create(workflow("miss", step("a")));
    executor.reconcile(w, context.pass(w));
    Workflow cached = context.written.getLast();
    assertThat(step(cached, "a").phase).isEqualTo(StepPhase.Running);
    assertThat(cached.getMetadata().getResourceVersion())
        .as("the next pass starts from the status written")
        .isEqualTo(cluster.get("miss").getMetadata().getResourceVersion());

    int before = cluster.requests().size();
    executor.reconcile(cached, context.pass(cached));
    List<String> requests = cluster.requests().subList(before, cluster.requests().size());

    StepStatus a = step(cluster.get("miss"), "a");
    assertThat(a.phase).as("not PodDeleted").isEqualTo(StepPhase.Running);
    assertThat(a.reason).isNull();
    assertThat(cluster.pods("miss")).hasSize(1);
    assertThat(requests)
        .as("the Pod comes from the event source, not the API server")
        .noneMatch(r -> r.startsWith("GET /api/v1/namespaces/" + NS + "/pods"));
  }

  @Test
  void aPodThatExistsAlreadyIsAdoptedAndItsEndIsTheSteps() {
    Workflow w = cluster.create(workflow("adopt", step("a")));
    Pod earlier =
        cluster.client.resource(StepPodBuilder.build(w, w.getSpec().steps.getFirst(), 1)).create();

    executor.reconcile(w, context.pass(w));

    StepStatus a = step(cluster.get("adopt"), "a");
    assertThat(a.phase).isEqualTo(StepPhase.Running);
    assertThat(a.podName).isEqualTo("adopt-a-1");
    assertThat(a.attempts).isEqualTo(1);
    assertThat(cluster.pods("adopt"))
        .singleElement()
        .satisfies(
            p -> assertThat(p.getMetadata().getUid()).isEqualTo(earlier.getMetadata().getUid()));
    assertThat(registry.counter("shepherd.step.pods").count()).as("adopted, not created").isZero();

    new TestingKubelet(cluster.client, NS).succeed("adopt-a-1");
    context.pods.see(cluster.pod("adopt-a-1"));
    Workflow cached = context.written.getLast();
    executor.reconcile(cached, context.pass(cached));
    assertThat(cluster.get("adopt").getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  @Test
  void aRefusedStatusWriteFailsThePassAndItsRepeatAdoptsThePodInsteadOfStartingTheStepTwice() {
    Workflow w = cluster.create(workflow("refused", step("a")));
    cluster.refuseNext(
        "PATCH",
        "/apis/" + Workflow.API_VERSION + "/namespaces/" + NS + "/workflows/refused/status",
        409);

    assertThatThrownBy(() -> executor.reconcile(w, context.pass(w)))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(step(cluster.get("refused"), "a")).as("nothing written").isNull();
    assertThat(context.written).as("nothing cached that was not written").isEmpty();

    // JOSDK runs the pass again, on the same informer copy.
    executor.reconcile(w, context.pass(w));

    StepStatus a = step(cluster.get("refused"), "a");
    assertThat(a.phase).isEqualTo(StepPhase.Running);
    assertThat(a.attempts).isEqualTo(1);
    assertThat(cluster.pods("refused"))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("refused-a-1");
  }

  @Test
  void aStatusWriteOverAStaleCopyNeitherConflictsNorUndoesWhatChangedSince() {
    Workflow w = cluster.create(workflow("stale", step("a")));
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName("stale")
        .edit(
            x -> {
              x.getMetadata().setLabels(Map.of("team", "build"));
              return x;
            });

    executor.reconcile(w, context.pass(w));

    Workflow stored = cluster.get("stale");
    assertThat(stored.getMetadata().getLabels()).containsEntry("team", "build");
    assertThat(step(stored, "a").phase).isEqualTo(StepPhase.Running);
    assertThat(context.written.getLast().getMetadata().getResourceVersion())
        .isEqualTo(stored.getMetadata().getResourceVersion());
  }
}
