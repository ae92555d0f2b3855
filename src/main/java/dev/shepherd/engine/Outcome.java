package dev.shepherd.engine;

/**
 * How one attempt of a step ended, as the executor saw it.
 *
 * @param exitCode the command's exit code (128+N for a death by signal N), or null when the attempt
 *     ended without one (a Pod that never started, a deleted Pod)
 * @param reason why it ended when it did not succeed: Error, OOMKilled, DeadlineExceeded, ...; null
 *     or "Completed" for a clean exit
 * @param message the last lines of output, or what the executor knows; may be null
 * @param outputs what the step wrote to its {@value Outputs#VARIABLE} file, unparsed; null when it
 *     wrote nothing or the executor has nothing (only a successful attempt's are read)
 */
public record Outcome(Integer exitCode, String reason, String message, String outputs) {
  /** The reason of a failure that says nothing more. */
  public static final String ERROR = "Error";

  /** The reason of a step skipped because its {@code when} was false. */
  public static final String CONDITION_FALSE = "ConditionFalse";

  /**
   * The reason of a step that failed before it started, because one of its expressions could not be
   * evaluated.
   */
  public static final String EXPRESSION_ERROR = "ExpressionError";

  /** The reason a container reports for a clean exit. */
  static final String COMPLETED = "Completed";

  /** An outcome without outputs. */
  public Outcome(Integer exitCode, String reason, String message) {
    this(exitCode, reason, message, null);
  }

  public static Outcome exited(int exitCode) {
    return new Outcome(exitCode, exitCode == 0 ? null : ERROR, null);
  }

  /**
   * The reason to record for something that failed, given the reason its container or process
   * reports: a clean one (none, or Completed) explains nothing, so it counts as Error.
   */
  public static String failureReason(String reported) {
    return clean(reported) ? ERROR : reported;
  }

  public boolean succeeded() {
    return exitCode != null && exitCode == 0 && clean(reason);
  }

  private static boolean clean(String reason) {
    return reason == null || reason.equals(COMPLETED);
  }
}
