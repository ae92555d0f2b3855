package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outputs in pod mode, through the real Operator and the mock API server: the kubelet carries the
 * step's {@code SHEPHERD_OUTPUT} file as the container's termination message.
 */
class StepOutputsTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aSucceededPodsTerminationMessageIsItsStepsOutputsInTheStatus() {
    h.cluster.create(workflow("o", step("version"), step("release", "version")));
    h.awaitPod("o-version-1");
    h.kubelet.exit(
        "o-version-1", 0, "Completed", "version=1.4.2\nnotes<<EOF\nfast\nsafe\nEOF\n", null);
    h.kubelet.succeed(h.awaitPod("o-release-1").getMetadata().getName());

    Workflow w = h.awaitWorkflow("o", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(OperatorHarness.step(w, "version").outputs)
        .containsExactly(Map.entry("version", "1.4.2"), Map.entry("notes", "fast\nsafe"));
    assertThat(OperatorHarness.step(w, "release").outputs).isNull();
  }

  /**
   * A message of 4096 bytes is all a kubelet keeps of a longer file: over the limit, the attempt
   * fails with OutputsInvalid. A failed Pod's message (the log's tail) is never taken as outputs.
   */
  @Test
  void outputsTheKubeletCutFailTheStepAndAFailedPodsMessageIsNoOutputs() {
    h.cluster.create(workflow("big", step("a"), step("b")));
    h.awaitPod("big-a-1");
    h.kubelet.exit("big-a-1", 0, "Completed", "x=" + "y".repeat(4094), null);
    h.awaitPod("big-b-1");
    h.kubelet.exit("big-b-1", 1, "Error", "x=1", null);

    Workflow w = h.awaitWorkflow("big", x -> x.getStatus().phase == WorkflowPhase.Failed);
    StepStatus a = OperatorHarness.step(w, "a");
    assertThat(a.phase).isEqualTo(StepPhase.Failed);
    assertThat(a.reason).isEqualTo("OutputsInvalid");
    assertThat(a.message).startsWith("Invalid outputs: over 4095 bytes, the most a step may write");
    assertThat(a.outputs).isNull();
    StepStatus b = OperatorHarness.step(w, "b");
    assertThat(b.message).isEqualTo("x=1");
    assertThat(b.outputs).isNull();
  }
}
