package dev.shepherd.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CelTextTest {
  static String rewritten(String source) {
    return CelText.rewriteStepNames(source).text();
  }

  @Test
  void aNameThatIsNoCelIdentifierIsQuoted() {
    assertThat(rewritten("steps.build-image.outputs.tag"))
        .isEqualTo("steps[\"build-image\"].outputs.tag");
    assertThat(rewritten("steps.1st.phase + steps.in.phase"))
        .isEqualTo("steps[\"1st\"].phase + steps[\"in\"].phase");
    assertThat(rewritten("steps . a-b")).isEqualTo("steps[\"a-b\"]");
  }

  @Test
  void whatCelReadsRightStaysAsWritten() {
    for (String source :
        new String[] {
          "steps.build.phase",
          "steps.a -b",
          "steps.a-(b)",
          "steps.Build-x",
          "steps.a_b-c",
          "item.steps.a-b",
          "mysteps.a-b",
          "steps[\"a-b\"]",
          "'steps.a-b'",
          "\"steps.a-b\"",
          "'''steps.a-b\n'''",
          "'it\\'s steps.a-b'",
          "x // steps.a-b"
        }) {
      assertThat(rewritten(source)).as(source).isEqualTo(source);
    }
  }

  @Test
  void aRawStringEndsAtItsQuoteDespiteABackslash() {
    assertThat(rewritten("r'\\' + steps.a-b + '\\''")).isEqualTo("r'\\' + steps[\"a-b\"] + '\\''");
    assertThat(rewritten("'\\\\' + steps.a-b")).isEqualTo("'\\\\' + steps[\"a-b\"]");
  }

  @Test
  void positionsAreThoseOfTheSourceAsWritten() {
    CelText.Rewritten r = CelText.rewriteStepNames("steps.a-b.x + steps.c-d.y + z");
    assertThat(r.text()).isEqualTo("steps[\"a-b\"].x + steps[\"c-d\"].y + z");
    assertThat(r.position(r.text().indexOf('z'))).isEqualTo("column 29");
    assertThat(r.position(r.text().indexOf(".y"))).isEqualTo("column 24");
    assertThat(r.position(0)).isEqualTo("column 1");
    assertThat(CelText.rewriteStepNames("a\n  + b").position(6)).isEqualTo("line 2, column 5");
  }

  @Test
  void anExpressionEndsAtTheClosingOutsideStringsAndBraces() {
    String t = "${{ {'a': {'}}': 1}} }} tail }}";
    assertThat(CelText.expressionEnd(t, 3)).isEqualTo(t.indexOf("}} tail"));
    assertThat(CelText.expressionEnd("${{ 'x }}", 3)).isEqualTo(-1);
  }

  @Test
  void referencesAreRenamedAsCelReadsThemAndNowhereElse() {
    java.util.function.Function<String, String> steps =
        name -> name.equals("a") || name.equals("build-it") ? "c-" + name : null;
    java.util.function.Function<String, String> params = name -> name.equals("P") ? "\"v\"" : null;

    assertThat(
            CelText.renameReferences(
                "steps.build-it.outputs.x + steps[ 'a' ].phase + params.P + params[\"P\"]",
                steps,
                params))
        .isEqualTo("steps.c-build-it.outputs.x + steps[ 'c-a' ].phase + (\"v\") + (\"v\")");
    assertThat(CelText.renameReferences("steps.a-(1) + steps.ab.x + params.Q", steps, params))
        .as("a trailing dash is a minus; other names stay")
        .isEqualTo("steps.c-a-(1) + steps.ab.x + params.Q");
    assertThat(
            CelText.renameReferences(
                "x.steps.a + 'steps.a' + params.PX // steps.a\n", steps, params))
        .as("a field named steps, a string literal, a longer name and a comment stay")
        .isEqualTo("x.steps.a + 'steps.a' + params.PX // steps.a\n");
  }
}
