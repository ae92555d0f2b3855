package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.withFinally;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import org.junit.jupiter.api.Test;

/** when, itemsFrom and ${{ }}: evaluated by the engine when a step is due. */
class EngineExpressionTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);
  private final WorkflowRef ref = new WorkflowRef("wf", "team-a");

  private static Step when(Step step, String when) {
    step.when = when;
    return step;
  }

  private static Step running(Step step, String... command) {
    step.command = List.of(command);
    return step;
  }

  /** Runs {@code name} to a clean exit with {@code outputs} written. */
  private void succeed(WorkflowSpec spec, WorkflowStatus status, String name, String outputs) {
    engine.finished(spec, status, name, 1, new Outcome(0, null, null, outputs));
  }

  @Test
  void aFalseWhenSkipsTheStepWithReasonConditionFalseAndItsDependentsRun() {
    WorkflowSpec spec =
        spec(
            step("probe"),
            when(step("deploy", "probe"), "steps.probe.outputs.ready == 'yes'"),
            step("report", "deploy"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);

    succeed(spec, status, "probe", "ready=no\n");
    assertThat(started(engine.plan(ref, spec, status, 1))).containsExactly("report");

    assertThat(status.step("deploy").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.step("deploy").reason).isEqualTo("ConditionFalse");
    succeed(spec, status, "report", null);
    engine.plan(ref, spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.message)
        .isEqualTo("2 steps succeeded; 1 was skipped by a false when condition.");
  }

  @Test
  void aTrueWhenRunsTheStep() {
    WorkflowSpec spec = spec(step("probe"), when(step("deploy", "probe"), "${{ 1 < 2 }}"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);
    succeed(spec, status, "probe", null);

    assertThat(started(engine.plan(ref, spec, status, 1))).containsExactly("deploy");
  }

  @Test
  void templatesAreReplacedWhenTheStepStartsAndTheSpecIsLeftAsItWas() {
    Step use =
        running(
            step("use", "make"),
            "echo",
            "${{ steps.make.outputs.tag }}",
            "${{ workflow.name }}/${{ workflow.namespace }}",
            "${{ params.REGIONS.split(',') }}");
    use.env = List.of(new EnvVar("EXIT", "${{ steps.make.exitCode }}", null));
    use.image = "registry/app:${{ steps.make.outputs.tag }}";
    WorkflowSpec spec = spec(step("make"), use);
    spec.params = List.of(new Param("REGIONS", "eu,us"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);
    succeed(spec, status, "make", "tag=v7\n");

    StepStart start = engine.plan(ref, spec, status, 1).start().getFirst();

    assertThat(start.run().command).containsExactly("echo", "v7", "wf/team-a", "[\"eu\",\"us\"]");
    assertThat(start.run().env).extracting(EnvVar::getValue).containsExactly("0");
    assertThat(start.run().image).isEqualTo("registry/app:v7");
    assertThat(use.command.get(1)).isEqualTo("${{ steps.make.outputs.tag }}");
  }

  @Test
  void anExpressionThatFailsFailsTheStepWithoutRetriesAndQuotesIt() {
    Step use = running(step("use", "make"), "echo", "${{ steps.make.outputs.missing }}");
    use.retry = new dev.shepherd.api.Retry(3, 0, null);
    WorkflowSpec spec = spec(step("make"), use);
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);
    succeed(spec, status, "make", "tag=v7\n");

    assertThat(started(engine.plan(ref, spec, status, 1))).isEmpty();

    assertThat(status.step("use").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("use").reason).isEqualTo("ExpressionError");
    assertThat(status.step("use").message).contains("steps.make.outputs.missing");
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
  }

  @Test
  void itemsFromRunsAnInstancePerElementWithItsItem() {
    Step each = running(step("each", "list"), "echo", "${{ item.name }}:${{ itemIndex }}");
    each.itemsFrom = "fromJSON(steps.list.outputs.files)";
    WorkflowSpec spec = spec(step("list"), each);
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);
    succeed(spec, status, "list", "files=[{\"name\":\"a\"},{\"name\":\"b\"}]\n");

    List<StepStart> starts = engine.plan(ref, spec, status, 1).start();

    assertThat(starts).extracting(StepStart::step).containsExactly("each[0]", "each[1]");
    assertThat(starts.get(1).run().command).containsExactly("echo", "b:1");
    assertThat(starts.get(1).run().env)
        .extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("SHEPHERD_ITEM={\"name\":\"b\"}", "SHEPHERD_ITEM_INDEX=1");
  }

  @Test
  void finallyStepsReadHowTheMainStepsEnded() {
    Step report = running(step("report"), "echo", "${{ workflow.phase }}");
    WorkflowSpec spec = withFinally(spec(step("a")), report);
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(ref, spec, status, 1);

    engine.finished(spec, status, "a", 1, Outcome.exited(1));
    StepStart start = engine.plan(ref, spec, status, 1).start().getFirst();

    assertThat(start.run().command).containsExactly("echo", "Failed");
  }

  @Test
  void aStepThatReadsAStepItDoesNotDependOnIsAnInvalidSpec() {
    WorkflowSpec spec =
        spec(
            running(step("a"), "true"),
            running(when(step("b"), "steps.a.outputs.x == 'y'"), "true"),
            running(step("c"), "echo", "${{ item }}"));
    spec.image = "busybox";

    assertThat(SpecValidation.problems(spec, SpecValidation.Target.POD))
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[1].when",
                "Step \"b\" reads steps.a in spec.steps[1].when, but does not depend on \"a\""
                    + " (directly or through its dependencies), so it may not have run yet."),
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[2].command[1]",
                "Step \"c\" reads item in spec.steps[2].command[1], which only the instances of a"
                    + " loop step (items, itemsFrom) have."));
  }

  @Test
  void anExpressionThatDoesNotCompileOrGivesTheWrongTypeIsAnInvalidSpec() {
    Step list = running(step("b"), "true");
    list.itemsFrom = "'one'";
    WorkflowSpec spec = spec(running(when(step("a"), "params.X +"), "true"), list);
    spec.image = "busybox";

    List<Problem> problems = SpecValidation.problems(spec, SpecValidation.Target.LOCAL);

    assertThat(problems)
        .extracting(Problem::path)
        .containsExactly("spec.steps[0].when", "spec.steps[1].itemsFrom");
    assertThat(problems.get(0).message())
        .startsWith("Step \"a\": Expression \"params.X +\" does not compile");
    assertThat(problems.get(1).message())
        .isEqualTo(
            "Step \"b\": spec.steps[1].itemsFrom must give a list, but \"'one'\" gives string.");
  }
}
