package dev.shepherd.api;

/**
 * The phase of one step. Retrying: an attempt failed and the next waits for its backoff. Skipped: a
 * dependency did not succeed, so the step never ran.
 */
public enum StepPhase {
  Pending,
  Running,
  Retrying,
  Succeeded,
  Failed,
  Skipped;

  public boolean isFinal() {
    return this == Succeeded || this == Failed || this == Skipped;
  }
}
