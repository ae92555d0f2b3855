package dev.shepherd.engine;

import java.util.function.Predicate;

/**
 * Why the engine ends steps before they end on their own: the workflow's deadline, a cancel, the
 * loss of the process that ran them. {@link Engine#abort} carries it out: a running step it ends
 * fails with {@code stepReason} and the message {@code stopped} (and is returned to be stopped), a
 * retrying one fails with "Not retried: " and {@code why}, a pending one is skipped with "Not run:
 * " and {@code why}.
 *
 * @param reason the workflow's reason once the abort has ended it (DeadlineExceeded, Cancelled);
 *     null when its steps decide, as they would without an abort (StepFailed)
 * @param stepReason the reason of the steps it fails
 * @param why what happened, as the messages of the retrying and pending steps it ends say it
 * @param stopped the message of a running step it ends
 * @param message the workflow's message, or, when {@code reason} is null and the workflow fails,
 *     the sentence put before the summary of its steps
 * @param ends the steps it ends, by name; the others go on
 */
public record Abort(
    Reason reason,
    String stepReason,
    String why,
    String stopped,
    String message,
    Predicate<String> ends) {
  private static final Predicate<String> EVERY_STEP = name -> true;

  static Abort deadline(long activeDeadlineSeconds) {
    String why =
        "The workflow exceeded its activeDeadlineSeconds of " + activeDeadlineSeconds + " s.";
    return new Abort(
        Reason.DeadlineExceeded,
        Reason.DeadlineExceeded.name(),
        why,
        "Stopped: " + why,
        why,
        EVERY_STEP);
  }

  /** A cancel on request: the workflow ends Cancelled, with {@code why} as its message. */
  public static Abort cancel(String why) {
    return new Abort(
        Reason.Cancelled, Reason.Cancelled.name(), why, "Stopped: " + why, why, EVERY_STEP);
  }

  /**
   * The executor that ran the steps is gone (a supervisor Pod that died): the workflow fails as its
   * steps say, with {@code message} first.
   */
  public static Abort lost(String stepReason, String why, String stopped, String message) {
    return new Abort(null, stepReason, why, stopped, message, EVERY_STEP);
  }

  /**
   * This abort, ending only the steps {@code ends} accepts. While a step it spared is unfinished,
   * the workflow goes on, and its end is then summed up from its steps, not from this abort.
   */
  public Abort only(Predicate<String> ends) {
    return new Abort(reason, stepReason, why, stopped, message, ends);
  }
}
