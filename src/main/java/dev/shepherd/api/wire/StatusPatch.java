package dev.shepherd.api.wire;

import dev.shepherd.api.WorkflowStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON merge patch (RFC 7386) of a Workflow's status in supervisor mode, where two writers
 * share the status and each owns its fields: the supervisor owns {@link #OWNED_FIELDS}, the
 * controller {@value #OBSERVED_GENERATION} (and, once the supervisor's Pod is gone, the
 * supervisor's fields as well). A patch holds exactly the fields of its writer, each one present (a
 * field the status does not have is sent as null, which removes it), so neither undoes the other.
 * Lists ({@code steps}, {@code conditions}) replace the stored lists as a whole.
 *
 * <p>Here in {@code api.wire}, beside the model, because both sides build it: the operator and the
 * supervisor may both depend on {@code api}, while the supervisor may depend on neither {@code
 * operator} nor {@code cli}. The fields and the shape of the patch are defined once, here.
 *
 * <p>The two sides make the JSON text differently. The supervisor makes its patch with {@link
 * #of(WorkflowStatus)}, from the plain values of {@link StatusJson}, so that writing a status at
 * every step's change loads no Jackson class into its memory. The operator has Jackson loaded
 * anyway: it takes the tree of a status from its ObjectMapper, picks the fields with {@link #owned}
 * and writes {@link #document} with the mapper. {@code StatusJsonTest} checks that both trees, and
 * both texts, are the same.
 */
public final class StatusPatch {
  /** The status fields the supervisor owns while its Pod lives. */
  public static final List<String> OWNED_FIELDS =
      List.of(
          "phase",
          "progress",
          "startedAt",
          "finishedAt",
          "message",
          "steps",
          "abortReason",
          "abortMessage",
          "conditions");

  /** The status field the controller owns in supervisor mode. */
  public static final String OBSERVED_GENERATION = "observedGeneration";

  public static final String CONTENT_TYPE = "application/merge-patch+json";

  private StatusPatch() {}

  /** The supervisor's patch of {@code status}: {@code {"status": {owned fields}}}, by hand. */
  public static String of(WorkflowStatus status) {
    return StatusJson.write(document(owned(StatusJson.tree(status))));
  }

  /**
   * The {@link #OWNED_FIELDS} of a status as a JSON tree (as a mapper or {@link StatusJson} makes
   * it), in their order, each one present: null, written as JSON null, when the status has none.
   */
  public static Map<String, Object> owned(Map<String, ?> status) {
    Map<String, Object> owned = new LinkedHashMap<>();
    for (String field : OWNED_FIELDS) {
      owned.put(field, status.get(field));
    }
    return owned;
  }

  /**
   * The patch of the status subresource that sets exactly {@code fields}: {@code {"status":
   * fields}}.
   */
  public static Map<String, Object> document(Map<String, Object> fields) {
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("status", fields);
    return patch;
  }
}
