package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An invalid Workflow becomes a Failed status with reason InvalidSpec and a Warning Event; no Pod.
 */
class InvalidSpecTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aCycleIsReportedByNameAndNothingRuns() {
    h.cluster.create(workflow("cyc", step("a", "c"), step("b", "a"), step("c", "b"), step("free")));
    Workflow w =
        h.awaitWorkflow(
            "cyc", x -> x.getStatus() != null && x.getStatus().phase == WorkflowPhase.Failed);
    Condition failed = Conditions.find(w.getStatus(), Conditions.FAILED);
    assertThat(failed.getStatus()).isEqualTo("True");
    assertThat(failed.getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getMessage())
        .contains("cycle")
        .contains("\"a\"")
        .contains("\"b\"")
        .contains("\"c\"");
    assertThat(Conditions.find(w.getStatus(), Conditions.STALLED).getStatus()).isEqualTo("True");
    assertThat(w.getStatus().observedGeneration).isEqualTo(w.getMetadata().getGeneration());
    // Failed is final: no later pass runs the workflow, and this one wrote it after creating
    // nothing.
    assertThat(h.cluster.pods("cyc")).isEmpty();
    assertThat(h.cluster.events())
        .filteredOn(e -> e.getReason().equals("InvalidSpec"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("cycle");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("cyc");
            });
  }

  @Test
  void anUnknownDependencyAndAMissingImageAreBothNamed() {
    Workflow wf = workflow("dep", step("a"), step("b", "nope"));
    wf.getSpec().image = null;
    wf.getSpec().steps.getFirst().image = "alpine:3";
    h.cluster.create(wf);
    Workflow w =
        h.awaitWorkflow(
            "dep", x -> x.getStatus() != null && x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(w.getStatus().message)
        .contains("\"b\" depends on \"nope\"")
        .contains("Step \"b\" has no image");
    assertThat(h.cluster.pods("dep")).isEmpty();
  }

  @Test
  void anEditAfterTheEndIsAcknowledgedButNotRun() {
    h.cluster.create(workflow("late", step("a")));
    h.kubelet.succeed(h.awaitPod("late-a-1").getMetadata().getName());
    h.awaitWorkflow("late", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    h.cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName("late")
        .edit(
            x -> {
              x.getSpec().steps.add(step("b"));
              return x;
            });
    Workflow w =
        h.awaitWorkflow(
            "late",
            x ->
                x.getStatus().observedGeneration != null
                    && x.getStatus().observedGeneration.equals(x.getMetadata().getGeneration())
                    && x.getMetadata().getGeneration() > 1);
    assertThat(w.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(h.cluster.pod("late-b-1")).as("a finished workflow never runs again").isNull();
    assertThat(h.cluster.events())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("SpecIgnored"));
  }
}
