package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.WorkflowStatus;
import java.util.List;

/**
 * The JSON merge patch (RFC 7386) with which the supervisor writes a status: exactly the fields it
 * owns, each one present (a field the snapshot does not have is sent as null, which removes it),
 * and nothing else, so {@code observedGeneration}, which the controller owns, is never touched.
 * Lists ({@code steps}, {@code conditions}) replace the stored lists as a whole.
 */
public final class StatusPatch {
  /** The status fields the supervisor owns while its Pod lives. */
  public static final List<String> OWNED_FIELDS =
      List.of("phase", "progress", "startedAt", "finishedAt", "message", "steps", "conditions");

  public static final String CONTENT_TYPE = "application/merge-patch+json";

  private StatusPatch() {}

  /** {@code {"status": {owned fields}}}. */
  public static String of(WorkflowStatus status) {
    ObjectNode all = StatusJson.tree(status);
    ObjectNode owned = JsonNodeFactory.instance.objectNode();
    for (String field : OWNED_FIELDS) {
      owned.set(field, all.hasNonNull(field) ? all.get(field) : JsonNodeFactory.instance.nullNode());
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.set("status", owned);
    return StatusJson.write(patch);
  }
}
