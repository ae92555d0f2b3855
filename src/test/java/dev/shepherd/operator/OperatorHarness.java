package dev.shepherd.operator;

import static org.awaitility.Awaitility.await;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The real Operator against a {@link TestingCluster}, with a clock the test moves. */
public final class OperatorHarness implements AutoCloseable {
  public final TestingCluster cluster = new TestingCluster();
  public final TestingKubelet kubelet = new TestingKubelet(cluster.client, TestingCluster.NAMESPACE);
  public final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
  private ShepherdOperator operator;

  public OperatorHarness() {
    startOperator();
  }

  public void startOperator() {
    operator = new ShepherdOperator(cluster.client, clock, o -> o
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCloseClientOnStop(false));
    operator.start();
  }

  public void stopOperator() {
    operator.close();
  }

  /**
   * Moves the clock, then touches a Pod of the workflow so that the operator looks at it again
   * now. (Touching the Workflow itself would not do: the operator skips events that don't change
   * its generation.)
   */
  public void advance(String workflow, Duration by) {
    clock.advance(by);
    for (Pod pod : cluster.pods(workflow)) {
      try {
        cluster.client.pods().inNamespace(TestingCluster.NAMESPACE).withName(pod.getMetadata().getName())
            .edit(p -> {
              p.getMetadata().setAnnotations(Map.of("test/poke", clock.instant().toString()));
              return p;
            });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 404) { // the operator may have deleted it in the meantime: try another
          throw e;
        }
      }
    }
  }

  public Workflow awaitWorkflow(String name, Predicate<Workflow> condition) {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(() -> cluster.get(name), w -> w != null && w.getStatus() != null && condition.test(w));
  }

  public Pod awaitPod(String name) {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(() -> cluster.pod(name), p -> p != null);
  }

  public static StepStatus step(Workflow w, String step) {
    WorkflowStatus status = w.getStatus();
    return status == null ? null : status.step(step);
  }

  public static Workflow workflow(String name, Step... steps) {
    Workflow w = new Workflow();
    w.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(TestingCluster.NAMESPACE).build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    spec.steps = new java.util.ArrayList<>(List.of(steps));
    w.setSpec(spec);
    return w;
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
