package dev.shepherd.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.operator.TestingCluster;
import dev.shepherd.supervisor.report.Statuses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusPatchTest {
  @Test
  void holdsExactlyTheSupervisorsFieldsAndNeverObservedGeneration() throws Exception {
    WorkflowStatus status = Statuses.status(WorkflowPhase.Running, 2, 1, "half");
    JsonNode patch = Statuses.JSON.readTree(StatusPatch.of(status));
    assertThat(patch.size()).isEqualTo(1);
    List<String> fields = new ArrayList<>();
    patch.get("status").fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactlyElementsOf(StatusPatch.OWNED_FIELDS)
        .doesNotContain("observedGeneration");
    assertThat(patch.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(patch.at("/status/finishedAt").isNull())
        .as("unset finishedAt is sent as null (removes it)")
        .isTrue();
    assertThat(patch.at("/status/steps").size()).isEqualTo(2);
    assertThat(patch.at("/status/steps/1/exitCode").isMissingNode()).isTrue();
  }

  /** The text is Jackson's text of the owned fields of the mapper's tree: order, escapes, nulls. */
  @Test
  void isTheMappersTextOfTheOwnedFields() throws Exception {
    WorkflowStatus status =
        Statuses.status(
            WorkflowPhase.Failed, 3, 1, "quote \" backslash \\ newline \n ctrl \u0001 é 𝄞");
    status.steps.get(2).exitCode = 137;
    status.steps.get(2).message = "tab \t end";
    status.conditions.get(0).setObservedGeneration(7L);
    JsonNode all = Statuses.JSON.valueToTree(status);
    ObjectNode expected = Statuses.JSON.createObjectNode();
    ObjectNode owned = expected.putObject("status");
    for (String field : StatusPatch.OWNED_FIELDS) {
      owned.set(field, all.hasNonNull(field) ? all.get(field) : NullNode.instance);
    }
    assertThat(StatusPatch.of(status))
        .isEqualTo(Statuses.JSON.writeValueAsString(expected))
        .contains("\"finishedAt\":null,")
        .contains("\"exitCode\":137,");
  }

  /**
   * The operator's way to the same patch, as it writes a takeover: the mapper's tree of the status,
   * {@link StatusPatch#owned} and {@link StatusPatch#document}, written by the mapper.
   */
  @Test
  void theOperatorsMapperWritesTheSamePatchFromTheSameDefinition() throws Exception {
    WorkflowStatus status = Statuses.status(WorkflowPhase.Running, 3, 2, "tab \t and \"quotes\"");
    status.finishedAt = null;
    status.conditions.get(0).setObservedGeneration(4L);
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = Statuses.JSON.convertValue(status, Map.class);

    String operators =
        Statuses.JSON.writeValueAsString(StatusPatch.document(StatusPatch.owned(tree)));

    assertThat(operators)
        .isEqualTo(StatusPatch.of(status))
        .contains("\"finishedAt\":null,")
        .doesNotContain(StatusPatch.OBSERVED_GENERATION + "\":99");
  }

  /** The examples of RFC 7386, appendix A, for the test server's merge. */
  @Test
  void testServerMergesAsRfc7386() throws Exception {
    String[][] cases = {
      {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
      {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
      {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
      {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
      {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
      {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
      {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
      {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
      {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
      {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
      {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
      {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
      {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    };
    for (String[] c : cases) {
      JsonNode merged =
          TestingCluster.mergePatch(Statuses.JSON.readTree(c[0]), Statuses.JSON.readTree(c[1]));
      assertThat(merged).as("%s + %s", c[0], c[1]).isEqualTo(Statuses.JSON.readTree(c[2]));
    }
  }
}
