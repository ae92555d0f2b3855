package dev.shepherd.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonTest {
  static final Object NULL = new Object();

  @Test
  void readsEveryKindOfValue() throws Exception {
    assertThat(
            Json.read(
                " {\"a\": [1, -2, 3.5, 1e2, 12345678901234567890, true, false, null],"
                    + " \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\", \"a\": {}} ",
                NULL))
        .isEqualTo(Map.of("a", Map.of(), "s", "q\"\\/\b\f\n\r\té"));
    assertThat(Json.read("[1, -2, 3.5, 1e2, 12345678901234567890, true, null]", NULL))
        .isEqualTo(Arrays.asList(1L, -2L, 3.5, 100.0, 1.2345678901234567e19, true, NULL));
  }

  @Test
  void refusesWhatIsNotJsonSayingWhere() {
    assertThatThrownBy(() -> Json.read("[1,]", NULL))
        .isInstanceOf(Json.Malformed.class)
        .hasMessage("expected a value at offset 3");
    assertThatThrownBy(() -> Json.read("{\"a\" 1}", NULL)).hasMessage("expected ':' at offset 5");
    assertThatThrownBy(() -> Json.read("\"abc", NULL))
        .hasMessage("the string at offset 0 is not closed");
    assertThatThrownBy(() -> Json.read("1 2", NULL))
        .hasMessage("expected the end of the text at offset 2");
    assertThatThrownBy(() -> Json.read("[".repeat(Json.MAX_DEPTH + 1), NULL))
        .hasMessageStartingWith("nested deeper than");
  }

  @Test
  void writesCompactJsonAndRefusesWhatHasNoJsonForm() {
    assertThat(Json.write(Arrays.asList("a\u0001\n", 1L, 0.5, false, null, Map.of("k", List.of()))))
        .isEqualTo("[\"a\\u0001\\n\",1,0.5,false,null,{\"k\":[]}]");
    assertThatThrownBy(() -> Json.write(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NaN has no JSON form");
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> leaves =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(6).map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(true, false).map(b -> (Object) b));
    return Arbitraries.recursive(
        () -> leaves,
        inner ->
            Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(4), inner)
                    .ofMaxSize(3)
                    .map(m -> (Object) m)),
        3);
  }

  /** What write writes, read reads back as the same value (a whole double stays a double). */
  @Property(tries = 500)
  void readReadsWhatWriteWrote(@ForAll("values") Object value) throws Exception {
    assertThat(Json.read(Json.write(value), NULL)).isEqualTo(value);
  }
}
