package dev.shepherd.api.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.cli.run.WorkflowFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link PlainJson} reads what Jackson reads, or leaves the text to Jackson. */
class PlainJsonTest {
  private static final ObjectMapper JACKSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /** The tree Jackson makes, or null where Jackson rejects the text. */
  private static JsonNode jackson(String text) {
    try {
      JsonNode tree = JACKSON.readTree(text);
      return tree == null || tree.isMissingNode() ? null : tree;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** Jackson's tree of a plain value (Integer and Long become an IntNode and a LongNode). */
  static JsonNode node(Object plain) {
    return plain == null ? JACKSON.nullNode() : JACKSON.valueToTree(plain);
  }

  /** Same tree and same node types (JsonNode.equals tells an IntNode from a LongNode). */
  private static void sameAsJackson(String text) {
    JsonNode expected = jackson(text);
    Object plain;
    try {
      plain = PlainJson.read(text);
    } catch (PlainJson.Unusual e) {
      return; // left to Jackson: always allowed
    }
    assertThat(expected).as("Jackson rejects %s, so must PlainJson", text).isNotNull();
    assertThat(node(plain).equals(expected))
        .as("%s: %s vs Jackson's %s", text, plain, expected)
        .isTrue();
  }

  @Test
  void everyExamplesManifestIsReadPlainly() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).isNotEmpty();
    for (Path example : examples) {
      for (WorkflowFile.Document doc :
          WorkflowFile.parse(example.toString(), Files.readString(example))) {
        String json = JACKSON.writeValueAsString(doc.tree());
        assertThat(node(PlainJson.read(json)).equals(JACKSON.readTree(json)))
            .as(example.toString())
            .isTrue();
      }
    }
  }

  @Test
  void theEdgesAreJacksons() {
    for (String text :
        List.of(
            "{}",
            "[]",
            " {\"a\" : [1, -2, 2147483647, 2147483648, -2147483649, 9007199254740993]} ",
            "\"\\u00e9\\ud834\\udd1e\\n\\t\\\"\\\\\\/\"",
            "true",
            "null",
            "-0",
            "0",
            "{\"a\":{}}",
            "[[],[{}]]",
            // what it leaves to Jackson, or what both reject:
            "1.5",
            "1e3",
            "01",
            "-",
            "{\"a\":1,\"a\":2}",
            "{\"a\" 1}",
            "[1,]",
            "{,}",
            "tru",
            "nul",
            "\"\u0001\"",
            "\"\\x\"",
            "\"\\u12\"",
            "[1] x",
            "",
            "   ",
            "123456789012345678901234",
            "{\"a\":1}{}",
            "'a'")) {
      sameAsJackson(text);
    }
  }

  @Test
  void deepNestingIsLeftToJacksonNotAStackOverflow() throws Exception {
    int max = PlainJson.MAX_DEPTH;
    String atLimit = "[".repeat(max - 1) + "{\"a\":1}" + "]".repeat(max - 1); // max containers
    assertThat(node(PlainJson.read(atLimit))).isEqualTo(JACKSON.readTree(atLimit));
    String over = "[".repeat(max) + "{}" + "]".repeat(max);
    assertThatThrownBy(() -> PlainJson.read(over)).isInstanceOf(PlainJson.Unusual.class);
    // Thousands of levels: Unusual, long before the thread's stack (a supervisor runs with 256 KB).
    String hostile = "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000);
    assertThatThrownBy(() -> PlainJson.read(hostile)).isInstanceOf(PlainJson.Unusual.class);
  }

  @Property(tries = 500)
  void randomJsonAndDamagedJsonReadAsJacksonReadsIt(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    String text = JACKSON.writeValueAsString(randomValue(r, 0));
    if (r.nextBoolean()) {
      text = text.replace(",", ", ").replace(":", " : ");
    }
    sameAsJackson(text);
    // One character changed, dropped or added somewhere.
    int i = r.nextInt(text.length() + 1);
    String chars = "{}[]\",:-0123456789.eEtrufalsn \\/x";
    char c = chars.charAt(r.nextInt(chars.length()));
    String damaged =
        switch (r.nextInt(3)) {
          case 0 -> text.substring(0, i) + c + text.substring(i);
          case 1 -> i < text.length() ? text.substring(0, i) + text.substring(i + 1) : text;
          default -> i < text.length() ? text.substring(0, i) + c + text.substring(i + 1) : text;
        };
    sameAsJackson(damaged);
  }

  private static Object randomValue(Random r, int depth) {
    int kind = r.nextInt(depth > 3 ? 6 : 8);
    return switch (kind) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextInt();
      case 3 -> r.nextLong();
      case 4 ->
          List.of("", "plain", "quote \" back \\ nl \n ctl \u0002", "ünï ✓ 𝄞").get(r.nextInt(4));
      case 5 -> r.nextInt(3) - 1;
      case 6 -> {
        java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          map.put("k" + r.nextInt(10), randomValue(r, depth + 1));
        }
        yield map;
      }
      default -> {
        java.util.List<Object> list = new java.util.ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          list.add(randomValue(r, depth + 1));
        }
        yield list;
      }
    };
  }
}
