package dev.shepherd.engine;

/**
 * How one attempt of a step ended, as the executor saw it.
 *
 * @param exitCode the command's exit code (128+N for a death by signal N), or null when the
 *     attempt ended without one (a Pod that never started, a deleted Pod)
 * @param reason why it ended when it did not succeed: Error, OOMKilled, DeadlineExceeded, ...; null
 *     or "Completed" for a clean exit
 * @param message the last lines of output, or what the executor knows; may be null
 */
public record Outcome(Integer exitCode, String reason, String message) {
  public static Outcome exited(int exitCode) {
    return new Outcome(exitCode, exitCode == 0 ? null : "Error", null);
  }

  public boolean succeeded() {
    return exitCode != null && exitCode == 0 && (reason == null || reason.equals("Completed"));
  }
}
