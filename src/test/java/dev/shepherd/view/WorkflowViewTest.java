package dev.shepherd.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowViewTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:10Z");

  private static Workflow workflow(WorkflowStatus status, Step... steps) {
    Workflow w = new Workflow();
    w.setMetadata(new ObjectMetaBuilder().withName("w").withNamespace("ns").build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps = new ArrayList<>(List.of(steps));
    w.setSpec(spec);
    w.setStatus(status);
    return w;
  }

  private static String shape(List<WorkflowView.Node> nodes) {
    StringBuilder b = new StringBuilder();
    for (WorkflowView.Node n : nodes) {
      b.append(n.name()).append(':').append(n.depth()).append(n.last() ? "L" : "").append(' ');
    }
    return b.toString().strip();
  }

  @Test
  void aDiamondIsATreeUnderEachStepsFirstDependency() {
    Workflow w =
        workflow(
            null,
            new Step("fetch"),
            new Step("build", "fetch"),
            new Step("test", "fetch"),
            new Step("report", "build", "test"));

    WorkflowView v = WorkflowView.of(w, w.getSpec(), NOW);

    assertThat(shape(v.steps())).isEqualTo("fetch:0L build:1 report:2L test:1L");
    assertThat(v.steps()).allSatisfy(n -> assertThat(n.phase()).isEqualTo(StepPhase.Pending));
    assertThat(v.steps().get(2).depends()).containsExactly("build", "test");
    assertThat(v.phase()).isNull();
    assertThat(v.executor()).isEqualTo("pod");
  }

  @Test
  void aRunningStepsDurationRunsToNowAndTheWorkflowsToo() {
    WorkflowStatus status = new WorkflowStatus();
    status.phase = WorkflowPhase.Running;
    status.startedAt = "2026-12-06T12:00:00Z";
    StepStatus a = new StepStatus("a");
    a.phase = StepPhase.Running;
    a.attempts = 2;
    a.startedAt = "2026-12-06T12:00:04Z";
    a.finishedAt = "2026-12-06T12:00:03Z"; // of the attempt before
    status.steps.add(a);

    WorkflowView v = WorkflowView.of(workflow(status, new Step("a")), null, NOW);

    assertThat(v.steps().getFirst().duration()).isEqualTo(Duration.ofSeconds(6));
    assertThat(v.steps().getFirst().attempts()).isEqualTo(2);
    assertThat(v.duration()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aStepOnlyTheStatusKnowsAndStepsOfACycleAreShownAtTheRootOnce() {
    WorkflowStatus status = new WorkflowStatus();
    StepStatus gone = new StepStatus("gone");
    gone.phase = StepPhase.Succeeded;
    status.steps.add(gone);
    Workflow w = workflow(status, new Step("a", "b"), new Step("b", "a"));

    WorkflowView v = WorkflowView.of(w, w.getSpec(), NOW);

    assertThat(shape(v.steps())).isEqualTo("gone:0L a:0L b:0L");
  }

  @Test
  void aLoopsCountsSayWhatIsStillRunning() {
    assertThat(new WorkflowView.Loop(4, 4, 1, 1, 0).summary())
        .isEqualTo("1/4 succeeded, 1 failed, 2 running");
    assertThat(new WorkflowView.Loop(3, 2, 1, 1, 1).summary())
        .isEqualTo("1/3 succeeded, 1 failed, 1 skipped");
  }
}
