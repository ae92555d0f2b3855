package dev.shepherd.operator;

import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.Workflow;

/** The Event of a retry request that {@link dev.shepherd.engine.Engine#retry} took or refused. */
final class RetryEvents {
  private RetryEvents() {}

  static void record(Workflow workflow, RetryRecord retry, EventRecorder events) {
    if (retry == null) {
      return;
    }
    if (retry.taken()) {
      events.record(
          workflow,
          EventReason.Retrying,
          "Retry "
              + retry.generation
              + ": running "
              + retry.rerun
              + (retry.rerun == 1 ? " step" : " steps")
              + " again.");
    } else {
      events.record(
          workflow,
          EventReason.RetryRefused,
          "Retry " + retry.generation + " refused: " + retry.refused);
    }
  }
}
