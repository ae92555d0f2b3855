package dev.shepherd.api.wire;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * What a Workflow manifest says (its apiVersion and kind are checked before), without the {@link
 * Workflow} object, whose construction (fabric8's {@code CustomResource} reads the class's
 * annotations, making a proxy class for each) took a third of {@code shepherd run}'s start-up.
 */
public record Manifest(ObjectMeta metadata, WorkflowSpec spec) {
  public static Manifest of(Workflow w) {
    return new Manifest(w.getMetadata(), w.getSpec());
  }

  /** metadata.name, or null. */
  public String name() {
    return metadata == null ? null : metadata.getName();
  }

  /** metadata.generation, or 1 (a file's first version). */
  public long generation() {
    Long g = metadata == null ? null : metadata.getGeneration();
    return g == null ? 1 : g;
  }
}
