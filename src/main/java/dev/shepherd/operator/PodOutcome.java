package dev.shepherd.operator;

import dev.shepherd.engine.Outcome;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;
import java.util.Set;

/** Reads how a step's Pod ended from its status, as the kubelet wrote it. */
public final class PodOutcome {
  /** Waiting reasons that no amount of waiting fixes: the container will never start. */
  static final Set<String> FATAL_WAITING =
      Set.of(
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError");

  private PodOutcome() {}

  /** The outcome of a Pod that has ended, or empty while it has not. */
  public static Optional<Outcome> of(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    String phase = pod.getStatus().getPhase();
    ContainerStatus container = stepContainer(pod);
    ContainerState state = container == null ? null : container.getState();
    ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      Integer exitCode = terminated == null ? null : terminated.getExitCode();
      // The Pod's own reason (DeadlineExceeded, Evicted) says more than the container's (Error).
      String reason =
          firstNonNull(
              pod.getStatus().getReason(), terminated == null ? null : terminated.getReason());
      String message =
          firstNonNull(
              terminated == null ? null : terminated.getMessage(), pod.getStatus().getMessage());
      if ("Succeeded".equals(phase)) {
        // The step's outputs: its termination message file, which the kubelet read at the exit.
        String outputs = terminated == null ? null : terminated.getMessage();
        return Optional.of(new Outcome(exitCode == null ? 0 : exitCode, null, null, outputs));
      }
      // A Failed pod never counts as a success, whatever its container says.
      return Optional.of(new Outcome(exitCode, Outcome.failureReason(reason), message));
    }
    if (state != null
        && state.getWaiting() != null
        && FATAL_WAITING.contains(state.getWaiting().getReason())) {
      return Optional.of(
          new Outcome(null, state.getWaiting().getReason(), state.getWaiting().getMessage()));
    }
    return Optional.empty();
  }

  private static ContainerStatus stepContainer(Pod pod) {
    if (pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> StepPodBuilder.CONTAINER.equals(c.getName()))
        .findFirst()
        .orElse(null);
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
