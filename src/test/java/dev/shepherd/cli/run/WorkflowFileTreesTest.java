package dev.shepherd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The plain trees {@link WorkflowFile} reads from YAML are the trees Jackson's YAML mapper reads.
 */
class WorkflowFileTreesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Jackson's tree of a plain value (Integer and Long become an IntNode and a LongNode). */
  private static JsonNode node(Object plain) {
    return plain == null ? JSON.nullNode() : JSON.valueToTree(plain);
  }

  @Test
  void theTreesAreTheMappersTrees() throws Exception {
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        texts.add(Files.readString(p));
      }
    }
    texts.add(
        """
        a: 1
        b: [2147483648, -3, 12345678901234567890, 1.5, .inf, 0x1F, 017, true, no, ~, '', "x"]
        c: &anchor {d: e}
        f: *anchor
        g: !!binary aGVsbG8=
        ---
        just a scalar
        ---
        - [nested, [lists]]
        """);
    texts.add("x: 1\nx: 2\n"); // a duplicate key: the mapper's own error
    texts.add("a: {b: [1, 2, {c: null}]}\n---\n---\nz: 0\n");
    ObjectMapper mapper =
        new ObjectMapper(new YAMLFactory())
            .enable(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    for (String text : texts) {
      List<JsonNode> expected = new ArrayList<>();
      String error = null;
      try (var parser = mapper.getFactory().createParser(text)) {
        while (parser.nextToken() != null) {
          JsonNode tree = mapper.readTree(parser);
          expected.add(tree == null ? mapper.nullNode() : tree);
        }
      } catch (java.io.IOException e) {
        error = e.getMessage();
      }
      if (error != null) {
        String expectedError = error;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkflowFile.trees("t.yaml", text))
            .hasMessage("t.yaml: " + expectedError);
      } else {
        List<Object> actual = WorkflowFile.trees("t.yaml", text);
        assertThat(actual).as(text).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
          assertThat(node(actual.get(i))).as(text + " document " + i).isEqualTo(expected.get(i));
        }
      }
    }
  }
}
