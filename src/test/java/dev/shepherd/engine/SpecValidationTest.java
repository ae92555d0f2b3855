package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.shepherd.api.Param;
import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.SpecValidation.Target;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each rule of {@link SpecValidation} as a structured problem: the field it is about, the step, and
 * a sentence naming both, for the targets that have the rule and for no other.
 */
class SpecValidationTest {
  private static final Set<Target> ALL = EnumSet.allOf(Target.class);
  private static final Set<Target> PROCESSES = EnumSet.of(Target.SUPERVISOR, Target.LOCAL);

  /** Two steps, "a" and "b" after it, valid for every target: one image, commands, plain values. */
  private static WorkflowSpec valid() {
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    spec.steps = new ArrayList<>(List.of(step("a"), step("b", "a")));
    return spec;
  }

  private static Step step(String name, String... depends) {
    Step step = new Step(name, depends);
    step.command = List.of("true");
    return step;
  }

  private static Step b(WorkflowSpec spec) {
    return spec.steps.get(1);
  }

  static Arguments rule(
      String what,
      Set<Target> targets,
      Consumer<WorkflowSpec> breakIt,
      String path,
      String step,
      String message) {
    return Arguments.of(what, targets, breakIt, new Problem(path, step, message));
  }

  static Stream<Arguments> rules() {
    EnvVar fromSecret =
        new EnvVar(
            "TOKEN",
            null,
            new EnvVarSourceBuilder().withNewSecretKeyRef("token", "creds", false).build());
    return Stream.of(
        rule(
            "no steps",
            ALL,
            s -> s.steps = List.of(),
            "spec.steps",
            null,
            "spec.steps is empty: a workflow needs at least one step."),
        rule(
            "a step without a name",
            ALL,
            s -> b(s).name = "",
            "spec.steps[1].name",
            null,
            "spec.steps[1] has no name."),
        rule(
            "a name that is no DNS label",
            ALL,
            s -> b(s).name = "Build",
            "spec.steps[1].name",
            "Build",
            "Step name \"Build\" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending"
                + " with a letter or digit, at most 63 characters)."),
        rule(
            "a name used twice",
            ALL,
            s -> s.steps.add(step("a")),
            "spec.steps[2].name",
            "a",
            "Step name \"a\" is used more than once."),
        rule(
            "a negative retry limit",
            ALL,
            s -> b(s).retry = new Retry(-1, 1, null),
            "spec.steps[1].retry.limit",
            "b",
            "Step \"b\" has a negative retry.limit."),
        rule(
            "a negative backoff",
            ALL,
            s -> b(s).retry = new Retry(1, -1, null),
            "spec.steps[1].retry.backoffSeconds",
            "b",
            "Step \"b\" has a negative retry.backoffSeconds."),
        rule(
            "a negative backoff cap",
            ALL,
            s -> b(s).retry = new Retry(1, 1, -1),
            "spec.steps[1].retry.maxBackoffSeconds",
            "b",
            "Step \"b\" has a negative retry.maxBackoffSeconds."),
        rule(
            "a timeout of zero",
            ALL,
            s -> b(s).timeoutSeconds = 0L,
            "spec.steps[1].timeoutSeconds",
            "b",
            "Step \"b\" has timeoutSeconds 0; it must be from 1 to 31536000."),
        rule(
            "an empty dependency",
            ALL,
            s -> b(s).depends = List.of("a", ""),
            "spec.steps[1].depends[1]",
            "b",
            "Step \"b\" has an empty entry in depends."),
        rule(
            "a step depending on itself",
            ALL,
            s -> b(s).depends = List.of("a", "b"),
            "spec.steps[1].depends[1]",
            "b",
            "Step \"b\" depends on itself."),
        rule(
            "an unknown dependency",
            ALL,
            s -> b(s).depends = List.of("a", "ghost"),
            "spec.steps[1].depends[1]",
            "b",
            "Step \"b\" depends on \"ghost\", which is not a step of this workflow."),
        rule(
            "a cycle",
            ALL,
            s -> {
              s.steps.add(step("c", "b"));
              b(s).depends = List.of("a", "c");
            },
            "spec.steps[1]",
            "b",
            "Steps form a cycle: \"b\" depends on \"c\" depends on \"b\"."),
        rule(
            "parallelism zero",
            ALL,
            s -> s.parallelism = 0,
            "spec.parallelism",
            null,
            "spec.parallelism is 0; it must be at least 1."),
        rule(
            "a deadline of zero",
            ALL,
            s -> s.activeDeadlineSeconds = 0L,
            "spec.activeDeadlineSeconds",
            null,
            "spec.activeDeadlineSeconds is 0; it must be from 1 to 31536000."),
        rule(
            "a param name that is no variable name",
            ALL,
            s -> s.params = List.of(new Param("OK", "1"), new Param("1ST", "x")),
            "spec.params[1].name",
            null,
            "Param name \"1ST\" is not a valid environment variable name."),
        rule(
            "a param given twice",
            ALL,
            s -> s.params = List.of(new Param("P", "1"), new Param("P", "2")),
            "spec.params[1].name",
            null,
            "Param \"P\" is given more than once."),
        rule(
            "a step without an image in pod mode",
            EnumSet.of(Target.POD),
            s -> {
              s.image = null;
              s.steps.getFirst().image = "alpine:3";
            },
            "spec.steps[1].image",
            "b",
            "Step \"b\" has no image, and spec.image is not set."),
        rule(
            "no spec.image with the supervisor",
            EnumSet.of(Target.SUPERVISOR),
            s -> s.image = " ",
            "spec.image",
            null,
            "spec.image is required with executor supervisor: all steps run in one container of that image."),
        rule(
            "a ServiceAccount with the supervisor",
            EnumSet.of(Target.SUPERVISOR),
            s -> s.serviceAccountName = "sa",
            "spec.serviceAccountName",
            null,
            "spec.serviceAccountName is not supported with executor supervisor:"
                + " its Pod runs as a ServiceAccount of its own that may only write the workflow's status."),
        rule(
            "a second image with the supervisor",
            EnumSet.of(Target.SUPERVISOR),
            s -> b(s).image = "alpine:3",
            "spec.steps[1].image",
            "b",
            "Step \"b\" has image alpine:3, but with executor supervisor all steps run"
                + " in one container of spec.image busybox:1.36; remove the step's image or use executor pod."),
        rule(
            "a step without a command as a process",
            PROCESSES,
            s -> b(s).command = null,
            "spec.steps[1].command",
            "b",
            "Step \"b\" has no command; executor supervisor and `shepherd run` do not run the image's"
                + " entrypoint, so every step needs one."),
        rule(
            "an empty program as a process",
            PROCESSES,
            s -> b(s).command = List.of("", "x"),
            "spec.steps[1].command[0]",
            "b",
            "Step \"b\" has an empty command[0]."),
        rule(
            "an env entry without a name as a process",
            PROCESSES,
            s -> b(s).env = List.of(new EnvVar("X", "1", null), new EnvVar(null, "1", null)),
            "spec.steps[1].env[1]",
            "b",
            "Step \"b\": env[1] has no name."),
        rule(
            "valueFrom as a process",
            PROCESSES,
            s -> b(s).env = List.of(new EnvVar("X", "1", null), fromSecret),
            "spec.steps[1].env[1].valueFrom",
            "b",
            "Step \"b\": env \"TOKEN\" uses valueFrom, which only executor"
                + " pod can resolve; executor supervisor and `shepherd run` take a plain value."),
        rule(
            "a finally step that depends on a main step",
            ALL,
            s -> s.finallySteps = new ArrayList<>(List.of(step("f", "a"))),
            "spec.finally[0].depends[0]",
            "f",
            "Finally step \"f\" depends on main step \"a\"; finally steps run after every main"
                + " step and may depend only on each other."),
        rule(
            "a main step that depends on a finally step",
            ALL,
            s -> {
              s.finallySteps = new ArrayList<>(List.of(step("f")));
              b(s).depends = List.of("f");
            },
            "spec.steps[1].depends[0]",
            "b",
            "Step \"b\" depends on finally step \"f\", which runs only after every main step."),
        rule(
            "a finally step named as a main step",
            ALL,
            s -> s.finallySteps = new ArrayList<>(List.of(step("a"))),
            "spec.finally[0].name",
            "a",
            "Step name \"a\" is used more than once."),
        rule(
            "items and itemsFrom",
            ALL,
            s -> {
              b(s).items = List.of("x");
              b(s).itemsFrom = "['y']";
            },
            "spec.steps[1].itemsFrom",
            "b",
            "Step \"b\" has both items and itemsFrom; give one of them."),
        rule(
            "maxParallel without a loop",
            ALL,
            s -> b(s).maxParallel = 2,
            "spec.steps[1].maxParallel",
            "b",
            "Step \"b\" has maxParallel but is not a loop: give items or itemsFrom."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleNamesItsFieldAndStepForTheTargetsThatHaveIt(
      String what, Set<Target> targets, Consumer<WorkflowSpec> breakIt, Problem expected) {
    assertRule(SpecValidationTest::valid, targets, breakIt, expected);
  }

  /**
   * A spec from {@code valid}, valid for every target, has {@code expected} as its only problem
   * once {@code breakIt} broke it, for the targets that have the rule, and not for the others.
   */
  static void assertRule(
      Supplier<WorkflowSpec> valid,
      Set<Target> targets,
      Consumer<WorkflowSpec> breakIt,
      Problem expected) {
    for (Target target : Target.values()) {
      assertThat(SpecValidation.problems(valid.get(), target))
          .as("the valid spec for %s", target)
          .isEmpty();
      WorkflowSpec spec = valid.get();
      breakIt.accept(spec);
      List<Problem> problems = SpecValidation.problems(spec, target);
      if (targets.contains(target)) {
        assertThat(problems).as("%s", target).containsExactly(expected);
      } else {
        assertThat(problems)
            .as("%s", target)
            .extracting(Problem::path)
            .doesNotContain(expected.path());
      }
    }
  }

  /**
   * A step with neither command nor image, in a spec without an image: each target names what it
   * lacks.
   */
  @Test
  void theSameSpecHasTheProblemsOfWhereItRuns() {
    WorkflowSpec spec = valid();
    spec.image = null;
    b(spec).command = null;
    spec.steps.getFirst().image = "busybox:1.36";

    assertThat(SpecValidation.problems(spec, Target.POD))
        .extracting(Problem::path, Problem::step)
        .containsExactly(tuple("spec.steps[1].image", "b"));
    assertThat(SpecValidation.problems(spec, Target.SUPERVISOR))
        .extracting(Problem::path, Problem::step)
        .containsExactly(tuple("spec.image", null), tuple("spec.steps[1].command", "b"));
    assertThat(SpecValidation.problems(spec, Target.LOCAL))
        .extracting(Problem::path, Problem::step)
        .containsExactly(tuple("spec.steps[1].command", "b"));
  }

  /**
   * The rules every spec passes come first, in the order of the fields, then those of the target.
   */
  @Test
  void problemsComeInAStableOrder() {
    WorkflowSpec spec = valid();
    spec.image = null;
    spec.steps.add(step("Bad"));
    spec.steps.add(step("a"));
    b(spec).depends = List.of("ghost");
    b(spec).command = null;
    spec.parallelism = 0;
    assertThat(SpecValidation.problems(spec, Target.LOCAL))
        .extracting(Problem::path)
        .containsExactly(
            "spec.steps[2].name",
            "spec.steps[3].name",
            "spec.steps[1].depends[0]",
            "spec.parallelism",
            "spec.steps[1].command");
  }
}
