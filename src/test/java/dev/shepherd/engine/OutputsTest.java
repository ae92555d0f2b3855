package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The outputs file format, as GitHub Actions writes it, and its limits. */
class OutputsTest {
  /** An output, written in the simple or the multi-line form. */
  record Written(String name, String value, boolean multiLine, String delimiter) {
    String text() {
      return multiLine
          ? name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n"
          : name + "=" + value + "\n";
    }
  }

  @Provide
  Arbitrary<List<Written>> outputs() {
    Arbitrary<String> names =
        Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').withChars('_', 'A', 'Z').ofLength(1),
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withCharRange('0', '9')
                    .withChars('_', 'Q')
                    .ofMaxLength(12))
            .as(String::concat);
    // Any character but a line end, with what the format gives a meaning to made likely.
    Arbitrary<String> line =
        Arbitraries.oneOf(
                Arbitraries.strings().all().excludeChars('\n').ofMaxLength(3),
                Arbitraries.of("=", "<<", "EOF", " ", "\r", "ü", "𝄞", "a=b", "x<<y", ""))
            .list()
            .ofMaxSize(6)
            .map(parts -> String.join("", parts));
    Arbitrary<Written> output =
        Combinators.combine(
                names,
                line.list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(false, true),
                Arbitraries.of("EOF", "ghadelimiter_1f2e", "=", "<<"))
            .as(
                (name, lines, multi, delimiter) -> {
                  boolean multiLine = multi || lines.size() > 1;
                  // A delimiter never stands alone in the value it ends.
                  String d = delimiter;
                  while (lines.contains(d)) {
                    d = d + "_";
                  }
                  return new Written(name, String.join("\n", lines), multiLine, d);
                });
    return output.list().ofMaxSize(8).uniqueElements(Written::name);
  }

  @Property
  void anyOutputsWrittenInEitherFormParseBackToThemselves(@ForAll("outputs") List<Written> written)
      throws Exception {
    StringBuilder text = new StringBuilder();
    Map<String, String> expected = new LinkedHashMap<>();
    for (Written w : written) {
      text.append(w.text());
      expected.put(w.name(), w.value());
    }
    if (text.toString().getBytes(StandardCharsets.UTF_8).length > Outputs.MAX_BYTES) {
      return; // the limit has a test of its own
    }
    assertThat(Outputs.parse(text.toString())).containsExactlyEntriesOf(expected);
  }

  /** A line's form is decided by the first of = and <<, so no line is read as two outputs. */
  @Property
  void aSimpleLineIsOneOutputWhateverItsValueHolds(@ForAll("outputs") List<Written> written)
      throws Exception {
    for (Written w : written) {
      String value = w.value().replace("\n", "");
      if (w.text().getBytes(StandardCharsets.UTF_8).length > Outputs.MAX_BYTES) {
        continue;
      }
      assertThat(Outputs.parse(w.name() + "=" + value)).containsExactly(Map.entry(w.name(), value));
    }
  }

  @Property
  void theLimitIsFourKibibytesLessOneWhateverTheCharacters(
      @ForAll @IntRange(min = 1, max = 3) int bytesPerChar) throws Exception {
    String c = bytesPerChar == 1 ? "a" : bytesPerChar == 2 ? "é" : "€";
    String prefix = "v=";
    int room = Outputs.MAX_BYTES - prefix.length();
    String fits = prefix + c.repeat(room / bytesPerChar) + "a".repeat(room % bytesPerChar);
    assertThat(fits.getBytes(StandardCharsets.UTF_8)).hasSize(4095);
    assertThat(Outputs.parse(fits)).containsOnlyKeys("v");
    assertThatThrownBy(() -> Outputs.parse(fits + "a"))
        .isInstanceOf(Outputs.Invalid.class)
        .hasMessageContaining("over 4095 bytes");
  }

  @Test
  void simpleAndMultiLineOutputsEmptyLinesAndEmptyValues() throws Exception {
    String text =
        """
        version=1.2.3

        notes<<EOF
        first line
        a=b inside

        EOF
        empty=
        none<<END
        END
        url=https://x/?a=b<<c
        """;
    assertThat(Outputs.parse(text))
        .containsExactly(
            Map.entry("version", "1.2.3"),
            Map.entry("notes", "first line\na=b inside\n"),
            Map.entry("empty", ""),
            Map.entry("none", ""),
            Map.entry("url", "https://x/?a=b<<c"));
  }

  @Test
  void theLastValueOfANameCountsAndNothingIsNoOutputs() throws Exception {
    assertThat(Outputs.parse("a=1\nb=2\na=3"))
        .containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    assertThat(Outputs.parse(null)).isEmpty();
    assertThat(Outputs.parse("")).isEmpty();
    assertThat(Outputs.parse("\n\n")).isEmpty();
  }

  @Test
  void eachErrorNamesItsLine() {
    assertInvalid(
        "a=1\n\njust text\n", "line 3: \"just text\" is neither name=value nor name<<DELIMITER");
    assertInvalid(
        "ok=1\nmy-name=x",
        "line 2: \"my-name\" is not an output name (letters, digits and _, not starting with a"
            + " digit)");
    assertInvalid("1st=x", "line 1: \"1st\" is not an output name");
    assertInvalid("=x", "line 1: \"\" is not an output name");
    assertInvalid(" a=x", "line 1: \" a\" is not an output name");
    assertInvalid("a=1\nnotes<<\n", "line 2: \"notes<<\" has no delimiter after <<");
    assertInvalid(
        "a=1\nnotes<<EOF\none\nEOF \n",
        "line 2: the value of notes is not ended by a line \"EOF\"");
  }

  @Test
  void aLongLineIsQuotedShortened() {
    assertInvalid("x".repeat(100), "line 1: \"" + "x".repeat(37) + "...\" is neither");
  }

  @Test
  void namesAreEnvironmentVariableNames() {
    List<String> valid = List.of("a", "_", "A_1", "_9", "camelCase", "UPPER");
    List<String> invalid = List.of("", "1a", "a-b", "a.b", "ä", "a b", "$a");
    List<String> wrong = new ArrayList<>();
    valid.stream().filter(n -> !Outputs.validName(n)).forEach(wrong::add);
    invalid.stream().filter(Outputs::validName).forEach(wrong::add);
    assertThat(wrong).isEmpty();
  }

  private static void assertInvalid(String text, String message) {
    assertThatThrownBy(() -> Outputs.parse(text))
        .isInstanceOf(Outputs.Invalid.class)
        .hasMessageStartingWith(message);
  }
}
