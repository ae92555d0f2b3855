package dev.shepherd.api.wire;

import java.util.Map;

/**
 * What a running supervisor follows of its Workflow as the API server stores it: {@code
 * spec.suspend}, and the {@code metadata.generation} it was read at (which the status it writes
 * then says it observed). The rest of the spec is the one it started with.
 *
 * <p>Read by hand ({@link PlainJson}) from the whole Workflow a GET returns: the supervisor must
 * not load Jackson, and reads this every few seconds.
 */
public record SpecControl(boolean suspend, long generation) {
  /** The control fields of a Workflow's JSON; null if it is not a Workflow in the plain subset. */
  public static SpecControl read(String workflowJson) {
    Object tree;
    try {
      tree = PlainJson.read(workflowJson);
    } catch (PlainJson.Unusual e) {
      return null;
    }
    if (!(tree instanceof Map<?, ?> workflow)
        || !(workflow.get("metadata") instanceof Map<?, ?> metadata)
        || !(metadata.get("generation") instanceof Number generation)) {
      return null;
    }
    boolean suspend =
        workflow.get("spec") instanceof Map<?, ?> spec && Boolean.TRUE.equals(spec.get("suspend"));
    return new SpecControl(suspend, generation.longValue());
  }
}
