package dev.shepherd.operator;

import dev.shepherd.api.WorkflowPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** shepherd's own counters, beside the JOSDK reconcile metrics in the same registry. */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Counter started;
  private final Counter podsCreated;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.started =
        Counter.builder("shepherd.workflows.started")
            .description("Workflows started")
            .register(registry);
    this.podsCreated =
        Counter.builder("shepherd.step.pods").description("Step Pods created").register(registry);
  }

  void workflowStarted() {
    started.increment();
  }

  void workflowFinished(WorkflowPhase phase) {
    registry.counter("shepherd.workflows.finished", "phase", phase.name()).increment();
  }

  void podCreated() {
    podsCreated.increment();
  }

  void stepAttemptEnded(boolean succeeded) {
    registry
        .counter("shepherd.step.attempts.ended", "result", succeeded ? "succeeded" : "failed")
        .increment();
  }
}
