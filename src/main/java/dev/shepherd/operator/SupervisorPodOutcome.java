package dev.shepherd.operator;

import dev.shepherd.engine.Outcome;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a supervisor Pod ended, or why it never will on its own, as the kubelet reports it.
 *
 * @param reason OOMKilled, Evicted, DeadlineExceeded, Error, PodDeleted, InvalidImageName,
 *     ImagePullBackOff, ...
 * @param message what the kubelet or the API server says about it, for people
 * @param terminationMessage what the supervisor wrote to /dev/termination-log, or null
 * @param podLives the Pod still exists and is not terminal (a container that can never start): the
 *     controller deletes it after taking over
 */
public record SupervisorPodOutcome(
    String reason, String message, String terminationMessage, boolean podLives) {
  /** Pull failures that may still heal; after this long they fail the workflow too. */
  public static final Duration PULL_PATIENCE = Duration.ofMinutes(5);

  static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff");

  public static SupervisorPodOutcome deleted(String podName) {
    return new SupervisorPodOutcome(
        "PodDeleted",
        "The supervisor Pod " + podName + " was deleted before the workflow ended.",
        null,
        false);
  }

  /** The ending of {@code pod}, or empty while it runs (or may still start). */
  public static Optional<SupervisorPodOutcome> of(Pod pod, Instant now) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    String phase = pod.getStatus().getPhase();
    String name = pod.getMetadata().getName();
    ContainerStatus main =
        container(pod.getStatus().getContainerStatuses(), SupervisorPodBuilder.CONTAINER);
    ContainerStateTerminated terminated =
        main == null || main.getState() == null ? null : main.getState().getTerminated();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      String termination = terminated == null ? null : terminated.getMessage();
      ContainerStateTerminated initFailure = failedInit(pod);
      if (pod.getStatus().getReason() != null) { // Evicted, DeadlineExceeded, ...
        String m =
            pod.getStatus().getMessage() != null
                ? pod.getStatus().getMessage()
                : "The supervisor Pod " + name + " failed: " + pod.getStatus().getReason() + ".";
        return Optional.of(
            new SupervisorPodOutcome(pod.getStatus().getReason(), m, termination, false));
      }
      if (terminated == null && initFailure != null) {
        String reason = Outcome.failureReason(initFailure.getReason());
        return Optional.of(
            new SupervisorPodOutcome(
                reason,
                "The init container "
                    + SupervisorPodBuilder.INIT_CONTAINER
                    + " of "
                    + name
                    + " failed with exit code "
                    + initFailure.getExitCode()
                    + " ("
                    + reason
                    + ")"
                    + (initFailure.getMessage() == null
                        ? "."
                        : ": " + initFailure.getMessage().strip()),
                termination,
                false));
      }
      Integer code = terminated == null ? null : terminated.getExitCode();
      String reason = Outcome.failureReason(terminated == null ? null : terminated.getReason());
      return Optional.of(
          new SupervisorPodOutcome(
              reason,
              "The supervisor of "
                  + name
                  + (code == null ? " ended" : " exited with code " + code)
                  + " ("
                  + reason
                  + ")"
                  + " before it reported the end of the workflow"
                  + startFailure(termination)
                  + ".",
              termination,
              false));
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty(); // being stopped: the supervisor gets its grace period to report
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus c : all) {
      ContainerStateWaiting waiting = c.getState() == null ? null : c.getState().getWaiting();
      if (waiting == null || waiting.getReason() == null) {
        continue;
      }
      boolean fatal = PodOutcome.FATAL_WAITING.contains(waiting.getReason());
      Instant pullDeadline = pullDeadline(pod);
      boolean gaveUp =
          PULL_FAILURES.contains(waiting.getReason())
              && pullDeadline != null
              && !now.isBefore(pullDeadline);
      if (fatal || gaveUp) {
        return Optional.of(
            new SupervisorPodOutcome(
                waiting.getReason(),
                "Container "
                    + c.getName()
                    + " of "
                    + name
                    + " cannot start ("
                    + waiting.getReason()
                    + ")"
                    + (gaveUp ? " after " + PULL_PATIENCE.toMinutes() + " minutes" : "")
                    + (waiting.getMessage() == null ? "." : ": " + waiting.getMessage()),
                null,
                true));
      }
    }
    return Optional.empty();
  }

  /**
   * When a pull failure of this Pod's images counts as final: {@link #PULL_PATIENCE} after the Pod
   * was scheduled (or created); null while no container waits for a pull.
   */
  public static Instant pullDeadline(Pod pod) {
    if (pod.getStatus() == null) {
      return null;
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    boolean pulling =
        all.stream()
            .anyMatch(
                c ->
                    c.getState() != null
                        && c.getState().getWaiting() != null
                        && PULL_FAILURES.contains(c.getState().getWaiting().getReason()));
    if (!pulling) {
      return null;
    }
    String since = null;
    if (pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "True".equals(c.getStatus())) {
          since = c.getLastTransitionTime();
        }
      }
    }
    if (since == null) {
      since = pod.getMetadata().getCreationTimestamp();
    }
    return since == null ? null : Instant.parse(since).plus(PULL_PATIENCE);
  }

  private static ContainerStateTerminated failedInit(Pod pod) {
    if (pod.getStatus().getInitContainerStatuses() == null) {
      return null;
    }
    for (ContainerStatus c : pod.getStatus().getInitContainerStatuses()) {
      ContainerStateTerminated t = c.getState() == null ? null : c.getState().getTerminated();
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        return t;
      }
    }
    return null;
  }

  private static ContainerStatus container(List<ContainerStatus> statuses, String name) {
    if (statuses == null) {
      return null;
    }
    return statuses.stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
  }

  /**
   * What the container runtime said when the supervisor could not even start (the kubelet puts it
   * where the supervisor's own last status would be): ": exec ...: exec format error", with the
   * reason in words for a node whose architecture the runtime was not built for; empty when the
   * message is the supervisor's status (JSON) or there is none.
   */
  static String startFailure(String terminationMessage) {
    if (terminationMessage == null
        || terminationMessage.isBlank()
        || terminationMessage.strip().startsWith("{")) {
      return "";
    }
    String said = terminationMessage.strip();
    if (said.contains("exec format error")) {
      return ": "
          + said
          + " (the supervisor runtime is built for x86-64 and this node runs another architecture)";
    }
    return ": " + said;
  }
}
