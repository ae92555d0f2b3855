package dev.shepherd.view;

import dev.shepherd.api.WorkflowPhase;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cancel, suspend, resume and retry, for every face that offers them (the kubectl plugin, the web
 * UI's buttons): each one merge patch of the Workflow's spec, the same one {@code kubectl patch}
 * would send, so that the operator needs nothing of either face to act on it.
 */
public final class Controls {
  /** The actions, named as the plugin's commands and the UI's buttons name them. */
  public enum Action {
    CANCEL,
    SUSPEND,
    RESUME,
    RETRY;

    public String verb() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action of {@code verb}; null when there is none. */
    public static Action of(String verb) {
      for (Action a : values()) {
        if (a.verb().equals(verb)) {
          return a;
        }
      }
      return null;
    }
  }

  /** An action the Workflow can't take now; the message says why. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  private Controls() {}

  /**
   * The JSON object to merge into the spec of the Workflow {@code name}, whose stored status (as
   * plain JSON values, whatever this version's model knows of them) is {@code status}.
   *
   * @throws Refused for a retry of a Workflow that is not Failed or Cancelled
   */
  public static String specPatch(Action action, String name, Map<?, ?> status) throws Refused {
    return switch (action) {
      case CANCEL -> "{\"cancel\":true}";
      case SUSPEND -> "{\"suspend\":true}";
      case RESUME -> "{\"suspend\":false}";
      case RETRY -> retry(name, status);
    };
  }

  /**
   * Retry in place: spec.retryGeneration one past the last retry's generation (1 for the first),
   * and no cancel, so that the operator runs the failed, cancelled and skipped steps again.
   */
  private static String retry(String name, Map<?, ?> status) throws Refused {
    Object phase = status == null ? null : status.get("phase");
    if (!WorkflowPhase.Failed.name().equals(phase)
        && !WorkflowPhase.Cancelled.name().equals(phase)) {
      throw new Refused(
          "workflow "
              + name
              + " is "
              + (phase == null ? "not started" : phase)
              + ": only a Failed or Cancelled workflow can be retried");
    }
    return "{\"retryGeneration\":" + nextRetry(status) + ",\"cancel\":false}";
  }

  /** One more than the generation of the last retry in {@code status} (1 when none). */
  public static long nextRetry(Map<?, ?> status) {
    if (status != null
        && status.get("retries") instanceof List<?> retries
        && !retries.isEmpty()
        && retries.getLast() instanceof Map<?, ?> last
        && last.get("generation") instanceof Number generation) {
      return generation.longValue() + 1;
    }
    return 1;
  }
}
