package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;

/** What a user asks for: the steps, and how the workflow as a whole runs. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
    value = "has(self.steps) != has(self.workflowTemplateRef)",
    message = "spec takes either steps or a workflowTemplateRef")
public class WorkflowSpec {
  @Size(min = 1, max = 1000)
  @JsonPropertyDescription(
      "The steps, a DAG through their depends lists. Names are unique. Required unless"
          + " workflowTemplateRef is set.")
  public List<Step> steps = new ArrayList<>();

  @JsonPropertyDescription(
      "Run the spec of this WorkflowTemplate (same namespace) instead of steps of its own. A field"
          + " set here replaces the template's; params are merged by name. The executor is always"
          + " the Workflow's.")
  public WorkflowTemplateRef workflowTemplateRef;

  @Size(max = 100)
  @JsonProperty("finally")
  @JsonPropertyDescription(
      "Steps that run after the main steps have ended, however they ended (succeeded, failed,"
          + " cancelled, deadline exceeded); workflow.phase tells them how. They may depend on each"
          + " other, not on main steps. A failed finally step fails the workflow.")
  public List<Step> finallySteps;

  @JsonPropertyDescription(
      "true: running steps are stopped (SIGTERM, then SIGKILL after the Pod's grace period),"
          + " pending ones skipped, the finally steps run, and the workflow ends Cancelled.")
  public Boolean cancel;

  @JsonPropertyDescription(
      "true: no step starts (running ones finish) and the phase is Suspended until it is false"
          + " again. activeDeadlineSeconds keeps counting. A supervisor reads it every 2 s.")
  public Boolean suspend;

  @JsonPropertyDescription(
      "Retry in place: set it to a number greater than the last status.retries[].generation (0"
          + " when none) to run a Failed or Cancelled workflow again from its failed steps; the"
          + " steps that succeeded, and their outputs, are kept. A request the workflow can't take"
          + " (it runs, or it succeeded) is recorded as refused.")
  @Min(0)
  public Long retryGeneration;

  @JsonPropertyDescription(
      "At most max Workflows with the same key (in a namespace) run at once; the others wait in"
          + " phase Pending and start in creation order.")
  public Concurrency concurrency;

  @JsonPropertyDescription("Default image for the steps.")
  public String image;

  @Size(max = 100)
  @JsonPropertyDescription("Parameters, given to every step as environment variables.")
  public List<Param> params;

  @Min(1)
  @JsonPropertyDescription("How many steps may run at once. Unlimited when unset.")
  public Integer parallelism;

  @Min(1)
  @Max(31_536_000)
  @JsonPropertyDescription("Time limit of the whole workflow, in seconds, from its start.")
  public Long activeDeadlineSeconds;

  @JsonPropertyDescription("ServiceAccount of the step Pods (pod executor).")
  public String serviceAccountName;

  @Default("pod")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.executor is immutable: create a new Workflow to run it elsewhere")
  @JsonPropertyDescription(
      "pod: one Pod per step attempt. supervisor: all steps in one Pod under the shepherd supervisor.")
  public Executor executor;

  @JsonPropertyDescription(
      "Overrides the restricted container securityContext that step containers get by default.")
  public SecurityContext securityContext;

  @JsonPropertyDescription("Overrides the Pod securityContext (default: seccomp RuntimeDefault).")
  public PodSecurityContext podSecurityContext;

  @JsonPropertyDescription(
      "A volume shared by all steps, at /workspace or its mountPath; SHEPHERD_WORKSPACE names it.")
  public Workspace workspace;

  @JsonPropertyDescription(
      "Scheduling, image pull secrets, volumes, labels and annotations of every Pod of the workflow.")
  public PodTemplate podTemplate;

  @Min(0)
  @JsonPropertyDescription(
      "Seconds after the workflow finished (status.finishedAt) at which the operator deletes the"
          + " Workflow, and with it its Pods and claims. 0 deletes it as soon as it ends. Unset: the"
          + " operator's default (none unless set).")
  public Long ttlSecondsAfterFinished;

  @JsonPropertyDescription("Which Pods of the workflow the operator deletes, and when.")
  public PodGC podGC;

  /** The main steps, then the finally steps: every step, as the status lists them. */
  public List<Step> allSteps() {
    if (finallySteps == null || finallySteps.isEmpty()) {
      return steps;
    }
    List<Step> all = new ArrayList<>(steps.size() + finallySteps.size());
    all.addAll(steps);
    all.addAll(finallySteps);
    return all;
  }

  /** {@link #cancel}, false when unset. */
  public boolean cancelRequested() {
    return Boolean.TRUE.equals(cancel);
  }

  /** {@link #retryGeneration}, 0 when unset. */
  public long retryGenerationOrZero() {
    return retryGeneration == null ? 0 : retryGeneration;
  }

  /** {@link #suspend}, false when unset. */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public Executor executorOrDefault() {
    return executor == null ? Executor.POD : executor;
  }
}
