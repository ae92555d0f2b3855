package dev.shepherd.api;

/** The phase of a whole workflow. Succeeded and Failed are final. */
public enum WorkflowPhase {
  Pending, Running, Succeeded, Failed;

  public boolean isFinal() {
    return this == Succeeded || this == Failed;
  }
}
