package dev.shepherd.operator;

import static dev.shepherd.operator.SupervisorExecutorTest.supervised;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shepherd.api.Param;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.Engine;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single passes of the supervisor executor against a {@link TestingContext}, at the edges of the
 * informer and the API server.
 */
class SupervisorExecutorPassTest {
  static final String NS = TestingCluster.NAMESPACE;

  private final TestingCluster cluster = new TestingCluster();
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SupervisorExecutor executor =
      new SupervisorExecutor(
          clock,
          new Engine(clock),
          new EventRecorder(cluster.client, clock),
          new OperatorMetrics(registry),
          SupervisorPodBuilder.DEFAULT_IMAGE);
  private final TestingContext context = new TestingContext(cluster.client);

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aPodTheLastPassCreatedIsNotStartedAgainBeforeTheInformerHasSeenIt() {
    Workflow w = cluster.create(supervised("miss"));
    executor.reconcile(w, context.pass(w));
    String uid = cluster.pod("miss-supervisor").getMetadata().getUid();
    Workflow cached = context.written.getLast();
    assertThat(cached.getStatus().observedGeneration).isEqualTo(1L);

    int before = cluster.requests().size();
    executor.reconcile(cached, context.pass(cached));
    List<String> requests = cluster.requests().subList(before, cluster.requests().size());

    assertThat(started()).as("one start").isEqualTo(1.0);
    assertThat(context.managedWorkflowRuns).isEqualTo(1);
    assertThat(cluster.pod("miss-supervisor").getMetadata().getUid()).isEqualTo(uid);
    assertThat(cluster.get("miss").getStatus().phase).as("not taken over as deleted").isNull();
    assertThat(requests)
        .as("the Pod comes from the event source, not the API server")
        .noneMatch(r -> r.startsWith("GET /api/v1/namespaces/" + NS + "/pods"));
  }

  @Test
  void aPodThatExistsAlreadyIsAdopted() {
    Workflow w = cluster.create(supervised("adopt"));
    Pod earlier =
        cluster
            .client
            .resource(SupervisorPodBuilder.build(w, SupervisorPodBuilder.DEFAULT_IMAGE))
            .create();

    executor.reconcile(w, context.pass(w));

    assertThat(cluster.pods("adopt"))
        .singleElement()
        .satisfies(
            p -> assertThat(p.getMetadata().getUid()).isEqualTo(earlier.getMetadata().getUid()));
    assertThat(registry.counter("shepherd.step.pods").count()).as("adopted, not created").isZero();
    assertThat(cluster.get("adopt").getStatus().observedGeneration).isEqualTo(1L);
    assertThat(cluster.events()).extracting(e -> e.getReason()).containsExactly("Started");
  }

  @Test
  void aRefusedStatusWriteFailsThePassAndItsRepeatDoesNotStartTheWorkflowAgain() {
    Workflow w = cluster.create(supervised("refused"));
    cluster.refuseNext(
        "PATCH",
        "/apis/" + Workflow.API_VERSION + "/namespaces/" + NS + "/workflows/refused/status",
        409);

    assertThatThrownBy(() -> executor.reconcile(w, context.pass(w)))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(context.written).as("nothing cached that was not written").isEmpty();

    // JOSDK runs the pass again, on the same informer copy.
    executor.reconcile(w, context.pass(w));

    assertThat(cluster.get("refused").getStatus().observedGeneration).isEqualTo(1L);
    assertThat(started()).isEqualTo(1.0);
    assertThat(cluster.pods("refused")).hasSize(1);
  }

  @Test
  void theControllersWriteAfterTheSupervisorsKeepsTheSupervisorsFields() {
    cluster.create(supervised("both"));
    Workflow w = cluster.get("both");
    executor.reconcile(w, context.pass(w));
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName("both")
        .edit(
            x -> {
              x.getSpec().params = List.of(new Param("X", "1"));
              return x;
            });
    Workflow informerCopy = cluster.get("both");
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName("both")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            """
            {"status":{"phase":"Running","progress":"0/2","startedAt":"2026-11-29T10:00:01Z","message":"Running a.",
             "steps":[{"name":"a","phase":"Running","attempts":1},{"name":"b","phase":"Pending","attempts":0}]}}""");
    context.pods.see(cluster.pod("both-supervisor"));

    executor.reconcile(informerCopy, context.pass(informerCopy));

    Workflow stored = cluster.get("both");
    assertThat(stored.getStatus().observedGeneration).isEqualTo(2L);
    assertThat(stored.getStatus().phase).isEqualTo(WorkflowPhase.Running);
    assertThat(stored.getStatus().message).isEqualTo("Running a.");
    assertThat(OperatorHarness.step(stored, "a").phase).isEqualTo(StepPhase.Running);
    assertThat(context.written.getLast().getStatus().phase)
        .as("cached as stored")
        .isEqualTo(WorkflowPhase.Running);
  }

  private double started() {
    return registry.counter("shepherd.workflows.started").count();
  }
}
