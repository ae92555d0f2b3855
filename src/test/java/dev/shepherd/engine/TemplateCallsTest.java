package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepTemplateCall;
import dev.shepherd.api.WorkflowSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** steps[].template: a template's steps inlined in place of the step that calls it. */
class TemplateCallsTest {
  private static Step command(String name, String... depends) {
    Step s = new Step(name, depends);
    s.command = List.of("true");
    return s;
  }

  private static Step call(String name, String template, List<Param> params, String... depends) {
    Step s = new Step(name, depends);
    s.template = new StepTemplateCall(template, params);
    return s;
  }

  private static WorkflowSpec spec(Step... steps) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps = new ArrayList<>(Arrays.asList(steps));
    return spec;
  }

  /** A template of two steps: test, then publish after it. */
  private static WorkflowSpec testAndPublish() {
    return spec(command("test"), command("publish", "test"));
  }

  private static Step named(WorkflowSpec spec, String name) {
    return spec.allSteps().stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
  }

  private static TemplateCalls.Expansion expand(WorkflowSpec spec, Map<String, WorkflowSpec> t) {
    return TemplateCalls.expand(spec, t);
  }

  @Test
  void aCallsStepsArePrefixedAndWiredIntoTheWorkflowsDag() {
    WorkflowSpec spec =
        spec(command("checkout"), call("ci", "t", null, "checkout"), command("deploy", "ci"));

    TemplateCalls.Expansion e = expand(spec, Map.of("t", testAndPublish()));

    assertThat(e.problems()).isEmpty();
    assertThat(e.spec().steps)
        .extracting(s -> s.name)
        .containsExactly("checkout", "ci-test", "ci-publish", "deploy");
    assertThat(named(e.spec(), "ci-test").depends).containsExactly("checkout");
    assertThat(named(e.spec(), "ci-publish").depends).containsExactly("ci-test");
    assertThat(named(e.spec(), "deploy").depends).containsExactly("ci-publish");
    assertThat(SpecValidation.problems(e.spec(), SpecValidation.Target.LOCAL)).isEmpty();
    assertThat(spec.steps.get(1).template).as("the argument is unchanged").isNotNull();
  }

  @Test
  void aDependentOfACallWaitsForEveryLeafOfTheTemplate() {
    WorkflowSpec template = spec(command("a"), command("b"), command("c", "a"));
    WorkflowSpec spec = spec(call("x", "t", null), command("after", "x"));

    WorkflowSpec out = expand(spec, Map.of("t", template)).spec();

    assertThat(named(out, "x-a").depends).isNull();
    assertThat(named(out, "after").depends).containsExactly("x-b", "x-c");
  }

  @Test
  void siblingReferencesInExpressionsAreRenamedDashedOrBracketedButNotInStringLiterals() {
    Step read = command("read-it", "build-it");
    read.when = "steps.build-it.outputs.tag != 'steps.build-it' && steps[\"build-it\"].phase != ''";
    read.args = List.of("tag=${{ steps.build-it.outputs.tag }}", "${{ workflow.name }}");
    read.env = List.of(new EnvVar("TAG", "${{ steps.build-it.outputs.tag }}", null));
    read.itemsFrom = "fromJSON(steps.build-it.outputs.list)";
    WorkflowSpec template = spec(command("build-it"), read);

    WorkflowSpec out = expand(spec(call("c", "t", null)), Map.of("t", template)).spec();

    Step renamed = named(out, "c-read-it");
    assertThat(renamed.when)
        .isEqualTo(
            "steps.c-build-it.outputs.tag != 'steps.build-it' && steps[\"c-build-it\"].phase != ''");
    assertThat(renamed.args)
        .containsExactly("tag=${{ steps.c-build-it.outputs.tag }}", "${{ workflow.name }}");
    assertThat(renamed.env)
        .extracting(EnvVar::getValue)
        .contains("${{ steps.c-build-it.outputs.tag }}");
    assertThat(renamed.itemsFrom).isEqualTo("fromJSON(steps.c-build-it.outputs.list)");
    assertThat(renamed.depends).containsExactly("c-build-it");
    assertThat(SpecValidation.problems(out, SpecValidation.Target.LOCAL)).isEmpty();
  }

  @Test
  void paramsAreBoundFromTheCallOrTheTemplatesDefaultInExpressionsAndTheEnvironment() {
    WorkflowSpec template = spec(command("greet"));
    template.params = List.of(new Param("WHO", "world"), new Param("TAG", null));
    Step greet = template.steps.get(0);
    greet.when = "params.WHO != 'x' && params[\"TAG\"] != ''";
    greet.args = List.of("${{ params.WHO }}-${{ params.TAG }}");
    WorkflowSpec spec =
        spec(
            command("build"),
            call(
                "hello",
                "t",
                List.of(new Param("TAG", "v${{ steps.build.outputs.tag }}\"")),
                "build"));

    TemplateCalls.Expansion e = expand(spec, Map.of("t", template));

    assertThat(e.problems()).isEmpty();
    Step out = named(e.spec(), "hello-greet");
    assertThat(out.when)
        .isEqualTo(
            "(\"world\") != 'x' && (\"v\" + string(steps.build.outputs.tag) + \"\\\"\") != ''");
    assertThat(out.args)
        .containsExactly(
            "${{ (\"world\") }}-${{ (\"v\" + string(steps.build.outputs.tag) + \"\\\"\") }}");
    assertThat(out.env)
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("WHO", "world"),
            org.assertj.core.groups.Tuple.tuple("TAG", "v${{ steps.build.outputs.tag }}\""));
    assertThat(SpecValidation.problems(e.spec(), SpecValidation.Target.LOCAL)).isEmpty();
  }

  @Test
  void aMissingParamAndAnUnknownOneAreProblems() {
    WorkflowSpec template = spec(command("a"));
    template.params = List.of(new Param("NEEDED", null));
    WorkflowSpec spec = spec(call("c", "t", List.of(new Param("OTHER", "1"))));

    assertThat(expand(spec, Map.of("t", template)).problems())
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[0].template.params[0].name",
                "Step \"c\" gives param OTHER, which WorkflowTemplate \"t\" does not have."),
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[0].template.params",
                "Step \"c\" calls WorkflowTemplate \"t\" without its param NEEDED, which has no"
                    + " value there."));
  }

  @Test
  void nestedCallsExpandFromTheInsideOutWithTheOuterParamsReachingTheInnerTemplate() {
    WorkflowSpec inner = spec(command("run"));
    inner.params = List.of(new Param("ENV", null));
    inner.steps.get(0).args = List.of("${{ params.ENV }}");
    WorkflowSpec outer =
        spec(
            command("prep"),
            call("deploy", "inner", List.of(new Param("ENV", "${{ params.TARGET }}")), "prep"));
    outer.params = List.of(new Param("TARGET", "staging"));
    WorkflowSpec spec =
        spec(
            call("release", "outer", List.of(new Param("TARGET", "prod"))),
            command("notify", "release"));

    TemplateCalls.Expansion e = expand(spec, Map.of("inner", inner, "outer", outer));

    assertThat(e.problems()).isEmpty();
    assertThat(e.spec().steps)
        .extracting(s -> s.name)
        .containsExactly("release-prep", "release-deploy-run", "notify");
    Step run = named(e.spec(), "release-deploy-run");
    assertThat(run.depends).containsExactly("release-prep");
    assertThat(run.args).containsExactly("${{ (string((\"prod\"))) }}");
    assertThat(named(e.spec(), "notify").depends).containsExactly("release-deploy-run");
  }

  @Test
  void aCycleOfCallsIsAProblemNamingTheChain() {
    WorkflowSpec a = spec(call("to-b", "b", null));
    WorkflowSpec b = spec(call("to-a", "a", null));
    WorkflowSpec self = spec(call("again", "self", null));

    assertThat(expand(spec(command("x"), call("go", "a", null)), Map.of("a", a, "b", b)).problems())
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[1].template.name",
                "Step \"to-a\" closes a cycle of template calls: a -> b -> a."));
    assertThat(expand(spec(call("go", "self", null)), Map.of("self", self)).problems())
        .extracting(Problem::message)
        .containsExactly("Step \"again\" closes a cycle of template calls: self -> self.");
  }

  @Test
  void aNameThatTwoStepsGetIsAProblemNamingBoth() {
    WorkflowSpec spec = spec(command("ci-test"), call("ci", "t", null));

    assertThat(expand(spec, Map.of("t", testAndPublish())).problems())
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[1].template.name",
                "Step name \"ci-test\" is used twice once templates are expanded: by step"
                    + " \"ci-test\" and by step \"ci-test\" of the call \"ci\"."));
  }

  @Test
  void aCallingStepSetsNothingButNameDependsAndTemplate() {
    Step c = call("c", "t", null);
    c.command = List.of("echo");
    c.when = "true";

    assertThat(expand(spec(c), Map.of("t", testAndPublish())).problems())
        .extracting(Problem::path)
        .containsExactly("spec.steps[0].command", "spec.steps[0].when");
  }

  @Test
  void anUnknownTemplateAndOneWithFinallyStepsAreProblems() {
    WorkflowSpec withFinally = testAndPublish();
    withFinally.finallySteps = List.of(command("cleanup"));

    assertThat(expand(spec(call("c", "nope", null)), Map.of()).problems())
        .extracting(Problem::message)
        .containsExactly("Step \"c\" calls WorkflowTemplate \"nope\", which was not found.");
    assertThat(expand(spec(call("c", "f", null)), Map.of("f", withFinally)).problems())
        .extracting(Problem::path)
        .containsExactly("spec.steps[0].template.name");
  }

  @Test
  void aCallInFinallyExpandsAmongTheFinallySteps() {
    WorkflowSpec spec = spec(command("main"));
    spec.finallySteps = List.of(call("report", "t", null), command("last", "report"));

    WorkflowSpec out = expand(spec, Map.of("t", testAndPublish())).spec();

    assertThat(out.finallySteps)
        .extracting(s -> s.name)
        .containsExactly("report-test", "report-publish", "last");
    assertThat(named(out, "last").depends).containsExactly("report-publish");
  }

  @Test
  void anUnexpandedCallDoesNotRun() {
    assertThat(SpecValidation.problems(spec(call("c", "t", null)), SpecValidation.Target.POD))
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps[0].template",
                "Step \"c\" calls WorkflowTemplate \"t\", which nothing expanded here."));
  }
}
