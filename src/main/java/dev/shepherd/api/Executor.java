package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where the steps of a workflow run. */
public enum Executor {
  /** Each step attempt is its own Pod. */
  @JsonProperty("pod")
  POD,
  /** All steps run in one Pod, as children of the shepherd supervisor (PID 1). */
  @JsonProperty("supervisor")
  SUPERVISOR
}
