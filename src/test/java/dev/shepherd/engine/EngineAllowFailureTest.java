package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import org.junit.jupiter.api.Test;

/**
 * {@code allowFailure}: a failure that is recorded but fails neither the workflow nor its
 * dependents.
 */
class EngineAllowFailureTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  private static Step allowed(Step step) {
    step.allowFailure = true;
    return step;
  }

  @Test
  void anAllowedFailureIsRecordedAndItsDependentsRunAndTheWorkflowSucceeds() {
    WorkflowSpec spec = spec(allowed(step("lint")), step("build", "lint"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "lint", 1, new Outcome(3, "Error", "style errors"));
    Plan next = engine.plan(spec, status, 1);

    assertThat(status.step("lint").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("lint").exitCode).isEqualTo(3);
    assertThat(started(next)).containsExactly("build");
    engine.finished(spec, status, "build", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.message)
        .isEqualTo(
            "Step lint failed with exit code 3 after 1 attempt, which allowFailure permits;"
                + " 1 step succeeded.");
    assertThat(status.conditions)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Complete");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  @Test
  void withoutAllowFailureTheSameFailureSkipsTheDependentAndFailsTheWorkflow() {
    WorkflowSpec spec = spec(step("lint"), step("build", "lint"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "lint", 1, new Outcome(3, "Error", "style errors"));
    engine.plan(spec, status, 1);

    assertThat(status.step("build").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
  }

  @Test
  void anAllowedStepIsRetriedFirstAndItsDependentsWaitForTheLastAttempt() {
    WorkflowSpec spec = spec(allowed(retrying(step("flaky"), 1, 5, null)), step("after", "flaky"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "flaky", 1, Outcome.exited(1));
    assertThat(started(engine.plan(spec, status, 1))).isEmpty();
    assertThat(status.step("flaky").phase).isEqualTo(StepPhase.Retrying);
    clock.advanceSeconds(5);
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("flaky");
    engine.finished(spec, status, "flaky", 2, Outcome.exited(1));

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("after");
  }

  @Test
  void anotherStepsFailureStillFailsTheWorkflowAndIsTheOneNamed() {
    WorkflowSpec spec = spec(allowed(step("optional")), step("required"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "optional", 1, Outcome.exited(2));
    engine.finished(spec, status, "required", 1, Outcome.exited(4));
    engine.plan(spec, status, 1);

    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message).isEqualTo("Step required failed with exit code 4 after 1 attempt.");
  }
}
