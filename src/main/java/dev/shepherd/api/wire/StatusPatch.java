package dev.shepherd.supervisor.report;

import dev.shepherd.api.WorkflowStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON merge patch (RFC 7386) with which the supervisor writes a status: exactly the fields it
 * owns, each one present (a field the snapshot does not have is sent as null, which removes it),
 * and nothing else, so {@code observedGeneration}, which the controller owns, is never touched.
 * Lists ({@code steps}, {@code conditions}) replace the stored lists as a whole. Made of the plain
 * values of {@link StatusJson}, so no Jackson class is loaded for it.
 */
public final class StatusPatch {
  /** The status fields the supervisor owns while its Pod lives. */
  public static final List<String> OWNED_FIELDS =
      List.of("phase", "progress", "startedAt", "finishedAt", "message", "steps", "conditions");

  public static final String CONTENT_TYPE = "application/merge-patch+json";

  private StatusPatch() {}

  /** {@code {"status": {owned fields}}}. */
  public static String of(WorkflowStatus status) {
    Map<String, Object> all = StatusJson.tree(status);
    Map<String, Object> owned = new LinkedHashMap<>();
    for (String field : OWNED_FIELDS) {
      owned.put(field, all.get(field)); // null, written as JSON null, when the status has none
    }
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("status", owned);
    return StatusJson.write(patch);
  }
}
