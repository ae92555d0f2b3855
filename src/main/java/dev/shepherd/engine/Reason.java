package dev.shepherd.engine;

/**
 * Reasons of the workflow's conditions and of its Events, as {@code kubectl describe} shows them.
 */
public enum Reason {
  Pending,
  Queued,
  Running,
  Suspended,
  Succeeded,
  StepFailed,
  InvalidSpec,
  DeadlineExceeded,
  Cancelled
}
