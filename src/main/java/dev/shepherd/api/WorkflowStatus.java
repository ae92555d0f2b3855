package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the workflow is doing. Conditions follow the Kubernetes convention (Job-like, kstatus-readable). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkflowStatus {
  @PrinterColumn(name = "Phase")
  public WorkflowPhase phase;

  @PrinterColumn(name = "Progress")
  @JsonPropertyDescription("Finished steps over all steps, e.g. 2/4.")
  public String progress;

  public String startedAt;
  public String finishedAt;

  @PrinterColumn(name = "Message", priority = 1)
  public String message;

  public Long observedGeneration;

  public List<StepStatus> steps = new ArrayList<>();

  @JsonPropertyDescription("Reconciling, Stalled, Complete and Failed, as Jobs and kstatus read them.")
  public List<Condition> conditions = new ArrayList<>();

  /** A copy that shares nothing mutable with this one (conditions are copied too). */
  public WorkflowStatus copy() {
    WorkflowStatus c = new WorkflowStatus();
    c.phase = phase;
    c.progress = progress;
    c.startedAt = startedAt;
    c.finishedAt = finishedAt;
    c.message = message;
    c.observedGeneration = observedGeneration;
    c.steps = new ArrayList<>(steps == null ? 0 : steps.size());
    if (steps != null) {
      steps.forEach(s -> c.steps.add(s.copy()));
    }
    c.conditions = new ArrayList<>();
    if (conditions != null) {
      conditions.forEach(k -> c.conditions.add(new ConditionBuilder(k).build()));
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkflowStatus s && phase == s.phase && Objects.equals(progress, s.progress)
        && Objects.equals(startedAt, s.startedAt) && Objects.equals(finishedAt, s.finishedAt)
        && Objects.equals(message, s.message) && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(steps, s.steps) && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, progress, message, steps == null ? 0 : steps.size());
  }

  public StepStatus step(String name) {
    for (StepStatus s : steps) {
      if (s.name.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
