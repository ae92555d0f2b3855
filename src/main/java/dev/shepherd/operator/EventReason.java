package dev.shepherd.operator;

/** Reasons of the Events the operator records on a Workflow. */
public enum EventReason {
  Started(false),
  StepFailed(true),
  Succeeded(false),
  Failed(true),
  InvalidSpec(true),
  Cancelling(false),
  SpecIgnored(true),
  TemplateNotFound(true);

  final boolean warning;

  EventReason(boolean warning) {
    this.warning = warning;
  }
}
