package dev.shepherd.engine;

import dev.shepherd.api.ConcurrencyPolicy;
import dev.shepherd.api.CronWorkflowSpec;
import dev.shepherd.api.WorkflowPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a CronWorkflow does now, decided as the Kubernetes CronJob controller decides for a CronJob:
 *
 * <ul>
 *   <li>Of the scheduled times since the last one started (or since the CronWorkflow was created),
 *       up to now, only the most recent is started; the ones before it are missed for good. With
 *       {@code startingDeadlineSeconds}, only times within that many seconds of now count, so after
 *       a long downtime nothing starts until the next scheduled time.
 *   <li>More than {@value #TOO_MANY_MISSED} missed times are reported (TooManyMissedTimes), and the
 *       most recent still starts; CronJob does the same.
 *   <li>Forbid: while a run is active, a due time is skipped; it is not marked as scheduled, so it
 *       still starts once the active run ends if it is then within the deadline (as on a CronJob).
 *       Replace: the active runs are deleted and the due time starts. Allow: it starts.
 *   <li>Suspended: nothing starts; a time that passes while suspended counts as missed when the
 *       suspension ends.
 *   <li>Finished runs beyond the history limits are deleted, oldest scheduled first.
 * </ul>
 *
 * Pure: the clock is an argument, and nothing here talks to the API server.
 *
 * @param start the scheduled time of the Workflow to create now, or null
 * @param delete active runs to delete before creating it (Replace)
 * @param prune finished runs beyond the history limits
 * @param active the runs still active once {@code delete} is done (not counting {@code start})
 * @param lastScheduleTime the latest scheduled time started, this one included, or null
 * @param lastSuccessfulTime when the latest successful run finished, or null
 * @param wakeAt when to look again (the next scheduled time), or null when only a change can start
 *     something (suspended, or a schedule with no time left)
 * @param notices what to tell the user as Events
 */
public record CronDecision(
    Instant start,
    List<String> delete,
    List<String> prune,
    List<String> active,
    Instant lastScheduleTime,
    Instant lastSuccessfulTime,
    Instant wakeAt,
    List<Notice> notices) {

  /** More missed times than this are reported, as CronJob reports them. */
  public static final int TOO_MANY_MISSED = 100;

  /**
   * A Workflow this CronWorkflow created.
   *
   * @param phase its phase, or null before it has one
   * @param finishedAt when it ended, or null
   */
  public record Run(String name, Instant scheduledTime, WorkflowPhase phase, Instant finishedAt) {
    boolean finished() {
      return phase != null && phase.isFinal();
    }
  }

  /** An Event to record: its reason, whether it is a Warning, and the message. */
  public record Notice(String reason, boolean warning, String message) {}

  /**
   * @param created when the CronWorkflow was created (where missed times start), or null
   * @param lastScheduleTime status.lastScheduleTime, or null
   * @param lastSuccessfulTime status.lastSuccessfulTime, or null
   * @param runs the Workflows it created that still exist
   */
  public static CronDecision decide(
      CronWorkflowSpec spec,
      CronSchedule schedule,
      Instant created,
      Instant lastScheduleTime,
      Instant lastSuccessfulTime,
      List<Run> runs,
      Instant now) {
    List<Notice> notices = new ArrayList<>();
    List<Run> byTime =
        runs.stream().sorted(Comparator.comparing(Run::scheduledTime).reversed()).toList();
    Instant scheduled =
        latest(lastScheduleTime, byTime.isEmpty() ? null : byTime.get(0).scheduledTime());
    Instant successful = lastSuccessfulTime;
    for (Run r : runs) {
      if (r.phase() == WorkflowPhase.Succeeded) {
        successful = latest(successful, r.finishedAt());
      }
    }
    List<String> active = new ArrayList<>();
    for (Run r : byTime.reversed()) {
      if (!r.finished()) {
        active.add(r.name());
      }
    }
    Instant start = null;
    List<String> delete = List.of();
    Instant wakeAt = null;
    if (!spec.suspended()) {
      Instant due = due(spec, schedule, created, scheduled, now, notices);
      if (due != null) {
        ConcurrencyPolicy policy = spec.concurrencyPolicyOrDefault();
        if (policy == ConcurrencyPolicy.Forbid && !active.isEmpty()) {
          notices.add(
              new Notice(
                  "AlreadyActive",
                  false,
                  "Not starting the run of "
                      + Timestamps.format(due)
                      + ": "
                      + String.join(", ", active)
                      + " still running and concurrencyPolicy is Forbid"));
        } else {
          start = due;
          scheduled = due;
          if (policy == ConcurrencyPolicy.Replace) {
            delete = List.copyOf(active);
            active = new ArrayList<>();
          }
        }
      }
      wakeAt = schedule.next(now).orElse(null);
    }
    List<String> prune = new ArrayList<>();
    prune(byTime, WorkflowPhase.Succeeded::equals, spec.successfulHistoryOrDefault(), prune);
    prune(
        byTime,
        p -> p != null && p.isFinal() && p != WorkflowPhase.Succeeded,
        spec.failedHistoryOrDefault(),
        prune);
    return new CronDecision(
        start,
        delete,
        List.copyOf(prune),
        List.copyOf(active),
        scheduled,
        successful,
        wakeAt,
        List.copyOf(notices));
  }

  /** The scheduled time to start now, or null. */
  private static Instant due(
      CronWorkflowSpec spec,
      CronSchedule schedule,
      Instant created,
      Instant scheduled,
      Instant now,
      List<Notice> notices) {
    Instant since = scheduled != null ? scheduled : created != null ? created : now;
    Instant earliest = since;
    if (spec.startingDeadlineSeconds != null) {
      Instant window = now.minus(Duration.ofSeconds(spec.startingDeadlineSeconds));
      earliest = latest(earliest, window);
    }
    Optional<Instant> latest = schedule.latestAtOrBefore(now);
    if (latest.isEmpty() || !latest.get().isAfter(since)) {
      return null;
    }
    if (!latest.get().isAfter(earliest)) {
      notices.add(
          new Notice(
              "MissedSchedule",
              true,
              "Missed the run of "
                  + Timestamps.format(latest.get())
                  + ": more than startingDeadlineSeconds ("
                  + spec.startingDeadlineSeconds
                  + ") ago"));
      return null;
    }
    int missed = 0;
    for (Optional<Instant> t = schedule.next(earliest);
        t.isPresent() && !t.get().isAfter(now) && missed <= TOO_MANY_MISSED;
        t = schedule.next(t.get())) {
      missed++;
    }
    if (missed > TOO_MANY_MISSED) {
      notices.add(
          new Notice(
              "TooManyMissedTimes",
              true,
              "More than "
                  + TOO_MANY_MISSED
                  + " scheduled times missed since "
                  + Timestamps.format(earliest)
                  + "; starting the latest, "
                  + Timestamps.format(latest.get())
                  + ". Set or decrease startingDeadlineSeconds or check the clock"));
    }
    return latest.get();
  }

  /** Adds the finished runs of one kind beyond {@code keep} (byTime: newest first). */
  private static void prune(
      List<Run> byTime,
      java.util.function.Predicate<WorkflowPhase> kind,
      int keep,
      List<String> prune) {
    List<Run> finished = byTime.stream().filter(r -> kind.test(r.phase())).toList();
    for (Run r : finished.subList(Math.min(keep, finished.size()), finished.size()).reversed()) {
      prune.add(r.name());
    }
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
