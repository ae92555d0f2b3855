package dev.shepherd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WorkflowFile#parseJson}: the manifest a supervisor Pod carries, read as a file would be. */
class WorkflowFileJsonTest {
  private static final String HEAD = "{\"apiVersion\":\"shepherd.dev/v1alpha1\",\"kind\":\"Workflow\",";

  @Test
  void aManifestIsBoundWithItsGeneration() throws Exception {
    WorkflowFile.Document doc = WorkflowFile.parseJson("M", HEAD
        + "\"metadata\":{\"name\":\"w\",\"namespace\":\"ns\",\"generation\":4},"
        + "\"spec\":{\"parallelism\":2,\"steps\":[{\"name\":\"a\",\"command\":[\"true\"],\"retry\":{\"limit\":2}}]}}");
    assertThat(doc.name()).isEqualTo("w");
    assertThat(doc.manifest().generation()).isEqualTo(4);
    assertThat(doc.spec().parallelism).isEqualTo(2);
    assertThat(doc.spec().steps).singleElement().satisfies(s -> {
      assertThat(s.command).containsExactly("true");
      assertThat(s.retry.limit).isEqualTo(2);
    });
  }

  @Test
  void whatThePlainReaderLeavesToJacksonIsReadAsInAFile() throws Exception {
    // A float is left to Jackson's tree reader and binding: the same result as the same text as a file.
    String json = HEAD + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"parallelism\":2.0,"
        + "\"steps\":[{\"name\":\"a\",\"command\":[\"true\"]}]}}";
    WorkflowFile.Document doc = WorkflowFile.parseJson("M", json);
    assertThat(doc.spec().parallelism).isEqualTo(WorkflowFile.parse("M", json).getFirst().spec().parallelism)
        .isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {PlainJson.MAX_DEPTH + 1, 490, 20_000})
  void aManifestNestedDeeperThanTheLimitIsAnErrorNotAStackOverflow(int depth) {
    String deep = HEAD + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"steps\":"
        + "[".repeat(depth) + "]".repeat(depth) + "}}";
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", deep))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageStartingWith("M: invalid JSON")
        .hasMessageContaining("nesting depth").hasMessageContaining("(" + PlainJson.MAX_DEPTH);
  }

  @Test
  void badInputIsAnErrorThatSaysWhat() {
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", "{\"kind\": "))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageStartingWith("M: invalid JSON");
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", ""))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessage("M: no Workflow in it.");
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", HEAD + "\"spec\":{\"steps\":[]}} {}"))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessage("M: more than one JSON value.");
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{}}"))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageContaining("kind is \"Pod\"");
    // Not a string: its text, as the message always said it.
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", "{\"apiVersion\":\"v1\",\"kind\":3,\"spec\":{}}"))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageContaining("kind is \"3\"");
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", "{\"apiVersion\":true,\"kind\":\"Workflow\",\"spec\":{}}"))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageContaining("apiVersion is \"true\"");
    assertThatThrownBy(() -> WorkflowFile.parseJson("M", HEAD + "\"metadata\":{\"name\":\"w\"}}"))
        .isInstanceOf(WorkflowFile.InvalidFile.class).hasMessageContaining("has no spec");
  }
}
