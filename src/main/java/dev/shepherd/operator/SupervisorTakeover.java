package dev.shepherd.operator;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Abort;
import dev.shepherd.engine.Engine;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's last word on a workflow whose supervisor Pod ended (or can never start) before
 * the status said the workflow ended: never Running forever.
 *
 * <ol>
 *   <li>The supervisor's termination message (its last status, as JSON) is used where it is newer
 *       than the stored status. It is read leniently; a message that is not whole JSON (cut at 4096
 *       bytes) is ignored. The supervisor shortens a long message by leaving out Succeeded steps
 *       first; a step left out while the message counts more finished steps than it lists is taken
 *       as Succeeded (said in its message), otherwise the stored entry of a left-out step stands.
 *   <li>If that state is final, it is the result.
 *   <li>Otherwise the {@link Engine} aborts the workflow ({@link Abort#lost}): every unfinished
 *       step ends with the Pod's reason (Running and Retrying steps Failed, Pending steps Skipped),
 *       and the workflow fails with a message that says what happened to the Pod.
 * </ol>
 */
public final class SupervisorTakeover {
  static final int MAX_POD_MESSAGE = 200;

  private final Engine engine;

  public SupervisorTakeover(Engine engine) {
    this.engine = engine;
  }

  /** The status after the takeover; {@code stored} is not changed. */
  public WorkflowStatus takeOver(
      WorkflowSpec spec,
      WorkflowStatus stored,
      SupervisorPodOutcome pod,
      long generation,
      KubernetesSerialization json) {
    WorkflowStatus status = stored == null ? new WorkflowStatus() : json.clone(stored);
    Optional<WorkflowStatus> last = parse(pod.terminationMessage(), json);
    if (last.isPresent() && newer(last.get(), status)) {
      status = merge(status, last.get());
    }
    status.observedGeneration = stored == null ? null : stored.observedGeneration;
    engine.abort(spec, status, abort(pod), generation); // nothing, if that state is final
    return status;
  }

  /** The supervisor's last status from its termination message, if that is whole JSON. */
  public static Optional<WorkflowStatus> parse(
      String terminationMessage, KubernetesSerialization json) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return Optional.empty();
    }
    try {
      WorkflowStatus s = json.unmarshal(terminationMessage.strip(), WorkflowStatus.class);
      if (s == null) {
        return Optional.empty();
      }
      if (s.steps == null) {
        s.steps = new ArrayList<>();
      }
      if (s.conditions == null) {
        s.conditions = new ArrayList<>();
      }
      s.steps.removeIf(st -> st == null || st.name == null || st.phase == null);
      return Optional.of(s);
    } catch (RuntimeException e) {
      return Optional.empty(); // cut, or not ours
    }
  }

  /** More steps finished, or as many and the phase final where the other's is not. */
  static boolean newer(WorkflowStatus candidate, WorkflowStatus than) {
    int a = finished(candidate);
    int b = finished(than);
    if (a != b) {
      return a > b;
    }
    boolean af = candidate.phase != null && candidate.phase.isFinal();
    boolean bf = than.phase != null && than.phase.isFinal();
    return af && !bf;
  }

  /** Finished steps: what progress ("3/5") counts, or the finished entries when it counts fewer. */
  static int finished(WorkflowStatus s) {
    int listed =
        (int) s.steps.stream().filter(st -> st.phase != null && st.phase.isFinal()).count();
    return Math.max(listed, progressDone(s));
  }

  private static int progressDone(WorkflowStatus s) {
    if (s.progress == null || !s.progress.contains("/")) {
      return 0;
    }
    try {
      return Integer.parseInt(s.progress.substring(0, s.progress.indexOf('/')).strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The supervisor-owned fields of {@code last}; steps it left out are filled in from {@code
   * stored}.
   */
  static WorkflowStatus merge(WorkflowStatus stored, WorkflowStatus last) {
    WorkflowStatus m = new WorkflowStatus();
    m.phase = last.phase;
    m.progress = last.progress;
    m.startedAt = last.startedAt != null ? last.startedAt : stored.startedAt;
    m.finishedAt = last.finishedAt;
    m.message = last.message;
    m.conditions = last.conditions.isEmpty() ? stored.conditions : last.conditions;
    m.observedGeneration = stored.observedGeneration;
    Map<String, StepStatus> listed = new HashMap<>();
    last.steps.forEach(st -> listed.put(st.name, st));
    int unlistedFinished =
        progressDone(last) - (int) last.steps.stream().filter(st -> st.phase.isFinal()).count();
    List<StepStatus> steps = new ArrayList<>();
    List<StepStatus> unlisted = new ArrayList<>();
    for (StepStatus st : stored.steps) {
      StepStatus l = listed.remove(st.name);
      if (l != null) {
        steps.add(l);
      } else {
        steps.add(st);
        if (!st.phase.isFinal()) {
          unlisted.add(st);
        }
      }
    }
    steps.addAll(listed.values()); // steps the stored status did not have yet
    unlistedFinished -=
        (int)
            stored.steps.stream()
                .filter(
                    st ->
                        st.phase.isFinal()
                            && !last.steps.stream().anyMatch(l -> l.name.equals(st.name)))
                .count();
    boolean lastFinal = last.phase != null && last.phase.isFinal();
    if (lastFinal || (!unlisted.isEmpty() && unlisted.size() <= unlistedFinished)) {
      for (StepStatus st : unlisted) {
        st.phase = StepPhase.Succeeded;
        st.reason = null;
        st.message = "Left out of the supervisor's last report, which counted it as finished.";
      }
    }
    m.steps = steps;
    return m;
  }

  /**
   * What the end of the supervisor Pod does to the steps it ran, and what the workflow says about
   * it.
   */
  static Abort abort(SupervisorPodOutcome pod) {
    String what = shorten(pod.message());
    return Abort.lost(
        pod.reason(),
        what,
        "The supervisor Pod ended while the step ran: " + what,
        "The supervisor Pod failed (" + pod.reason() + "): " + what);
  }

  private static String shorten(String message) {
    if (message == null) {
      return "";
    }
    String m = message.strip();
    return m.length() <= MAX_POD_MESSAGE ? m : m.substring(0, MAX_POD_MESSAGE - 1) + "…";
  }
}
