package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

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

  public StepStatus step(String name) {
    for (StepStatus s : steps) {
      if (s.name.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
