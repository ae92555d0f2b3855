package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A step's outputs: recorded when it succeeds, a failed attempt when they can't be used. */
class EngineOutputsTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  @Test
  void aSucceededStepsOutputsAreInItsStatusInTheOrderWritten() {
    WorkflowSpec spec = spec(step("build"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(
        spec,
        status,
        "build",
        1,
        new Outcome(0, null, null, "version=1.2\nnotes<<EOF\na\nb\nEOF\n"));
    engine.plan(spec, status, 1);

    StepStatus build = status.step("build");
    assertThat(build.phase).isEqualTo(StepPhase.Succeeded);
    assertThat(build.outputs)
        .containsExactly(Map.entry("version", "1.2"), Map.entry("notes", "a\nb"));
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  @Test
  void noOutputsLeaveTheFieldOut() {
    WorkflowSpec spec = spec(step("a"), step("b"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    engine.finished(spec, status, "b", 1, new Outcome(0, null, null, "\n"));
    assertThat(status.steps).allSatisfy(st -> assertThat(st.outputs).isNull());
  }

  @Test
  void malformedOutputsFailTheAttemptNamingTheLineAndItsDependentIsSkipped() {
    WorkflowSpec spec = spec(step("build"), step("deploy", "build"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "build", 1, new Outcome(0, null, null, "ok=1\nnot an output\n"));
    engine.plan(spec, status, 1);

    StepStatus build = status.step("build");
    assertThat(build.phase).isEqualTo(StepPhase.Failed);
    assertThat(build.reason).isEqualTo("OutputsInvalid");
    assertThat(build.exitCode).isZero();
    assertThat(build.message)
        .isEqualTo(
            "Invalid outputs: line 2: \"not an output\" is neither name=value nor"
                + " name<<DELIMITER.");
    assertThat(build.outputs).as("none of them recorded").isNull();
    assertThat(status.step("deploy").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.message)
        .isEqualTo(
            "Step build failed with exit code 0 (OutputsInvalid) after 1 attempt; 1 step was"
                + " skipped.");
  }

  @Test
  void outputsOverTheLimitFailTheAttemptWhichIsRetriedAsAnyFailure() {
    WorkflowSpec spec = spec(retrying(step("build"), 1, 0, null));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    String tooMuch = "log=" + "x".repeat(Outputs.MAX_BYTES);
    engine.finished(spec, status, "build", 1, new Outcome(0, null, null, tooMuch));
    assertThat(status.step("build").phase).isEqualTo(StepPhase.Retrying);
    assertThat(status.step("build").reason).isEqualTo("OutputsInvalid");
    assertThat(status.step("build").message).contains("over 4095 bytes");

    clock.advance(Duration.ofSeconds(1));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("build");
    engine.finished(spec, status, "build", 2, new Outcome(0, null, null, "log=short"));
    engine.plan(spec, status, 1);
    assertThat(status.step("build").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(status.step("build").reason).isNull();
    assertThat(status.step("build").outputs).containsExactly(Map.entry("log", "short"));
  }

  /**
   * In pod mode a failed container's termination message is its log's last lines: they are the
   * failure's message, never outputs, even when they look like some.
   */
  @Test
  void aFailedAttemptsOutputsAreNotRecorded() {
    WorkflowSpec spec = spec(step("a"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);
    engine.finished(spec, status, "a", 1, new Outcome(2, "Error", "x=1", "x=1"));
    assertThat(status.step("a").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("a").outputs).isNull();
    assertThat(status.step("a").message).isEqualTo("x=1");
  }
}
