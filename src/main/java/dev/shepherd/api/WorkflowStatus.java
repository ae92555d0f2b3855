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

  @JsonPropertyDescription("The main steps in spec order, then the finally steps.")
  public List<StepStatus> steps = new ArrayList<>();

  @JsonPropertyDescription(
      "Why the main steps were ended early (Cancelled, DeadlineExceeded), set while finally steps"
          + " run and kept after.")
  public String abortReason;

  @JsonPropertyDescription("The message of that early end.")
  public String abortMessage;

  @JsonPropertyDescription(
      "Reconciling, Stalled, Complete and Failed, as Jobs and kstatus read them.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The WorkflowTemplate that spec.workflowTemplateRef named, when it ran.")
  public String templateName;

  @JsonPropertyDescription("That template's resourceVersion, as it was read at the start.")
  public String templateResourceVersion;

  @JsonPropertyDescription(
      "That template's spec, as JSON, read once, at the start: an edit of the template does not"
          + " change a run. Every pass lays the Workflow's own fields over it.")
  public String templateSpec;

  @JsonPropertyDescription(
      "Each request to retry the workflow in place (spec.retryGeneration), taken or refused; the"
          + " latest last.")
  public List<RetryRecord> retries;

  /** The generation of the last retry request recorded, taken or refused; 0 when none. */
  public long retryGeneration() {
    return retries == null || retries.isEmpty() ? 0 : retries.getLast().generation;
  }

  /**
   * The generation of the retry the workflow runs now: of the last request taken; 0 when none. It
   * tells the objects of this run (its Pods) from those of earlier runs.
   */
  public long runningRetry() {
    RetryRecord r = lastTakenRetry();
    return r == null ? 0 : r.generation;
  }

  /** The last retry request taken; null when none was. */
  public RetryRecord lastTakenRetry() {
    if (retries != null) {
      for (RetryRecord r : retries.reversed()) {
        if (r.taken()) {
          return r;
        }
      }
    }
    return null;
  }

  @JsonPropertyDescription(
      "The WorkflowTemplates that steps call (steps[].template), each read once, at the start:"
          + " an edit of one does not change a run.")
  public List<PinnedTemplate> stepTemplates;

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
    c.abortReason = abortReason;
    c.abortMessage = abortMessage;
    c.templateName = templateName;
    c.templateResourceVersion = templateResourceVersion;
    c.templateSpec = templateSpec;
    if (retries != null) {
      c.retries = new ArrayList<>(retries.size());
      for (RetryRecord r : retries) {
        c.retries.add(r.copy());
      }
    }
    if (stepTemplates != null) {
      c.stepTemplates = new ArrayList<>(stepTemplates.size());
      for (PinnedTemplate p : stepTemplates) {
        c.stepTemplates.add(
            p == null ? null : new PinnedTemplate(p.name, p.resourceVersion, p.spec));
      }
    }
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
        && Objects.equals(abortReason, s.abortReason)
        && Objects.equals(abortMessage, s.abortMessage)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(templateName, s.templateName)
        && Objects.equals(templateResourceVersion, s.templateResourceVersion)
        && Objects.equals(templateSpec, s.templateSpec)
        && Objects.equals(retries, s.retries)
        && Objects.equals(stepTemplates, s.stepTemplates);
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
   * The entry that runs attempts under {@code name}: a step's, or a loop instance's (named as
   * {@link LoopStatus#instanceName} makes it); null if there is none.
   */
  public RunStatus entry(String name) {
    int index = LoopStatus.indexOf(name);
    StepStatus step = step(index < 0 ? name : LoopStatus.stepOf(name));
    if (index < 0 || step == null) {
      return step;
    }
    return step.loop == null ? null : step.loop.instance(name);
  }

  /**
   * The entries with an attempt running: steps, and the instances of loop steps; each named as
   * {@link #entry} finds it.
   */
  public List<RunStatus> running() {
    List<RunStatus> running = new ArrayList<>();
    for (StepStatus st : steps) {
      running(st, running);
    }
    return running;
  }

  /** Adds to {@code into} what of {@code st} runs: the step, or its running loop instances. */
  public static void running(StepStatus st, List<RunStatus> into) {
    if (st.loop != null && st.loop.instances != null) {
      for (RunStatus instance : st.loop.instances) {
        if (instance.phase == StepPhase.Running) {
          into.add(instance);
        }
      }
    } else if (st.phase == StepPhase.Running) {
      into.add(st);
    }
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
