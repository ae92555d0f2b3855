package dev.shepherd.operator;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Plays the kubelet for the operator tests: it writes Pod phases and container exit codes. */
public final class TestingKubelet {
  private final KubernetesClient client;
  private final String namespace;

  public TestingKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public void running(String pod) {
    write(
        pod,
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(StepPodBuilder.CONTAINER)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt("2026-01-01T00:00:00Z")
                    .endRunning()
                    .endState()
                    .build())
            .build());
  }

  public void succeed(String pod) {
    exit(pod, 0, "Completed", null, null);
  }

  public void fail(String pod, int exitCode) {
    exit(pod, exitCode, "Error", null, null);
  }

  /** Ends the container; podReason is the Pod's own reason (DeadlineExceeded, Evicted) or null. */
  public void exit(
      String pod, int exitCode, String containerReason, String message, String podReason) {
    write(
        pod,
        ended(
            exitCode == 0 && podReason == null ? "Succeeded" : "Failed",
            podReason,
            exitCode,
            containerReason,
            message));
  }

  /** The status of a step Pod whose container ended. */
  static PodStatus ended(
      String phase, String podReason, int exitCode, String containerReason, String message) {
    return new PodStatusBuilder()
        .withPhase(phase)
        .withReason(podReason)
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(StepPodBuilder.CONTAINER)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(containerReason)
                .withMessage(message)
                .endTerminated()
                .endState()
                .build())
        .build();
  }

  public void waiting(String pod, String reason, String message) {
    write(
        pod,
        new PodStatusBuilder()
            .withPhase("Pending")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(StepPodBuilder.CONTAINER)
                    .withNewState()
                    .withNewWaiting()
                    .withReason(reason)
                    .withMessage(message)
                    .endWaiting()
                    .endState()
                    .build())
            .build());
  }

  private void write(String name, PodStatus status) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    if (pod == null) {
      throw new IllegalStateException("no pod " + name);
    }
    pod.setStatus(status);
    client.pods().inNamespace(namespace).resource(pod).updateStatus();
  }
}
