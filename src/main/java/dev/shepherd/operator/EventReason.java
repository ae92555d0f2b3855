package dev.shepherd.operator;

/** Reasons of the Events the operator records on a Workflow or a CronWorkflow. */
public enum EventReason {
  Started(false),
  StepFailed(true),
  Succeeded(false),
  Failed(true),
  InvalidSpec(true),
  Cancelling(false),
  SpecIgnored(true),
  TemplateNotFound(true),
  Retrying(false),
  RetryRefused(true),
  // CronWorkflow: a Workflow created or deleted, and the engine's CronDecision notices.
  Scheduled(false),
  Replaced(false),
  AlreadyActive(false),
  MissedSchedule(true),
  TooManyMissedTimes(true),
  NameTaken(true);

  final boolean warning;

  EventReason(boolean warning) {
    this.warning = warning;
  }
}
