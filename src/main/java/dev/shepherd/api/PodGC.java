package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * Which Pods of a workflow the operator deletes, and when (Argo's names). A Pod goes only after the
 * status the operator wrote records how its attempt ended, so its exit code, reason, message and
 * outputs stay.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodGC {
  @Default("Never")
  @JsonPropertyDescription(
      "OnPodCompletion: each Pod once its attempt has ended. OnPodSuccess: each Pod that"
          + " succeeded, once its attempt has ended. OnWorkflowCompletion: every Pod once the"
          + " workflow has ended. Never (default): Pods stay until the Workflow is deleted.")
  public PodGCStrategy strategy;

  public PodGC() {}

  public PodGC(PodGCStrategy strategy) {
    this.strategy = strategy;
  }

  /** The strategy of {@code gc}, {@link PodGCStrategy#Never} when either is unset. */
  public static PodGCStrategy strategyOf(PodGC gc) {
    return gc == null || gc.strategy == null ? PodGCStrategy.Never : gc.strategy;
  }
}
