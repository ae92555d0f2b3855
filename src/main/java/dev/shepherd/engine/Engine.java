package dev.shepherd.engine;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The meaning of a workflow, as pure decisions: which step runs next, retries and their backoff,
 * timeouts, skips after a failed dependency, and the workflow's phase and conditions. Pod mode, the
 * supervisor and {@code shepherd run} all decide with it, so a workflow means the same everywhere.
 *
 * <p>The status is the whole state: an executor that restarts rebuilds nothing but the status. The
 * executor reports what happened ({@link #finished}), asks what to do ({@link #plan}), does it, and
 * asks again at the latest at {@link Plan#wakeAt()}. Steps that must end before they end on their
 * own (the workflow's deadline, a cancel, a lost executor) are ended by {@link #abort}, and only
 * there. No Kubernetes client, no process, and the clock is injected.
 */
public final class Engine {
  /** A failed attempt's message is cut to its last characters, to keep the status small. */
  static final int MAX_STEP_MESSAGE = 256;

  static final int DEFAULT_BACKOFF_SECONDS = 1;
  static final int DEFAULT_MAX_BACKOFF_SECONDS = 300;

  private final Clock clock;

  /**
   * The positions of the last spec's steps by name, built once per spec object: a local executor
   * plans the same spec object after every step.
   */
  private volatile SpecIndex lastIndex;

  /** The steps of one spec object by name, and their positions in {@code spec.steps}. */
  private record SpecIndex(WorkflowSpec spec, Map<String, Integer> position) {
    Step step(String name) {
      Integer i = position.get(name);
      return i == null ? null : spec.steps.get(i);
    }
  }

  public Engine(Clock clock) {
    this.clock = clock;
  }

  /**
   * Brings the status up to date with the spec and the time, and says what to start and stop. The
   * status is changed in place to what it will be once the plan is carried out.
   *
   * <p>The spec is one that {@link SpecValidation#problems} found no problem in: each executor
   * validates once, for what it runs on, and {@link #reject}s a spec that can't run instead.
   */
  public Plan plan(WorkflowSpec spec, WorkflowStatus status, long generation) {
    if (status.phase != null && status.phase.isFinal()) {
      return Plan.NOTHING;
    }
    Instant now = clock.instant();
    status.observedGeneration = generation;
    List<String> stop = new ArrayList<>(syncSteps(spec, status));
    if (status.startedAt == null) {
      status.startedAt = Timestamps.format(now);
    }
    // After syncSteps, status.steps holds the steps' states in the spec's order: a state is found
    // by the spec position of its name, without a map per plan (a local run plans once per step).
    SpecIndex index = index(spec);
    States states = name -> state(index, status, name);

    Instant deadline = workflowDeadline(spec, status);
    boolean unfinished = status.steps.stream().anyMatch(st -> !st.phase.isFinal());
    if (unfinished && deadline != null && !now.isBefore(deadline)) {
      return endSteps(
          status, Abort.deadline(spec.activeDeadlineSeconds), generation, now, stop, index);
    }

    for (StepStatus st : status.steps) {
      Instant timeout = stepDeadline(index.step(st.name), st);
      if (timeout != null && !now.isBefore(timeout)) {
        stop.add(st.name);
        attemptFailed(
            index.step(st.name),
            st,
            now,
            new Outcome(
                null,
                Reason.DeadlineExceeded.name(),
                "Attempt "
                    + st.attempts
                    + " exceeded its timeoutSeconds of "
                    + index.step(st.name).timeoutSeconds
                    + " s."));
      }
    }

    if (status.steps.stream()
        .anyMatch(st -> st.phase == StepPhase.Failed || st.phase == StepPhase.Skipped)) {
      skipAfterFailedDependencies(
          spec, states, index, now); // else nothing to skip: no pass over every dependency
    }

    List<StepStart> start = new ArrayList<>();
    int running = 0;
    for (StepStatus st : status.steps) {
      if (st.phase == StepPhase.Running) {
        running++;
      }
    }
    int limit = spec.parallelism == null ? Integer.MAX_VALUE : spec.parallelism;
    for (int i = 0; i < spec.steps.size(); i++) {
      if (running >= limit) {
        break;
      }
      Step step = spec.steps.get(i);
      StepStatus st = status.steps.get(i);
      boolean ready =
          switch (st.phase) {
            case Pending -> dependenciesDone(step, states, index);
            case Retrying -> !now.isBefore(retryAt(step, st));
            default -> false;
          };
      if (ready) {
        st.phase = StepPhase.Running;
        st.attempts = st.attemptsOrZero() + 1;
        st.startedAt = Timestamps.format(now);
        st.finishedAt = null;
        st.exitCode = null;
        st.reason = null;
        st.message = null;
        st.podName = null;
        start.add(new StepStart(step.name, st.attempts));
        running++;
      }
    }

    summarize(status, generation, now, null, index);
    return new Plan(
        start, stop, status.phase.isFinal() ? null : wakeAt(index, status, deadline, now));
  }

  /**
   * Records the end of an attempt. An end that is not of the step's current running attempt (a late
   * report of an attempt already timed out, or a repeat) is ignored and false is returned. Call
   * {@link #plan} afterwards to learn what follows.
   */
  public boolean finished(
      WorkflowSpec spec, WorkflowStatus status, String stepName, int attempt, Outcome outcome) {
    SpecIndex index = index(spec);
    StepStatus st = state(index, status, stepName);
    Step step = index.step(stepName);
    if (st == null
        || step == null
        || st.phase != StepPhase.Running
        || st.attemptsOrZero() != attempt) {
      return false;
    }
    Instant now = clock.instant();
    if (outcome.succeeded()) {
      succeeded(step, st, now, outcome);
    } else {
      attemptFailed(step, st, now, outcome);
    }
    return true;
  }

  /**
   * A clean exit: the step succeeded with its outputs, or, when they can't be parsed, the attempt
   * failed as any other (and is retried if retries are left). A failed attempt's outputs are not
   * looked at: in pod mode they are the termination message, which the kubelet fills with the log's
   * last lines when the step failed without writing any.
   */
  private static void succeeded(Step step, StepStatus st, Instant now, Outcome outcome) {
    Map<String, String> outputs;
    try {
      // Parsed only when there are some: a workflow without outputs never loads the parser.
      outputs =
          outcome.outputs() == null || outcome.outputs().isEmpty()
              ? Map.of()
              : Outputs.parse(outcome.outputs());
    } catch (Outputs.Invalid e) {
      attemptFailed(
          step,
          st,
          now,
          new Outcome(
              outcome.exitCode(),
              Outputs.INVALID_REASON,
              "Invalid outputs: " + e.getMessage() + "."));
      return;
    }
    end(st, StepPhase.Succeeded, now, outcome.exitCode(), null, null);
    st.outputs = outputs.isEmpty() ? null : new LinkedHashMap<>(outputs);
  }

  /**
   * Stops the workflow on request (the supervisor got SIGTERM, say): running steps fail with reason
   * Cancelled and are returned to be stopped, the others are skipped, and the phase is Cancelled.
   */
  public Plan cancel(WorkflowSpec spec, WorkflowStatus status, String why, long generation) {
    return abort(spec, status, Abort.cancel(why), generation);
  }

  /**
   * Ends the unfinished steps that {@code abort} names before they end on their own: running ones
   * fail and are returned to be stopped, retrying ones fail without a retry, pending ones are
   * skipped. Once no step is left unfinished, the workflow ends as the abort says; until then it
   * goes on (ask {@link #plan} what follows). The status is first brought up to date with the spec,
   * as by {@link #plan}, so a step it has no entry for yet gets one (and is skipped).
   */
  public Plan abort(WorkflowSpec spec, WorkflowStatus status, Abort abort, long generation) {
    if (status.phase != null && status.phase.isFinal()) {
      return Plan.NOTHING;
    }
    status.observedGeneration = generation;
    List<String> stop = new ArrayList<>(syncSteps(spec, status));
    return endSteps(status, abort, generation, clock.instant(), stop, index(spec));
  }

  /** {@link #abort} on a status in step with its spec; adds the steps to stop to {@code stop}. */
  private static Plan endSteps(
      WorkflowStatus status,
      Abort abort,
      long generation,
      Instant now,
      List<String> stop,
      SpecIndex index) {
    if (status.startedAt == null) {
      status.startedAt = Timestamps.format(now);
    }
    boolean goesOn = false;
    for (StepStatus st : status.steps) {
      if (st.phase.isFinal()) {
        continue;
      }
      if (!abort.ends().test(st.name)) {
        goesOn = true;
        continue;
      }
      switch (st.phase) {
        case Running -> {
          stop.add(st.name);
          end(st, StepPhase.Failed, now, null, abort.stepReason(), abort.stopped());
        }
        case Retrying ->
            end(
                st,
                StepPhase.Failed,
                now,
                st.exitCode,
                abort.stepReason(),
                "Not retried: " + abort.why());
        default -> end(st, StepPhase.Skipped, now, null, null, "Not run: " + abort.why());
      }
    }
    summarize(status, generation, now, goesOn ? null : abort, index);
    return new Plan(List.of(), stop, null);
  }

  /** Fails the workflow for a spec that can't run, before anything starts. Nothing is created. */
  public void reject(WorkflowStatus status, List<Problem> problems, long generation) {
    Instant now = clock.instant();
    status.observedGeneration = generation;
    status.phase = WorkflowPhase.Failed;
    status.finishedAt = Timestamps.format(now);
    StringBuilder message = new StringBuilder("Invalid spec:");
    for (Problem p : problems) {
      message.append(' ').append(p.message());
    }
    status.message = message.toString();
    Conditions.update(status, Reason.InvalidSpec, status.message, generation, now);
  }

  /** When the backoff of a failed attempt ends: base * 2^(attempts-1) seconds, capped. */
  public static Instant retryAt(Step step, StepStatus st) {
    return Timestamps.parse(st.finishedAt).plus(backoff(step, st.attemptsOrZero()));
  }

  static Duration backoff(Step step, int failedAttempts) {
    int base = DEFAULT_BACKOFF_SECONDS;
    int cap = DEFAULT_MAX_BACKOFF_SECONDS;
    if (step.retry != null) {
      base = step.retry.backoffSeconds == null ? base : step.retry.backoffSeconds;
      cap = step.retry.maxBackoffSeconds == null ? cap : step.retry.maxBackoffSeconds;
    }
    long seconds = base;
    for (int i = 1; i < failedAttempts && seconds < cap; i++) {
      seconds *= 2;
    }
    return Duration.ofSeconds(Math.min(seconds, cap));
  }

  static int retryLimit(Step step) {
    return step.retry == null || step.retry.limit == null ? 0 : step.retry.limit;
  }

  private static void attemptFailed(Step step, StepStatus st, Instant now, Outcome outcome) {
    String reason = Outcome.failureReason(outcome.reason());
    boolean retry = st.attemptsOrZero() <= retryLimit(step);
    end(
        st,
        retry ? StepPhase.Retrying : StepPhase.Failed,
        now,
        outcome.exitCode(),
        reason,
        tail(outcome.message()));
  }

  private static void end(
      StepStatus st,
      StepPhase phase,
      Instant now,
      Integer exitCode,
      String reason,
      String message) {
    st.phase = phase;
    st.finishedAt = Timestamps.format(now);
    st.exitCode = exitCode;
    st.reason = reason;
    st.message = message;
  }

  static String tail(String message) {
    if (message == null || message.isBlank()) {
      return null;
    }
    String trimmed = message.strip();
    return trimmed.length() <= MAX_STEP_MESSAGE
        ? trimmed
        : "…" + trimmed.substring(trimmed.length() - MAX_STEP_MESSAGE + 1);
  }

  /**
   * Adds a Pending entry for every step of the spec that has none, and drops entries of removed
   * steps. Returns the removed steps that were running: the executor must stop them.
   */
  private static List<String> syncSteps(WorkflowSpec spec, WorkflowStatus status) {
    if (inSpecOrder(spec, status)) {
      return List.of(); // the usual case, checked without a map
    }
    Map<String, StepStatus> known = new HashMap<>();
    for (StepStatus st : status.steps) {
      known.put(st.name, st);
    }
    List<StepStatus> synced = new ArrayList<>(spec.steps.size());
    for (Step step : spec.steps) {
      StepStatus st = known.get(step.name);
      synced.add(st != null ? st : new StepStatus(step.name));
      known.remove(step.name);
    }
    status.steps = synced;
    return known.values().stream()
        .filter(st -> st.phase == StepPhase.Running)
        .map(st -> st.name)
        .toList();
  }

  private static boolean inSpecOrder(WorkflowSpec spec, WorkflowStatus status) {
    if (status.steps.size() != spec.steps.size()) {
      return false;
    }
    for (int i = 0; i < spec.steps.size(); i++) {
      if (!spec.steps.get(i).name.equals(status.steps.get(i).name)) {
        return false;
      }
    }
    return true;
  }

  /** A step's state by name (after {@link #syncSteps}, every step of the spec has one). */
  @FunctionalInterface
  private interface States {
    StepStatus get(String name);
  }

  /**
   * The state of the step {@code name}: at its spec position when the status is in spec order (as
   * after {@link #syncSteps}), else found by a search; null if the status has none.
   */
  private static StepStatus state(SpecIndex index, WorkflowStatus status, String name) {
    Integer at = index.position().get(name);
    if (at != null && at < status.steps.size() && status.steps.get(at).name.equals(name)) {
      return status.steps.get(at);
    }
    return status.step(name);
  }

  private static void skipAfterFailedDependencies(
      WorkflowSpec spec, States states, SpecIndex index, Instant now) {
    boolean changed = true;
    while (changed) { // to a fixed point: a skip can make its own dependents skip
      changed = false;
      for (Step step : spec.steps) {
        StepStatus st = states.get(step.name);
        if (st.phase != StepPhase.Pending) {
          continue;
        }
        for (String dep : step.dependsOrEmpty()) {
          StepStatus d = states.get(dep);
          if ((d.phase == StepPhase.Failed && !excusedFailure(d, index))
              || d.phase == StepPhase.Skipped) {
            String verb = d.phase == StepPhase.Failed ? "failed" : "was skipped";
            end(
                st,
                StepPhase.Skipped,
                now,
                null,
                null,
                "Skipped because dependency " + dep + " " + verb + ".");
            changed = true;
            break;
          }
        }
      }
    }
  }

  /** Every dependency succeeded, or failed with {@code allowFailure}: the step may start. */
  private static boolean dependenciesDone(Step step, States states, SpecIndex index) {
    List<String> depends = step.dependsOrEmpty();
    // By index, not an iterator: this runs for every pending step on every plan, and an iterator
    // each time was most of a long local run's garbage.
    for (int i = 0; i < depends.size(); i++) {
      StepStatus dep = states.get(depends.get(i));
      if (dep.phase != StepPhase.Succeeded && !excusedFailure(dep, index)) {
        return false;
      }
    }
    return true;
  }

  private static Instant workflowDeadline(WorkflowSpec spec, WorkflowStatus status) {
    if (spec.activeDeadlineSeconds == null || status.startedAt == null) {
      return null;
    }
    return Timestamps.parse(status.startedAt).plusSeconds(spec.activeDeadlineSeconds);
  }

  private static Instant stepDeadline(Step step, StepStatus st) {
    if (st.phase != StepPhase.Running || step.timeoutSeconds == null || st.startedAt == null) {
      return null;
    }
    return Timestamps.parse(st.startedAt).plusSeconds(step.timeoutSeconds);
  }

  private static Instant wakeAt(
      SpecIndex steps, WorkflowStatus status, Instant workflowDeadline, Instant now) {
    Instant wake = workflowDeadline;
    for (StepStatus st : status.steps) {
      Instant t =
          switch (st.phase) {
            case Running -> stepDeadline(steps.step(st.name), st);
            // A retry whose backoff is over but did not start waits for a parallelism slot: only a
            // step's end frees one, so its time (now or past) must not wake the executor in a loop.
            case Retrying -> {
              Instant retry = retryAt(steps.step(st.name), st);
              yield retry.isAfter(now) ? retry : null;
            }
            default -> null;
          };
      if (t != null && (wake == null || t.isBefore(wake))) {
        wake = t;
      }
    }
    return wake;
  }

  /** A step that failed with {@code allowFailure}: done, as far as its dependents go. */
  private static boolean excusedFailure(StepStatus st, SpecIndex index) {
    Step step = index.step(st.name);
    return st.phase == StepPhase.Failed && step != null && step.allowsFailure();
  }

  /**
   * Sets phase, progress, times, message and conditions from the steps, or, after an {@code abort}
   * that ended the workflow, as the abort says.
   */
  private static void summarize(
      WorkflowStatus status, long generation, Instant now, Abort abort, SpecIndex index) {
    int total = status.steps.size();
    List<StepStatus> failed = new ArrayList<>();
    List<StepStatus> allowed = new ArrayList<>();
    List<String> running = new ArrayList<>();
    int done = 0;
    int skipped = 0;
    boolean allSucceeded = true;
    for (StepStatus st : status.steps) {
      if (st.phase.isFinal()) {
        done++;
      }
      boolean excused = excusedFailure(st, index);
      allSucceeded &= st.phase == StepPhase.Succeeded || excused;
      switch (st.phase) {
        case Failed -> (excused ? allowed : failed).add(st);
        case Skipped -> skipped++;
        case Running, Retrying -> running.add(st.name);
        default -> {}
      }
    }
    status.progress = done + "/" + total;
    Reason reason;
    if (abort != null && abort.reason() != null) {
      status.phase =
          abort.reason() == Reason.Cancelled ? WorkflowPhase.Cancelled : WorkflowPhase.Failed;
      reason = abort.reason();
      status.message = abort.message();
    } else if (done == total && allSucceeded) {
      status.phase = WorkflowPhase.Succeeded;
      reason = Reason.Succeeded;
      status.message =
          !allowed.isEmpty()
              ? allowedFailureMessage(allowed, total)
              : total == 1 ? "The step succeeded." : "All " + total + " steps succeeded.";
    } else if (done == total) {
      status.phase = WorkflowPhase.Failed;
      reason = Reason.StepFailed;
      status.message = failureMessage(failed, skipped);
      if (abort != null) {
        status.message = abort.message() + " " + status.message;
      }
    } else {
      status.phase = running.isEmpty() ? WorkflowPhase.Pending : WorkflowPhase.Running;
      reason = running.isEmpty() ? Reason.Pending : Reason.Running;
      status.message =
          running.isEmpty() ? "Waiting to start steps." : "Running " + names(running) + ".";
    }
    if (status.phase.isFinal() && status.finishedAt == null) {
      status.finishedAt = Timestamps.format(now);
    }
    Conditions.update(status, reason, status.message, generation, now);
  }

  /** A workflow that succeeded although steps with {@code allowFailure} failed. */
  private static String allowedFailureMessage(List<StepStatus> allowed, int total) {
    int succeeded = total - allowed.size();
    StringBuilder m = failedStep(allowed);
    return m.append(", which allowFailure permits; ")
        .append(succeeded)
        .append(succeeded == 1 ? " step" : " steps")
        .append(" succeeded.")
        .toString();
  }

  private static String failureMessage(List<StepStatus> failed, int skipped) {
    if (failed.isEmpty()) {
      return skipped + (skipped == 1 ? " step was" : " steps were") + " skipped.";
    }
    StringBuilder m = failedStep(failed);
    if (skipped > 0) {
      m.append("; ")
          .append(skipped)
          .append(skipped == 1 ? " step was" : " steps were")
          .append(" skipped");
    }
    return m.append('.').toString();
  }

  /**
   * "Step x failed with exit code N (reason) after K attempts", of the first of {@code failed}, and
   * "; M more failed" for the others.
   */
  private static StringBuilder failedStep(List<StepStatus> failed) {
    StepStatus first = failed.getFirst();
    StringBuilder m = new StringBuilder("Step ").append(first.name).append(" failed");
    if (first.exitCode != null) {
      m.append(" with exit code ").append(first.exitCode);
    }
    if (first.reason != null && !first.reason.equals(Outcome.ERROR)) {
      m.append(" (").append(first.reason).append(')');
    }
    int attempts = first.attemptsOrZero();
    m.append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
    if (failed.size() > 1) {
      m.append("; ").append(failed.size() - 1).append(" more failed");
    }
    return m;
  }

  private static String names(List<String> names) {
    if (names.size() <= 5) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
  }

  /**
   * The spec's step positions by name, built once per spec object (a spec is never changed in
   * place).
   */
  private SpecIndex index(WorkflowSpec spec) {
    SpecIndex last = lastIndex;
    if (last != null && last.spec() == spec) {
      return last;
    }
    Map<String, Integer> position = new HashMap<>(spec.steps.size() * 2);
    for (int i = 0; i < spec.steps.size(); i++) {
      position.putIfAbsent(spec.steps.get(i).name, i);
    }
    SpecIndex index = new SpecIndex(spec, position);
    lastIndex = index;
    return index;
  }
}
