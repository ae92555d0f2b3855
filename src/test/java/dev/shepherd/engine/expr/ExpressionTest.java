package dev.shepherd.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionTest {
  /** The variables as the engine gives them: a finished step, a param list, a loop's item. */
  static Map<String, Object> vars() {
    Map<String, Object> vars = new HashMap<>();
    vars.put("params", Map.of("regions", "eu,us", "name", "demo"));
    vars.put(
        "steps",
        Map.of(
            "build-image",
            Map.of(
                "outputs",
                Map.of("tag", "v1", "files", "[\"a.txt\", \"b.txt\"]"),
                "phase",
                "Succeeded",
                "exitCode",
                0L),
            "test",
            Map.of("outputs", Map.of(), "phase", "Failed", "exitCode", 3L)));
    vars.put("workflow", Map.of("name", "wf", "namespace", "ns", "phase", "Running"));
    vars.put("item", Map.of("name", "x", "n", 2));
    vars.put("itemIndex", 3L);
    return vars;
  }

  static Object eval(String source) {
    return Expression.compile(source).evaluate(vars());
  }

  @Test
  void aDashedStepNameIsReadAsTheStepNotAsASubtraction() {
    assertThat(eval("steps.build-image.outputs.tag")).isEqualTo("v1");
    assertThat(eval("steps.build-image.exitCode-1")).isEqualTo(-1L);
    assertThat(eval("steps . build-image . phase")).isEqualTo("Succeeded");
    assertThat(eval("steps[\"build-image\"].outputs.tag")).isEqualTo("v1");
    assertThat(eval("steps.test.exitCode - steps.build-image.exitCode")).isEqualTo(3L);
  }

  @Test
  void aDashedNameInAStringLiteralIsNotRewritten() {
    assertThat(eval("'steps.build-image' + \"steps.a-b\" + steps.build-image.phase"))
        .isEqualTo("steps.build-imagesteps.a-bSucceeded");
    assertThat(eval("'''steps.a-b''' + r'\\d' + 'it\\'s steps.c-d'"))
        .isEqualTo("steps.a-b\\dit's steps.c-d");
  }

  @Test
  void stepReferencesAreTheStepsReadInOrderOfAppearance() {
    Expression e =
        Expression.compile(
            "steps.test.phase == 'Failed' && steps[\"build-image\"].exitCode == 0"
                + " || has(steps.lint.outputs.x) || steps.test.exitCode > 1"
                + " || [1].exists(x, steps.last-one.phase == 'x')");
    assertThat(e.stepReferences()).containsExactly("test", "build-image", "lint", "last-one");
    assertThat(e.variables()).containsExactly("steps");
    assertThat(Expression.compile("params.name + workflow.name").stepReferences()).isEmpty();
  }

  @Test
  void variablesAreTheRootVariablesUsedInOrder() {
    assertThat(
            Expression.compile("workflow.name + params.name + string(itemIndex) + item.name")
                .variables())
        .containsExactly("workflow", "params", "itemIndex", "item");
  }

  @Test
  void aMacroVariableHidesTheVariableOfTheSameName() {
    Expression e = Expression.compile("[1, 2].exists(item, item > 1) && [3].all(steps, steps > 2)");
    assertThat(e.variables()).isEmpty();
    assertThat(e.stepReferences()).isEmpty();
    assertThat(e.evaluateBool(Map.of())).isTrue();
  }

  @Test
  void stepsIndexedByAComputedValueDoesNotCompile() {
    for (String source :
        List.of("steps[params.name].phase", "steps.size() > 0", "'a' in steps", "steps")) {
      assertThatThrownBy(() -> Expression.compile(source))
          .as(source)
          .isInstanceOf(ExpressionException.class)
          .hasMessageStartingWith("Expression \"" + source + "\" does not compile: ")
          .hasMessageContaining("steps must be indexed by a step name");
    }
  }

  @Test
  void aCompileErrorQuotesTheExpressionAndThePositionAsWritten() {
    assertThatThrownBy(() -> Expression.compile("steps.build-image.outputs.tag + nope"))
        .isInstanceOf(ExpressionException.class)
        .hasMessage(
            "Expression \"steps.build-image.outputs.tag + nope\" does not compile:"
                + " undeclared reference to 'nope' at column 33.");
    assertThatThrownBy(() -> Expression.compile("params.name ==\n  + 1"))
        .hasMessageStartingWith("Expression \"params.name ==\n  + 1\" does not compile: ")
        .hasMessageContaining("at line 2, column ");
    ExpressionException e = (ExpressionException) catchThrowable(() -> Expression.compile("1 +"));
    assertThat(e.source()).isEqualTo("1 +");
    assertThat(e.problem()).startsWith("does not compile: ").contains("column 4");
  }

  @Test
  void aMissingKeyNamesWhereItWasLookedUp() {
    assertThatThrownBy(() -> eval("steps.build-image.outputs.nope == 'x'"))
        .isInstanceOf(ExpressionException.class)
        .hasMessage(
            "Expression \"steps.build-image.outputs.nope == 'x'\" failed:"
                + " steps.build-image.outputs has no key 'nope'.");
    assertThatThrownBy(() -> eval("steps.absent.phase"))
        .hasMessage("Expression \"steps.absent.phase\" failed: steps has no key 'absent'.");
    assertThatThrownBy(() -> eval("item['missing']"))
        .hasMessage("Expression \"item['missing']\" failed: item has no key 'missing'.");
    assertThatThrownBy(() -> eval("steps.gone-away.phase"))
        .hasMessage("Expression \"steps.gone-away.phase\" failed: steps has no key 'gone-away'.");
    assertThatThrownBy(() -> eval("item.name.first"))
        .hasMessageStartingWith("Expression \"item.name.first\" failed: ")
        .hasMessageNotContaining("has no key")
        .hasMessageEndingWith(" at column 10.");
  }

  @Test
  void otherEvaluationErrorsGiveCelsReasonAndPosition() {
    assertThatThrownBy(() -> eval("itemIndex / 0"))
        .hasMessage("Expression \"itemIndex / 0\" failed: / by zero at column 11.");
  }

  @Test
  void aVariableWithoutAValueIsAnErrorNamingIt() {
    assertThatThrownBy(() -> Expression.compile("item.name").evaluate(Map.of()))
        .hasMessage("Expression \"item.name\" uses item, which has no value here.");
  }

  @Test
  void aNullItemIsJsonsNull() {
    Map<String, Object> vars = new HashMap<>();
    vars.put("item", null);
    assertThat(Expression.compile("item == null").evaluateBool(vars)).isTrue();
  }

  @Test
  void evaluateBoolRefusesAnotherTypeAndSaysWhichItIs() {
    assertThat(Expression.compile("steps.test.phase == 'Failed'").evaluateBool(vars())).isTrue();
    assertThatThrownBy(() -> Expression.compile("params.name").evaluateBool(vars()))
        .hasMessage("Expression \"params.name\" is a string (\"demo\"), not a bool.");
    assertThatThrownBy(() -> Expression.compile("itemIndex").evaluateBool(vars()))
        .hasMessage("Expression \"itemIndex\" is an int (3), not a bool.");
  }

  @Test
  void evaluateListRefusesAnotherTypeAndSaysWhichItIs() {
    assertThatThrownBy(() -> Expression.compile("{'a': 1}").evaluateList(vars()))
        .hasMessage("Expression \"{'a': 1}\" is a map ({\"a\":1}), not a list.");
  }

  @Test
  void aParamSplitIsAList() {
    assertThat(Expression.compile("params.regions.split(',')").evaluateList(vars()))
        .containsExactly("eu", "us");
  }

  @Test
  void fromJsonOfAStepOutputIsAListOfPlainValues() {
    assertThat(Expression.compile("fromJSON(steps.build-image.outputs.files)").evaluateList(vars()))
        .containsExactly("a.txt", "b.txt");
    assertThat(
            Expression.compile("fromJSON('[1, 2.5, \"x\", true, null, {\"a\": [-7e-1]}]')")
                .evaluateList(vars()))
        .isEqualTo(Arrays.asList(1L, 2.5, "x", true, null, Map.of("a", List.of(-0.7))));
    assertThat(eval("fromJSON('{\"n\": 2}').n + 1")).isEqualTo(3L);
  }

  @Test
  void fromJsonOfSomethingElseFailsSayingWhere() {
    assertThatThrownBy(() -> eval("fromJSON('[1, 2')"))
        .hasMessageStartingWith("Expression \"fromJSON('[1, 2')\" failed: ")
        .hasMessageContaining("not JSON: expected ',' or ']' at the end of the text");
  }

  @Test
  void toJsonIsCompactJson() {
    assertThat(eval("toJSON({'a': [1, 2.5, true, null], 'b': 'x\"y'})"))
        .isEqualTo("{\"a\":[1,2.5,true,null],\"b\":\"x\\\"y\"}");
    assertThat(eval("toJSON(fromJSON(steps.build-image.outputs.files))"))
        .isEqualTo("[\"a.txt\",\"b.txt\"]");
  }

  @Test
  void integersFromJavaAreCelInts() {
    assertThat(eval("item.n + 1")).isEqualTo(3L);
    assertThat(eval("item.n < 2.5")).isEqualTo(true);
  }

  @Test
  void theStringExtensionsAreThere() {
    assertThat(eval("params.name.upperAscii() + '-' + 'A,B'.lowerAscii().replace(',', '')"))
        .isEqualTo("DEMO-ab");
  }

  @Test
  void theCheckedTypeSaysWhetherTheValueCanBeABoolOrAList() {
    assertThat(Expression.compile("params.name").canBeBool()).isFalse();
    assertThat(Expression.compile("params.name").resultType()).isEqualTo("string");
    assertThat(Expression.compile("steps.test.phase == 'x'").canBeBool()).isTrue();
    assertThat(Expression.compile("steps.test.phase").canBeBool()).isTrue();
    assertThat(Expression.compile("params.regions.split(',')").canBeList()).isTrue();
    assertThat(Expression.compile("itemIndex").canBeList()).isFalse();
  }

  @Test
  void compilingTheSameSourceAgainGivesTheCachedExpression() {
    String source = "params.name + 'cache'";
    assertThat(Expression.compile(source)).isSameAs(Expression.compile(source));
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("no exception");
  }
}
