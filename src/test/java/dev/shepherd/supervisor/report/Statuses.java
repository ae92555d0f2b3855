package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Conditions;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.util.List;

/** Test data: workflows, status snapshots, and a client as the supervisor has one. */
public final class Statuses {
  /** A plain ObjectMapper, as the controller reads what the supervisor writes. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private Statuses() {}

  static Workflow workflow(String name, Step... steps) {
    Workflow w = new Workflow();
    w.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(TestingCluster.NAMESPACE).build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps.addAll(List.of(steps));
    w.setSpec(spec);
    return w;
  }

  /**
   * A status of {@code steps} steps, the first {@code done} of them Succeeded, the rest Running.
   */
  public static WorkflowStatus status(WorkflowPhase phase, int steps, int done, String message) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = phase;
    s.progress = done + "/" + steps;
    s.startedAt = "2025-01-01T00:00:00Z";
    s.message = message;
    s.observedGeneration = 99L; // must never reach the API server: the controller owns it
    for (int i = 0; i < steps; i++) {
      StepStatus st = new StepStatus("step-" + i);
      st.attempts = 1;
      st.startedAt = "2025-01-01T00:00:01Z";
      if (i < done) {
        st.phase = StepPhase.Succeeded;
        st.exitCode = 0;
        st.finishedAt = "2025-01-01T00:00:02Z";
      } else {
        st.phase = StepPhase.Running;
      }
      s.steps.add(st);
    }
    s.conditions.add(
        new ConditionBuilder()
            .withType(Conditions.RECONCILING)
            .withStatus(phase.isFinal() ? "False" : "True")
            .withReason(phase.name())
            .withMessage(message)
            .withLastTransitionTime("2025-01-01T00:00:00Z")
            .build());
    return s;
  }

  /**
   * The supervisor's API server at {@code url}: no token, no TLS (the mock server is plain http).
   */
  static ApiServer server(String url) {
    return new ApiServer(URI.create(url), null, null);
  }
}
