package dev.shepherd.api;

/** The phase of a whole workflow. Succeeded, Failed and Cancelled are final. */
public enum WorkflowPhase {
  Pending,
  Running,
  Succeeded,
  Failed,
  Cancelled;

  public boolean isFinal() {
    return this == Succeeded || this == Failed || this == Cancelled;
  }
}
