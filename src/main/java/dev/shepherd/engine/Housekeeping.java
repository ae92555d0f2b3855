package dev.shepherd.engine;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.PodGCStrategy;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * What becomes of a workflow's objects once their work is done: when a finished Workflow is deleted
 * ({@code spec.ttlSecondsAfterFinished}, or the operator's default), and which of its Pods may go
 * ({@code spec.podGC}). Decided from the status alone, so that nothing goes that the status has not
 * recorded yet: the caller passes a status that was written.
 */
public final class Housekeeping {
  private Housekeeping() {}

  /** What to do about a Workflow's time to live. */
  public sealed interface Ttl {
    /** Not finished, or no time to live: nothing to do. */
    record Keep() implements Ttl {}

    /** Its time is up: delete it. */
    record Delete() implements Ttl {}

    /** Finished, and to be deleted at {@code at}. */
    record WakeAt(Instant at) implements Ttl {}
  }

  /**
   * @param operatorDefault the time to live of a workflow whose spec sets none; null for none
   */
  public static Ttl ttl(
      WorkflowSpec spec, WorkflowStatus status, Duration operatorDefault, Instant now) {
    if (status == null || status.phase == null || !status.phase.isFinal()) {
      return new Ttl.Keep();
    }
    Duration ttl =
        spec != null && spec.ttlSecondsAfterFinished != null
            ? Duration.ofSeconds(spec.ttlSecondsAfterFinished)
            : operatorDefault;
    if (ttl == null || status.finishedAt == null) {
      return new Ttl.Keep();
    }
    Instant at = Timestamps.parse(status.finishedAt).plus(ttl);
    return now.isBefore(at) ? new Ttl.WakeAt(at) : new Ttl.Delete();
  }

  /**
   * Whether the Pod of attempt {@code attempt} of {@code run} (a step's name, or a loop instance's)
   * may be deleted now, in pod mode.
   *
   * @param podSucceeded whether the Pod itself succeeded (its phase), for OnPodSuccess
   */
  public static boolean stepPodMayGo(
      PodGCStrategy strategy,
      WorkflowStatus status,
      String run,
      int attempt,
      boolean podSucceeded) {
    return switch (strategy) {
      case Never -> false;
      case OnWorkflowCompletion -> finished(status);
      case OnPodCompletion -> attemptEnded(status, run, attempt);
      case OnPodSuccess -> podSucceeded && attemptEnded(status, run, attempt);
    };
  }

  /**
   * Whether the supervisor Pod may be deleted now. Never before the status is final: until then the
   * controller may still need the Pod's termination message to take the status over. Its completion
   * is the workflow's, so OnPodCompletion means OnWorkflowCompletion there, and OnPodSuccess a
   * workflow that succeeded.
   *
   * @param podEnded whether the Pod is no longer running (Succeeded or Failed)
   */
  public static boolean supervisorPodMayGo(
      PodGCStrategy strategy, WorkflowStatus status, boolean podEnded) {
    if (!podEnded || !finished(status)) {
      return false;
    }
    return switch (strategy) {
      case Never -> false;
      case OnPodCompletion, OnWorkflowCompletion -> true;
      case OnPodSuccess -> status.phase == WorkflowPhase.Succeeded;
    };
  }

  /**
   * Whether the status records the end of attempt {@code attempt} of {@code run}: a later attempt
   * started, or that attempt is the last one and no longer running, or the loop the instance
   * belongs to no longer lists it (it ended, and only failures are kept, the first few).
   */
  static boolean attemptEnded(WorkflowStatus status, String run, int attempt) {
    if (finished(status)) {
      return true;
    }
    if (status == null || status.steps == null) {
      return false;
    }
    RunStatus entry = status.entry(run);
    if (entry != null) {
      int attempts = entry.attemptsOrZero();
      return attempt < attempts
          || (attempt == attempts
              && entry.phase != null
              && entry.phase != StepPhase.Running
              && entry.phase != StepPhase.Pending);
    }
    int index = LoopStatus.indexOf(run);
    StepStatus step = index < 0 ? null : status.step(LoopStatus.stepOf(run));
    if (step == null) {
      return false;
    }
    if (step.phase != null && step.phase.isFinal()) {
      return true;
    }
    return step.loop != null && step.loop.started != null && index < step.loop.started;
  }

  private static boolean finished(WorkflowStatus status) {
    return status != null && status.phase != null && status.phase.isFinal();
  }
}
