package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the workflow is doing. Conditions follow the Kubernetes convention (Job-like,
 * kstatus-readable).
 */
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

  @JsonPropertyDescription(
      "Reconciling, Stalled, Complete and Failed, as Jobs and kstatus read them.")
  public List<Condition> conditions = new ArrayList<>();

  /** A copy that shares nothing mutable with this one (conditions are copied too). */
  public WorkflowStatus copy() {
    return snapshot(null);
  }

  /**
   * A copy like {@link #copy()}, except that an entry of {@code steps} equal to the entry at the
   * same position in {@code previous} is that entry itself, not a new copy. For a series of
   * snapshots that nobody changes (a runner's published statuses), where most steps stay as they
   * were from one snapshot to the next.
   *
   * @param previous an earlier snapshot made by this method, never changed since; or null
   */
  public WorkflowStatus snapshot(WorkflowStatus previous) {
    WorkflowStatus c = new WorkflowStatus();
    c.phase = phase;
    c.progress = progress;
    c.startedAt = startedAt;
    c.finishedAt = finishedAt;
    c.message = message;
    c.observedGeneration = observedGeneration;
    int n = steps == null ? 0 : steps.size();
    List<StepStatus> before =
        previous == null || previous.steps == null ? List.of() : previous.steps;
    c.steps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StepStatus step = steps.get(i);
      StepStatus same = i < before.size() ? before.get(i) : null;
      c.steps.add(step.equals(same) ? same : step.copy());
    }
    c.conditions = new ArrayList<>();
    if (conditions != null) {
      for (Condition k : conditions) {
        c.conditions.add(copy(k));
      }
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkflowStatus s
        && phase == s.phase
        && Objects.equals(progress, s.progress)
        && Objects.equals(startedAt, s.startedAt)
        && Objects.equals(finishedAt, s.finishedAt)
        && Objects.equals(message, s.message)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(steps, s.steps)
        && Objects.equals(conditions, s.conditions);
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

  /**
   * A copy of a condition: its fields and extra properties, as fabric8's {@code ConditionBuilder}
   * copies them, without the builder's ~10 classes in every supervisor's memory.
   */
  private static Condition copy(Condition k) {
    if (k == null) {
      return null;
    }
    Condition c =
        new Condition(
            k.getLastTransitionTime(),
            k.getMessage(),
            k.getObservedGeneration(),
            k.getReason(),
            k.getStatus(),
            k.getType());
    if (k.getAdditionalProperties() != null) {
      for (var e : k.getAdditionalProperties().entrySet()) {
        c.setAdditionalProperty(e.getKey(), e.getValue());
      }
    }
    return c;
  }
}
