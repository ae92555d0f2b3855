package dev.shepherd.engine;

import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;

/**
 * The workflow's conditions, derived from its phase. Complete and Failed mean what they mean on a
 * Job, so {@code kubectl wait --for=condition=Complete} works; a cancelled workflow has Failed True
 * with reason Cancelled. Reconciling and Stalled are the abnormal-true conditions that kstatus
 * (Flux) reads: InProgress while Reconciling, Failed when Stalled, Current otherwise.
 */
public final class Conditions {
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";

  private Conditions() {}

  static void update(
      WorkflowStatus status, Reason reason, String message, long generation, Instant now) {
    WorkflowPhase phase = status.phase;
    boolean failed = phase == WorkflowPhase.Failed || phase == WorkflowPhase.Cancelled;
    boolean done = phase.isFinal();
    set(status, RECONCILING, !done, reason, message, generation, now);
    set(status, STALLED, failed, reason, message, generation, now);
    set(status, COMPLETE, phase == WorkflowPhase.Succeeded, reason, message, generation, now);
    set(status, FAILED, failed, reason, message, generation, now);
  }

  /** Sets one condition; its lastTransitionTime moves only when its status changes. */
  static void set(
      WorkflowStatus status,
      String type,
      boolean value,
      Reason reason,
      String message,
      long generation,
      Instant now) {
    String text = value ? "True" : "False";
    Condition condition = find(status, type);
    if (condition == null) {
      condition = new Condition();
      condition.setType(type);
      status.conditions.add(condition);
    }
    if (!text.equals(condition.getStatus()) || condition.getLastTransitionTime() == null) {
      condition.setLastTransitionTime(
          Timestamps.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    }
    condition.setStatus(text);
    condition.setReason(reason.name());
    condition.setMessage(message);
    condition.setObservedGeneration(generation);
  }

  public static Condition find(WorkflowStatus status, String type) {
    for (Condition c : status.conditions) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  public static boolean isTrue(WorkflowStatus status, String type) {
    Condition c = find(status, type);
    return c != null && "True".equals(c.getStatus());
  }
}
