package dev.shepherd.api;

/** When the operator deletes a workflow's Pods: see {@link PodGC}. */
public enum PodGCStrategy {
  OnPodCompletion,
  OnPodSuccess,
  OnWorkflowCompletion,
  Never
}
