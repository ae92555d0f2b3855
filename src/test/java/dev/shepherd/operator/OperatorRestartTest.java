package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An operator restarted mid-workflow neither reruns a finished step nor starts a running one twice.
 */
class OperatorRestartTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aNewOperatorPicksUpWhereTheOldOneStopped() {
    h.cluster.create(
        workflow(
            "rs",
            step("fetch"),
            step("build", "fetch"),
            step("test", "fetch"),
            step("report", "build", "test")));
    h.kubelet.succeed(h.awaitPod("rs-fetch-1").getMetadata().getName());
    h.awaitPod("rs-build-1");
    h.awaitPod("rs-test-1");
    h.awaitWorkflow(
        "rs",
        w ->
            OperatorHarness.step(w, "test").phase == StepPhase.Running
                && OperatorHarness.step(w, "build").phase == StepPhase.Running);

    h.stopOperator();
    // While no operator runs: one step ends.
    h.kubelet.succeed("rs-build-1");
    h.startOperator();

    // The new operator's pass that saw build end created, before it wrote that, any Pod it would.
    h.awaitWorkflow("rs", w -> OperatorHarness.step(w, "build").phase == StepPhase.Succeeded);
    assertThat(h.cluster.pods("rs"))
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("rs-fetch-1", "rs-build-1", "rs-test-1");
    h.kubelet.succeed("rs-test-1");
    h.kubelet.succeed(h.awaitPod("rs-report-1").getMetadata().getName());
    Workflow w = h.awaitWorkflow("rs", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(w.getStatus().steps).allMatch(s -> s.attempts == 1);
    assertThat(h.cluster.pods("rs")).hasSize(4);
  }
}
