package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DagOrderTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void diamondRunsEachStepAfterItsDependenciesAndSucceeds() {
    h.cluster.create(
        workflow(
            "diamond",
            step("fetch"),
            step("build", "fetch"),
            step("test", "fetch"),
            step("report", "build", "test")));

    h.awaitPod("diamond-fetch-1");
    h.awaitWorkflow(
        "diamond", w -> w.getStatus() != null && w.getStatus().phase == WorkflowPhase.Running);
    assertThat(h.cluster.pods("diamond"))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("diamond-fetch-1");

    h.kubelet.succeed("diamond-fetch-1");
    h.awaitPod("diamond-build-1");
    h.awaitPod("diamond-test-1");
    // A pass writes the status after it created its Pods: the pass that saw fetch end is over.
    h.awaitWorkflow("diamond", w -> OperatorHarness.step(w, "fetch").phase == StepPhase.Succeeded);
    assertThat(h.cluster.pod("diamond-report-1")).isNull();

    h.kubelet.succeed("diamond-build-1");
    h.awaitWorkflow("diamond", w -> OperatorHarness.step(w, "build").phase == StepPhase.Succeeded);
    assertThat(h.cluster.pod("diamond-report-1")).as("report waits for test").isNull();
    h.kubelet.succeed("diamond-test-1");
    h.awaitPod("diamond-report-1");
    h.kubelet.succeed("diamond-report-1");

    Workflow done = h.awaitWorkflow("diamond", w -> w.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(done.getStatus().progress).isEqualTo("4/4");
    assertThat(done.getStatus().steps)
        .allMatch(s -> s.phase == StepPhase.Succeeded && s.exitCode == 0 && s.attempts == 1);
    assertThat(Conditions.isTrue(done.getStatus(), Conditions.COMPLETE)).isTrue();
    assertThat(Conditions.isTrue(done.getStatus(), Conditions.RECONCILING)).isFalse();
    assertThat(done.getStatus().finishedAt).isNotNull();

    Pod pod = h.cluster.pod("diamond-report-1");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getController()).isTrue());
    assertThat(h.cluster.events()).extracting(e -> e.getReason()).contains("Started", "Succeeded");
  }
}
