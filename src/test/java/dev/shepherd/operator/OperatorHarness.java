package dev.shepherd.operator;

import static org.awaitility.Awaitility.await;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The real Operator against a {@link TestingCluster}, with a clock the test moves. */
public final class OperatorHarness implements AutoCloseable {
  public final TestingCluster cluster = new TestingCluster();
  public final TestingKubelet kubelet =
      new TestingKubelet(cluster.client, TestingCluster.NAMESPACE);
  public final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
  public final TestingPasses passes = new TestingPasses(clock);
  private final Duration defaultTtl;
  private ShepherdOperator operator;

  public OperatorHarness() {
    this(null);
  }

  /**
   * @param defaultTtl the operator's time to live of finished Workflows; null for none
   */
  public OperatorHarness(Duration defaultTtl) {
    this.defaultTtl = defaultTtl;
    startOperator();
  }

  /**
   * The operator's settings for the mock server, which has no server-side apply; the client stays
   * open for the test after the operator stops.
   */
  public static final Consumer<ConfigurationServiceOverrider> ON_MOCK_SERVER =
      o ->
          o.withUseSSAToPatchPrimaryResource(false)
              .withSSABasedCreateUpdateMatchForDependentResources(false)
              .withCloseClientOnStop(false);

  public void startOperator() {
    operator = new ShepherdOperator(cluster.client, clock, ON_MOCK_SERVER, passes, defaultTtl);
    operator.start();
  }

  public void stopOperator() {
    operator.close();
  }

  /**
   * Moves the clock, then makes the operator look at the workflow again now: it creates and deletes
   * a Pod owned by the workflow, since a deletion is an event the operator always takes (it skips
   * Workflow events that don't change the generation, and Pod updates that change nothing it
   * decides on). Returns once a pass of the workflow at the new time has finished.
   */
  public void advance(String workflow, Duration by) {
    clock.advance(by);
    Instant now = clock.instant();
    Workflow w = cluster.get(workflow);
    Pod poke =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withName(workflow + "-poke")
            .withNamespace(TestingCluster.NAMESPACE)
            .withLabels(Map.of(StepPodBuilder.WORKFLOW_LABEL, workflow))
            .withOwnerReferences(StepPodBuilder.ownerReference(w))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("poke")
            .withImage("none")
            .endContainer()
            .endSpec()
            .build();
    cluster.client.resource(poke).create();
    cluster.client.resource(poke).delete();
    passes.awaitAt(workflow, now);
  }

  public Workflow awaitWorkflow(String name, Predicate<Workflow> condition) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> cluster.get(name), w -> w != null && w.getStatus() != null && condition.test(w));
  }

  public Pod awaitPod(String name) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> cluster.pod(name), p -> p != null);
  }

  /**
   * The phase of a step, or null while the status has no entry for it (a Workflow created with an
   * empty status, as the mock server keeps it): for wait conditions, which must not throw.
   */
  public static StepPhase phase(Workflow w, String step) {
    StepStatus st = step(w, step);
    return st == null ? null : st.phase;
  }

  public static StepStatus step(Workflow w, String step) {
    WorkflowStatus status = w.getStatus();
    return status == null ? null : status.step(step);
  }

  public static Workflow workflow(String name, Step... steps) {
    Workflow w = new Workflow();
    w.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(TestingCluster.NAMESPACE).build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    spec.steps = new java.util.ArrayList<>(List.of(steps));
    w.setSpec(spec);
    return w;
  }

  /** Creates a WorkflowTemplate of these steps and params (none when empty). */
  public dev.shepherd.api.WorkflowTemplate template(
      String name, List<dev.shepherd.api.Param> params, Step... steps) {
    WorkflowSpec spec = workflow(name, steps).getSpec();
    spec.params = params.isEmpty() ? null : params;
    dev.shepherd.api.WorkflowTemplate t = new dev.shepherd.api.WorkflowTemplate();
    t.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(TestingCluster.NAMESPACE).build());
    t.setSpec(spec);
    return cluster.client.resource(t).create();
  }

  public dev.shepherd.api.WorkflowTemplate template(String name) {
    return cluster
        .client
        .resources(dev.shepherd.api.WorkflowTemplate.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName(name)
        .get();
  }

  /** Replaces a WorkflowTemplate's steps. */
  public void setTemplateSteps(String template, Step... steps) {
    cluster
        .client
        .resources(dev.shepherd.api.WorkflowTemplate.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName(template)
        .edit(
            t -> {
              t.getSpec().steps = new java.util.ArrayList<>(List.of(steps));
              return t;
            });
  }

  /** The workflow a supervisor Pod carries. */
  public static dev.shepherd.api.wire.Manifest carried(Pod supervisorPod) throws Exception {
    return dev.shepherd.api.wire.CarriedManifest.read(
        supervisorPod.getSpec().getContainers().getFirst().getEnv().stream()
            .filter(e -> e.getName().equals(dev.shepherd.api.wire.CarriedManifest.ENV))
            .findFirst()
            .orElseThrow()
            .getValue());
  }

  public static Step step(String name, String... depends) {
    Step s = new Step(name, depends);
    s.command = List.of("sh", "-c", "echo " + name);
    return s;
  }

  @Override
  public void close() {
    try {
      operator.close();
    } finally {
      cluster.close();
    }
  }
}
