package dev.shepherd.engine;

import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a retry in place ({@code spec.retryGeneration}) runs again, and when it is refused. {@link
 * Engine#retry} carries it out.
 *
 * <p>Again: every main step that did not succeed (failed, even with allowFailure; skipped after a
 * failure; cancelled), every main step after one of those (its inputs change), and every finally
 * step. A step skipped because its {@code when} was false runs again only if it comes after one of
 * them: with the same inputs its condition is as false as before. A loop step runs again whole.
 */
final class RetryInPlace {
  /** How many records the status keeps: the latest ones, and always the run's own. */
  static final int MAX_RECORDS = 20;

  private RetryInPlace() {}

  /** Why the workflow of {@code status} can't be retried now; null when it can. */
  static String refusal(WorkflowSpec spec, WorkflowStatus status) {
    if (spec.cancelRequested()) {
      return "spec.cancel is true: set it to false to retry.";
    }
    if (status.phase == WorkflowPhase.Succeeded) {
      return "the workflow Succeeded: there is nothing to retry.";
    }
    if (status.phase == null || !status.phase.isFinal()) {
      return "the workflow is "
          + (status.phase == null ? "not started" : status.phase.name())
          + ": only a Failed or Cancelled workflow is retried.";
    }
    return null;
  }

  /** The steps to run again, in spec order; {@code status.steps} are in spec order. */
  static List<String> rerun(Engine.SpecIndex index, WorkflowStatus status) {
    Set<String> again = new HashSet<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < index.all().size(); i++) {
      Step step = index.all().get(i);
      StepStatus st = status.steps.get(i);
      boolean finallyStep = i >= index.mainCount();
      boolean after = false;
      for (String d : step.dependsOrEmpty()) {
        after |= again.contains(d);
      }
      if (finallyStep || after || !(st.phase == StepPhase.Succeeded || Engine.conditionFalse(st))) {
        again.add(step.name);
        names.add(step.name);
      }
    }
    return names;
  }

  /** A record of a taken retry, naming at most {@link RetryRecord#MAX_NAMED_STEPS} steps. */
  static RetryRecord taken(long generation, String time, List<String> rerun) {
    RetryRecord r = new RetryRecord();
    r.generation = generation;
    r.time = time;
    r.rerun = rerun.size();
    r.steps =
        new ArrayList<>(rerun.subList(0, Math.min(rerun.size(), RetryRecord.MAX_NAMED_STEPS)));
    return r;
  }

  static RetryRecord refused(long generation, String time, String why) {
    RetryRecord r = new RetryRecord();
    r.generation = generation;
    r.time = time;
    r.rerun = 0;
    r.refused = why;
    return r;
  }

  /**
   * Appends {@code r}; past {@link #MAX_RECORDS}, drops the oldest record but the last taken one,
   * which names the run's objects ({@link WorkflowStatus#runningRetry}).
   */
  static void record(WorkflowStatus status, RetryRecord r) {
    if (status.retries == null) {
      status.retries = new ArrayList<>();
    }
    status.retries.add(r);
    while (status.retries.size() > MAX_RECORDS) {
      long keep = status.runningRetry();
      int drop = 0;
      if (status.retries.get(0).taken() && status.retries.get(0).generation == keep) {
        drop = 1;
      }
      status.retries.remove(drop);
    }
  }
}
