package dev.shepherd.api;

/**
 * The phase of a whole workflow. Succeeded, Failed and Cancelled are final; Suspended is not (no
 * step starts until spec.suspend is false again).
 */
public enum WorkflowPhase {
  Pending,
  Running,
  Suspended,
  Succeeded,
  Failed,
  Cancelled;

  public boolean isFinal() {
    return this == Succeeded || this == Failed || this == Cancelled;
  }
}
