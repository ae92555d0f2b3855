package dev.shepherd.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TemplatesTest {
  static String render(String template) {
    return Templates.render(template, ExpressionTest.vars());
  }

  @Test
  void eachExpressionIsReplacedByItsValueAsText() {
    assertThat(
            render(
                "deploy ${{ params.name }}:${{steps.build-image.outputs.tag}} #${{ itemIndex }}"))
        .isEqualTo("deploy demo:v1 #3");
    assertThat(render("${{ 7 }} ${{ 2.0 }} ${{ 0.5 }} ${{ true }} ${{ 1 == 2 }}"))
        .isEqualTo("7 2.0 0.5 true false");
  }

  @Test
  void listsAndMapsAreCompactJson() {
    assertThat(render("${{ params.regions.split(',') }}")).isEqualTo("[\"eu\",\"us\"]");
    assertThat(render("${{ {'k': [1, 'a', null]} }} ${{ {'n': item.n, 'm': {}} }}"))
        .isEqualTo("{\"k\":[1,\"a\",null]} {\"n\":2,\"m\":{}}");
  }

  @Test
  void textOfAnItemFromALiteralListTakesJavasIntegersToo() {
    assertThat(Templates.text(7)).isEqualTo("7");
    assertThat(Templates.text(List.of(1, Map.of("k", 2L), true))).isEqualTo("[1,{\"k\":2},true]");
    assertThat(Templates.text("as is")).isEqualTo("as is");
  }

  @Test
  void aDoubleReadsAsCelsStringOfIt() {
    for (String d : List.of("2.0", "0.1", "1e20", "-3.25e-7", "1.0/3.0")) {
      assertThat(render("${{ " + d + " }}"))
          .as(d)
          .isEqualTo(Expression.compile("string(" + d + ")").evaluate(Map.of()));
    }
  }

  @Test
  void anExpressionEndsAtTheFirstClosingOutsideItsStringsAndBraces() {
    assertThat(render("${{ {'a': {'b': 1}} }}")).isEqualTo("{\"a\":{\"b\":1}}");
    assertThat(render("${{ '}}' + \"}}\" }}!")).isEqualTo("}}}}!");
    assertThat(render("a${{1}}b${{2}}c")).isEqualTo("a1b2c");
  }

  @Test
  void anUnclosedExpressionIsAnErrorQuotingTheTemplate() {
    assertThatThrownBy(() -> render("echo ${{ params.name"))
        .isInstanceOf(ExpressionException.class)
        .hasMessage("Template \"echo ${{ params.name\" has a ${{ at column 6 that no }} closes.");
    assertThatThrownBy(() -> render("x ${{ }}"))
        .hasMessage("Template \"x ${{ }}\" has an empty ${{ }} at column 3.");
  }

  @Test
  void anExpressionThatDoesNotCompileIsQuotedItself() {
    assertThatThrownBy(() -> Templates.expressions("echo ${{ params.name + }}"))
        .isInstanceOf(ExpressionException.class)
        .hasMessageStartingWith("Expression \"params.name +\" does not compile: ");
  }

  @Test
  void expressionsAreTheCompiledExpressionsInOrder() {
    assertThat(Templates.expressions("${{ steps.test.phase }}/${{ params.name }} ${{ item }}"))
        .extracting(Expression::source)
        .containsExactly("steps.test.phase", "params.name", "item");
    assertThat(Templates.expressions("no expression")).isEmpty();
  }

  @Test
  void hasFindsTheOpening() {
    assertThat(Templates.has("echo ${{ x }}")).isTrue();
    assertThat(Templates.has("echo ${{")).isTrue();
    assertThat(Templates.has("echo ${x} ${ {")).isFalse();
    assertThat(Templates.has(null)).isFalse();
  }

  @Provide
  Arbitrary<String> plainTexts() {
    return Arbitraries.strings()
        .withChars("ab ${}'\"\\\n")
        .ofMaxLength(30)
        .filter(s -> !s.contains("${{"));
  }

  @Property(tries = 500)
  void aTemplateWithoutAnExpressionRendersAsItself(@ForAll("plainTexts") String text) {
    assertThat(Templates.render(text, Map.of())).isEqualTo(text);
    assertThat(Templates.expressions(text)).isEmpty();
  }

  @Provide
  Arbitrary<String> literalTexts() {
    return Arbitraries.of("steps.", "steps", "a-b", "-", ".", " ", "x", "1", "[", "\"")
        .list()
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  /** What a single-quoted literal holds is its value, step-name look-alikes and all. */
  @Property(tries = 300)
  void aStringLiteralIsNeverRewritten(@ForAll("literalTexts") String text) {
    assertThat(Templates.render("${{ '" + text + "' }}", Map.of())).isEqualTo(text);
  }
}
