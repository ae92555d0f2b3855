package dev.shepherd.engine;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.expr.ExpressionException;
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

  /** Why a workflow whose spec.cancel is true was cancelled. */
  static final String SPEC_CANCEL = "Cancelled: spec.cancel is true.";

  /** A loop step's status keeps the details of its first failed instances, and counts the rest. */
  static final int MAX_FAILED_INSTANCES = 10;

  static final int DEFAULT_BACKOFF_SECONDS = 1;
  static final int DEFAULT_MAX_BACKOFF_SECONDS = 300;

  private final Clock clock;

  /**
   * The positions of the last spec's steps by name, built once per spec object: a local executor
   * plans the same spec object after every step.
   */
  private volatile SpecIndex lastIndex;

  /**
   * The steps of one spec object: all of them, main then finally, as the status lists them; how
   * many are main steps; their positions by name.
   */
  record SpecIndex(
      WorkflowSpec spec, List<Step> all, int mainCount, Map<String, Integer> position) {
    static SpecIndex of(WorkflowSpec spec) {
      List<Step> all = spec.allSteps();
      Map<String, Integer> position = new HashMap<>(all.size() * 2);
      for (int i = 0; i < all.size(); i++) {
        position.putIfAbsent(all.get(i).name, i);
      }
      return new SpecIndex(spec, List.copyOf(all), spec.steps.size(), position);
    }

    Step step(String name) {
      Integer i = position.get(name);
      return i == null ? null : all.get(i);
    }
  }

  public Engine(Clock clock) {
    this.clock = clock;
  }

  /** {@link #plan(WorkflowRef, WorkflowSpec, WorkflowStatus, long)} for an unnamed workflow. */
  public Plan plan(WorkflowSpec spec, WorkflowStatus status, long generation) {
    return plan(new WorkflowRef("", ""), spec, status, generation);
  }

  /**
   * Brings the status up to date with the spec and the time, and says what to start and stop. The
   * status is changed in place to what it will be once the plan is carried out.
   *
   * <p>The spec is one that {@link SpecValidation#problems} found no problem in: each executor
   * validates once, for what it runs on, and {@link #reject}s a spec that can't run instead.
   */
  public Plan plan(WorkflowRef ref, WorkflowSpec spec, WorkflowStatus status, long generation) {
    if (status.phase != null && status.phase.isFinal()) {
      return Plan.NOTHING;
    }
    Instant now = clock.instant();
    status.observedGeneration = generation;
    SpecIndex index = index(spec);
    List<String> stop = new ArrayList<>(syncSteps(index, status));
    if (status.startedAt == null) {
      status.startedAt = Timestamps.format(now);
    }
    // After syncSteps, status.steps holds the steps' states in the spec's order: a state is found
    // by the spec position of its name, without a map per plan (a local run plans once per step).
    States states = name -> state(index, status, name);

    Instant deadline = workflowDeadline(spec, status);
    if (deadline != null && !now.isBefore(deadline) && !mainDone(index, status)) {
      endSteps(status, Abort.deadline(spec.activeDeadlineSeconds), generation, now, stop, index);
      if (status.phase.isFinal()) {
        return new Plan(List.of(), stop, null);
      }
      deadline = null; // the finally steps that go on are not bound by it
    }
    if (spec.cancelRequested() && status.abortReason == null && !mainDone(index, status)) {
      endSteps(status, Abort.cancel(SPEC_CANCEL), generation, now, stop, index);
      if (status.phase.isFinal()) {
        return new Plan(List.of(), stop, null);
      }
    }

    for (StepStatus st : status.steps) {
      if (st.phase != StepPhase.Running) {
        continue; // a step of the spec's thousand is looked up only when it might time out
      }
      Step step = index.step(st.name);
      if (st.loop == null) {
        timeOut(step, st, now, stop);
        continue;
      }
      for (RunStatus instance : List.copyOf(st.loop.instances)) {
        if (timeOut(step, instance, now, stop)) {
          instanceEnded(step, st, instance, now);
        }
      }
    }

    Starts starts = new Starts(ref, spec, status, index, now);
    starts.running = status.running().size();
    // A step can end as soon as it is due (a false condition, an expression that fails, a loop of
    // no items), and its end can make others due: decide again until nothing more ends.
    do {
      if (spec.suspended()) {
        break; // no step starts; what runs finishes, and timeouts and skips still apply
      }
      starts.endedOnStart = false;
      if (status.steps.stream()
          .anyMatch(st -> st.phase == StepPhase.Failed || st.phase == StepPhase.Skipped)) {
        skipAfterFailedDependencies(index, states, now); // else nothing to skip
      }
      startDue(starts, states);
    } while (starts.endedOnStart);

    summarize(status, generation, now, null, index);
    return new Plan(
        starts.start, stop, status.phase.isFinal() ? null : wakeAt(index, status, deadline, now));
  }

  /**
   * Records the end of an attempt. An end that is not of the current running attempt of {@code
   * name} (a late report of an attempt already timed out, or a repeat) is ignored and false is
   * returned. Call {@link #plan} afterwards to learn what follows.
   *
   * @param name the name the attempt was started under ({@link StepStart#step})
   */
  public boolean finished(
      WorkflowSpec spec, WorkflowStatus status, String name, int attempt, Outcome outcome) {
    SpecIndex index = index(spec);
    boolean instance = LoopStatus.indexOf(name) >= 0;
    String stepName = instance ? LoopStatus.stepOf(name) : name;
    StepStatus owner = state(index, status, stepName);
    Step step = index.step(stepName);
    RunStatus st =
        owner == null
            ? null
            : !instance ? owner : owner.loop == null ? null : owner.loop.instance(name);
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
    if (instance) {
      instanceEnded(step, owner, st, now);
    }
    return true;
  }

  /**
   * A clean exit: the step succeeded with its outputs, or, when they can't be parsed, the attempt
   * failed as any other (and is retried if retries are left). A failed attempt's outputs are not
   * looked at: in pod mode they are the termination message, which the kubelet fills with the log's
   * last lines when the step failed without writing any.
   */
  private static void succeeded(Step step, RunStatus st, Instant now, Outcome outcome) {
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
   * Stops the workflow on request (the supervisor got SIGTERM, say): running main steps fail with
   * reason Cancelled and are returned to be stopped, the others are skipped, the finally steps run,
   * and the phase is then Cancelled. A cancel while the finally steps run ends them too.
   */
  public Plan cancel(WorkflowSpec spec, WorkflowStatus status, String why, long generation) {
    return abort(spec, status, Abort.cancel(why), generation);
  }

  /**
   * Ends the unfinished steps that {@code abort} names before they end on their own: running ones
   * fail and are returned to be stopped, retrying ones fail without a retry, pending ones are
   * skipped. A deadline or cancel ends the main steps and leaves the finally steps to run (ask
   * {@link #plan} what follows); once the main steps have ended, it ends the finally steps too. The
   * status is first brought up to date with the spec, as by {@link #plan}, so a step it has no
   * entry for yet gets one (and is skipped).
   */
  public Plan abort(WorkflowSpec spec, WorkflowStatus status, Abort abort, long generation) {
    if (status.phase != null && status.phase.isFinal()) {
      return Plan.NOTHING;
    }
    status.observedGeneration = generation;
    SpecIndex index = index(spec);
    List<String> stop = new ArrayList<>(syncSteps(index, status));
    endSteps(status, abort, generation, clock.instant(), stop, index);
    return new Plan(List.of(), stop, null);
  }

  /** {@link #abort} on a status in step with its spec; adds the names to stop to {@code stop}. */
  private static void endSteps(
      WorkflowStatus status,
      Abort abort,
      long generation,
      Instant now,
      List<String> stop,
      SpecIndex index) {
    if (status.startedAt == null) {
      status.startedAt = Timestamps.format(now);
    }
    // Finally steps outlive a deadline or cancel of the main steps, and only that.
    boolean sparesFinally =
        abort.reason() != null && index.mainCount < index.all.size() && !mainDone(index, status);
    boolean goesOn = false;
    for (int i = 0; i < status.steps.size(); i++) {
      StepStatus st = status.steps.get(i);
      if (st.phase.isFinal()) {
        continue;
      }
      if ((sparesFinally && i >= index.mainCount) || !abort.ends().test(st.name)) {
        goesOn = true;
        continue;
      }
      if (st.loop != null && st.phase == StepPhase.Running) {
        for (RunStatus instance : List.copyOf(st.loop.instances)) {
          if (!instance.phase.isFinal()) {
            endAttempt(instance, abort, now, stop);
            instanceEnded(index.all.get(i), st, instance, now);
          }
        }
        if (!st.phase.isFinal()) {
          endLoop(st, now, abort.stepReason());
        }
        continue;
      }
      endAttempt(st, abort, now, stop);
    }
    if (sparesFinally && status.abortReason == null) {
      status.abortReason = abort.reason().name();
      status.abortMessage = abort.message();
    }
    summarize(status, generation, now, goesOn ? null : abort, index);
  }

  /** Ends an unfinished step or loop instance for {@code abort}; a running one is stopped. */
  private static void endAttempt(RunStatus st, Abort abort, Instant now, List<String> stop) {
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

  /** Whether {@code spec.retryGeneration} asks for a retry that {@code status} has not recorded. */
  public static boolean retryAsked(WorkflowSpec spec, WorkflowStatus status) {
    return spec != null
        && status != null
        && spec.retryGenerationOrZero() > status.retryGeneration();
  }

  /**
   * Takes or refuses the retry in place that {@code spec.retryGeneration} asks for, when it asks
   * for one the status has not recorded yet; call it before {@link #plan}. Taken, the steps that
   * {@link RetryInPlace} names are Pending again (with no attempt), the workflow is Pending with
   * its end, abort and message cleared, and its deadline counts from now. Refused (the workflow
   * runs, succeeded, or has spec.cancel set), only the record is added.
   *
   * @return the record added to {@code status.retries}, or null when nothing was asked
   */
  public RetryRecord retry(WorkflowSpec spec, WorkflowStatus status, long generation) {
    if (!retryAsked(spec, status)) {
      return null;
    }
    long asked = spec.retryGenerationOrZero();
    Instant now = clock.instant();
    String time = Timestamps.format(now);
    String refusal = RetryInPlace.refusal(spec, status);
    if (refusal != null) {
      RetryRecord r = RetryInPlace.refused(asked, time, refusal);
      RetryInPlace.record(status, r);
      return r;
    }
    SpecIndex index = index(spec);
    syncSteps(index, status); // nothing runs: no step to stop
    List<String> rerun = RetryInPlace.rerun(index, status);
    for (String name : rerun) {
      status.steps.set(index.position().get(name), new StepStatus(name));
    }
    RetryRecord r = RetryInPlace.taken(asked, time, rerun);
    RetryInPlace.record(status, r);
    status.observedGeneration = generation;
    status.finishedAt = null;
    status.abortReason = null;
    status.abortMessage = null;
    summarize(status, generation, now, null, index);
    status.message =
        "Retry "
            + asked
            + ": running "
            + rerun.size()
            + (rerun.size() == 1 ? " step" : " steps")
            + " again: "
            + names(rerun)
            + ".";
    Conditions.update(status, Reason.Pending, status.message, generation, now);
    return r;
  }

  /**
   * Holds a workflow that its concurrency key does not admit yet: phase Pending, with reason Queued
   * and {@code why} (the key, how many run, its place) in its message and conditions.
   */
  public void queue(WorkflowStatus status, String why, long generation) {
    status.observedGeneration = generation;
    status.phase = WorkflowPhase.Pending;
    status.message = why;
    Conditions.update(status, Reason.Queued, why, generation, clock.instant());
  }

  /** Whether {@link #queue} holds the workflow of {@code status}. */
  public static boolean queued(WorkflowStatus status) {
    var reconciling = Conditions.find(status, Conditions.RECONCILING);
    return status.startedAt == null
        && reconciling != null
        && Reason.Queued.name().equals(reconciling.getReason());
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

  // ---- starting steps and loop instances ----

  /**
   * The starts of one plan, the room left under spec.parallelism, and what expressions evaluated in
   * it see.
   */
  static final class Starts {
    final WorkflowRef ref;
    final WorkflowSpec spec;
    final WorkflowStatus status;
    final SpecIndex index;
    final Instant now;
    final int limit;
    final List<StepStart> start = new ArrayList<>();

    /**
     * Whether a step ended as it became due in this pass (a false when, a failed expression, a loop
     * of no items, a main step whose end lets the finally steps start): then another pass.
     */
    boolean endedOnStart;

    /** The items of the loop steps evaluated in this plan, by step. */
    final Map<String, List<Object>> items = new HashMap<>();

    int running;

    Starts(
        WorkflowRef ref, WorkflowSpec spec, WorkflowStatus status, SpecIndex index, Instant now) {
      this.ref = ref;
      this.spec = spec;
      this.status = status;
      this.index = index;
      this.now = now;
      this.limit = spec.parallelism == null ? Integer.MAX_VALUE : spec.parallelism;
    }

    boolean free() {
      return running < limit;
    }

    boolean isFinally(Step step) {
      Integer at = index.position().get(step.name);
      return at != null && at >= index.mainCount;
    }

    /**
     * Starts the next attempt of {@code st}, a step or the instance for item {@code item} (-1 for a
     * step), with its expressions replaced; if one can't be evaluated, the step fails instead.
     */
    void attempt(Step step, RunStatus st, int item) {
      st.phase = StepPhase.Running;
      st.attempts = st.attemptsOrZero() + 1;
      st.startedAt = Timestamps.format(now);
      st.finishedAt = null;
      st.exitCode = null;
      st.reason = null;
      st.message = null;
      st.podName = null;
      Step run = step;
      boolean templates = Evaluation.hasTemplates(step);
      if (item >= 0 || templates) {
        try {
          run = Evaluation.resolve(step, item, templates, this);
        } catch (ExpressionException e) {
          end(st, StepPhase.Failed, now, null, Outcome.EXPRESSION_ERROR, e.getMessage());
          return;
        }
      }
      start.add(new StepStart(st.name, st.attempts, run));
      running++;
    }
  }

  /**
   * Starts what is due, in spec order, while spec.parallelism leaves room: pending steps whose
   * dependencies are done, retries whose backoff is over, loop instances. Finally steps wait for
   * every main step to end.
   */
  private static void startDue(Starts starts, States states) {
    SpecIndex index = starts.index;
    for (int i = 0; i < index.all.size() && starts.free(); i++) {
      if (i == index.mainCount && !mainDone(index, starts.status)) {
        return;
      }
      StepStatus st = starts.status.steps.get(i);
      if (st.phase.isFinal()) {
        continue;
      }
      Step step = index.all.get(i);
      switch (st.phase) {
        case Pending -> {
          if (dependenciesDone(step, states, index)) {
            begin(starts, step, st);
          }
        }
        case Retrying -> {
          if (!starts.now.isBefore(retryAt(step, st))) {
            starts.attempt(step, st, -1);
          }
        }
        case Running -> {
          if (st.loop != null) {
            startInstances(starts, step, st);
          }
        }
        default -> {}
      }
      if (st.phase.isFinal()) {
        starts.endedOnStart = true; // it was not before: only unfinished steps come this far
      }
    }
  }

  /** Every main step has ended: the finally steps may run. */
  private static boolean mainDone(SpecIndex index, WorkflowStatus status) {
    for (int i = 0; i < index.mainCount && i < status.steps.size(); i++) {
      if (!status.steps.get(i).phase.isFinal()) {
        return false;
      }
    }
    return true;
  }

  /**
   * A pending step whose dependencies are done: skipped if its {@code when} is false, else started,
   * or for a loop step, its first instances.
   */
  private static void begin(Starts starts, Step step, StepStatus st) {
    Instant now = starts.now;
    int items = -1;
    try {
      if (step.when != null && !Evaluation.when(step, starts)) {
        end(
            st,
            StepPhase.Skipped,
            now,
            null,
            Outcome.CONDITION_FALSE,
            "Skipped: its when condition is false.");
        return;
      }
      if (step.isLoop()) {
        items = Evaluation.items(step, starts).size();
      }
    } catch (ExpressionException e) {
      end(st, StepPhase.Failed, now, null, Outcome.EXPRESSION_ERROR, e.getMessage());
      return;
    }
    if (items < 0) {
      starts.attempt(step, st, -1);
      return;
    }
    st.phase = StepPhase.Running;
    st.startedAt = Timestamps.format(now);
    st.loop = new LoopStatus(items);
    if (items == 0) {
      endLoop(st, now, null);
      return;
    }
    startInstances(starts, step, st);
  }

  /**
   * Starts the instances of a running loop step that may start: retries whose backoff is over, then
   * new items in order, while fewer than maxParallel are running or retrying and none failed.
   */
  private static void startInstances(Starts starts, Step step, StepStatus st) {
    LoopStatus loop = st.loop;
    for (RunStatus instance : List.copyOf(loop.instances)) {
      if (!starts.free()) {
        return;
      }
      if (instance.phase == StepPhase.Retrying && !starts.now.isBefore(retryAt(step, instance))) {
        starts.attempt(step, instance, LoopStatus.indexOf(instance.name));
        instanceEnded(step, st, instance, starts.now); // a failed evaluation ends it
      }
    }
    int max = step.maxParallel == null ? Integer.MAX_VALUE : step.maxParallel;
    int active = 0;
    for (RunStatus instance : loop.instances) {
      if (instance.phase == StepPhase.Running || instance.phase == StepPhase.Retrying) {
        active++;
      }
    }
    while (starts.free() && active < max && loop.failed == 0 && loop.started < loop.total) {
      int item = loop.started;
      loop.started = item + 1;
      RunStatus instance = new StepStatus(LoopStatus.instanceName(step.name, item));
      loop.instances.add(instance);
      starts.attempt(step, instance, item);
      instanceEnded(step, st, instance, starts.now);
      active++;
    }
  }

  /**
   * Books the end of a loop instance, if it ended: a succeeded one is counted and dropped, a failed
   * one counted and kept among the first {@value #MAX_FAILED_INSTANCES}; then ends the loop step if
   * nothing of it is left to run.
   */
  private static void instanceEnded(Step step, StepStatus st, RunStatus instance, Instant now) {
    LoopStatus loop = st.loop;
    if (instance.phase == StepPhase.Succeeded) {
      loop.instances.remove(instance);
      loop.succeeded++;
    } else if (instance.phase == StepPhase.Failed) {
      loop.failed++;
      if (loop.failed > MAX_FAILED_INSTANCES) {
        loop.instances.remove(instance);
      }
    } else {
      return;
    }
    for (RunStatus other : loop.instances) {
      if (!other.phase.isFinal()) {
        return;
      }
    }
    if (loop.failed > 0 || loop.started.equals(loop.total)) {
      endLoop(st, now, null);
    }
  }

  /**
   * Ends a loop step whose instances have all ended: Succeeded if none failed, else Failed as its
   * first failed instance, with the counts. Items never started are counted as skipped.
   *
   * @param reason the reason when the loop was ended early, else null
   */
  private static void endLoop(StepStatus st, Instant now, String reason) {
    LoopStatus loop = st.loop;
    loop.skipped = loop.total - loop.started;
    if (loop.failed == 0 && loop.skipped == 0) {
      end(
          st,
          StepPhase.Succeeded,
          now,
          null,
          null,
          loop.total == 0
              ? "No items."
              : loop.total == 1
                  ? "The item succeeded."
                  : "All " + loop.total + " items succeeded.");
      return;
    }
    RunStatus first = null;
    for (RunStatus instance : loop.instances) {
      if (instance.phase == StepPhase.Failed) {
        first = instance;
        break;
      }
    }
    StringBuilder m = new StringBuilder();
    if (first != null) {
      m.append("Item ").append(LoopStatus.indexOf(first.name)).append(" failed");
      if (first.exitCode != null) {
        m.append(" with exit code ").append(first.exitCode);
      }
      m.append("; ");
    }
    m.append(loop.failed).append(" of ").append(loop.total).append(" items failed");
    if (loop.skipped > 0) {
      m.append(", ").append(loop.skipped).append(" not run");
    }
    m.append('.');
    end(
        st,
        StepPhase.Failed,
        now,
        first == null ? null : first.exitCode,
        reason != null ? reason : first == null ? Outcome.ERROR : first.reason,
        m.toString());
  }

  /** Fails a running attempt whose timeoutSeconds is over; true if it did. */
  private static boolean timeOut(Step step, RunStatus st, Instant now, List<String> stop) {
    Instant timeout = stepDeadline(step, st);
    if (timeout == null || now.isBefore(timeout)) {
      return false;
    }
    stop.add(st.name);
    attemptFailed(
        step,
        st,
        now,
        new Outcome(
            null,
            Reason.DeadlineExceeded.name(),
            "Attempt "
                + st.attempts
                + " exceeded its timeoutSeconds of "
                + step.timeoutSeconds
                + " s."));
    return true;
  }

  /** When the backoff of a failed attempt ends: base * 2^(attempts-1) seconds, capped. */
  public static Instant retryAt(Step step, RunStatus st) {
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

  private static void attemptFailed(Step step, RunStatus st, Instant now, Outcome outcome) {
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
      RunStatus st, StepPhase phase, Instant now, Integer exitCode, String reason, String message) {
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
   * Adds a Pending entry for every step of the spec (main, then finally) that has none, and drops
   * entries of removed steps. Returns the names of what those removed steps were running: the
   * executor must stop them.
   */
  private static List<String> syncSteps(SpecIndex index, WorkflowStatus status) {
    if (inSpecOrder(index, status)) {
      return List.of(); // the usual case, checked without a map
    }
    Map<String, StepStatus> known = new HashMap<>();
    for (StepStatus st : status.steps) {
      known.put(st.name, st);
    }
    List<StepStatus> synced = new ArrayList<>(index.all.size());
    for (Step step : index.all) {
      StepStatus st = known.remove(step.name);
      synced.add(st != null ? st : new StepStatus(step.name));
    }
    status.steps = synced;
    List<RunStatus> running = new ArrayList<>();
    for (StepStatus st : known.values()) {
      WorkflowStatus.running(st, running);
    }
    List<String> stop = new ArrayList<>(running.size());
    for (RunStatus st : running) {
      stop.add(st.name);
    }
    return stop;
  }

  private static boolean inSpecOrder(SpecIndex index, WorkflowStatus status) {
    if (status.steps.size() != index.all.size()) {
      return false;
    }
    for (int i = 0; i < index.all.size(); i++) {
      if (!index.all.get(i).name.equals(status.steps.get(i).name)) {
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

  private static void skipAfterFailedDependencies(SpecIndex index, States states, Instant now) {
    boolean changed = true;
    while (changed) { // to a fixed point: a skip can make its own dependents skip
      changed = false;
      for (Step step : index.all) {
        StepStatus st = states.get(step.name);
        if (st.phase != StepPhase.Pending) {
          continue;
        }
        for (String dep : step.dependsOrEmpty()) {
          StepStatus d = states.get(dep);
          if ((d.phase == StepPhase.Failed && !excusedFailure(d, index))
              || (d.phase == StepPhase.Skipped && !conditionFalse(d))) {
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

  /**
   * Every dependency succeeded, failed with {@code allowFailure}, or was skipped by its condition:
   * the step may start.
   */
  private static boolean dependenciesDone(Step step, States states, SpecIndex index) {
    List<String> depends = step.dependsOrEmpty();
    // By index, not an iterator: this runs for every pending step on every plan, and an iterator
    // each time was most of a long local run's garbage.
    for (int i = 0; i < depends.size(); i++) {
      StepStatus dep = states.get(depends.get(i));
      if (dep.phase != StepPhase.Succeeded && !excusedFailure(dep, index) && !conditionFalse(dep)) {
        return false;
      }
    }
    return true;
  }

  /** A step skipped because its {@code when} was false: done, as far as its dependents go. */
  static boolean conditionFalse(RunStatus st) {
    return st.phase == StepPhase.Skipped && Outcome.CONDITION_FALSE.equals(st.reason);
  }

  /** activeDeadlineSeconds after the start of this run: the workflow's, or its retry's. */
  private static Instant workflowDeadline(WorkflowSpec spec, WorkflowStatus status) {
    if (spec.activeDeadlineSeconds == null || status.startedAt == null) {
      return null;
    }
    RetryRecord retry = status.lastTakenRetry();
    String start = retry == null ? status.startedAt : retry.time;
    return Timestamps.parse(start).plusSeconds(spec.activeDeadlineSeconds);
  }

  private static Instant stepDeadline(Step step, RunStatus st) {
    if (st.phase != StepPhase.Running || step.timeoutSeconds == null || st.startedAt == null) {
      return null;
    }
    return Timestamps.parse(st.startedAt).plusSeconds(step.timeoutSeconds);
  }

  private static Instant wakeAt(
      SpecIndex steps, WorkflowStatus status, Instant workflowDeadline, Instant now) {
    Instant wake = workflowDeadline;
    for (StepStatus st : status.steps) {
      if (st.phase != StepPhase.Running && st.phase != StepPhase.Retrying) {
        continue;
      }
      Step step = steps.step(st.name);
      if (st.loop == null) {
        wake = earlier(wake, wakeAt(step, st, now));
      } else {
        for (RunStatus instance : st.loop.instances) {
          wake = earlier(wake, wakeAt(step, instance, now));
        }
      }
    }
    return wake;
  }

  private static Instant wakeAt(Step step, RunStatus st, Instant now) {
    return switch (st.phase) {
      case Running -> stepDeadline(step, st);
      // A retry whose backoff is over but did not start waits for a parallelism slot: only a
      // step's end frees one, so its time (now or past) must not wake the executor in a loop.
      case Retrying -> {
        Instant retry = retryAt(step, st);
        yield retry.isAfter(now) ? retry : null;
      }
      default -> null;
    };
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || (b != null && b.isBefore(a)) ? b : a;
  }

  /** A step that failed with {@code allowFailure}: done, as far as its dependents go. */
  private static boolean excusedFailure(StepStatus st, SpecIndex index) {
    Step step = index.step(st.name);
    return st.phase == StepPhase.Failed && step != null && step.allowsFailure();
  }

  /**
   * How the main steps ended, as {@code workflow.phase} tells the finally steps: Cancelled or
   * Failed after an abort, Failed if a main step failed (and allowFailure did not excuse it) or was
   * skipped for it, else Succeeded. Running while a main step has not ended.
   */
  static WorkflowPhase mainPhase(SpecIndex index, WorkflowStatus status) {
    if (!mainDone(index, status)) {
      return WorkflowPhase.Running;
    }
    if (status.abortReason != null) {
      return Reason.Cancelled.name().equals(status.abortReason)
          ? WorkflowPhase.Cancelled
          : WorkflowPhase.Failed;
    }
    for (int i = 0; i < index.mainCount; i++) {
      StepStatus st = status.steps.get(i);
      if (!(st.phase == StepPhase.Succeeded || excusedFailure(st, index) || conditionFalse(st))) {
        return WorkflowPhase.Failed;
      }
    }
    return WorkflowPhase.Succeeded;
  }

  /**
   * Sets phase, progress, times, message and conditions from the steps, or, after an {@code abort}
   * that ended the workflow, as the abort says. After an abort that left the finally steps to run
   * ({@code status.abortReason}), the workflow ends as that abort said once they have, unless one
   * of them failed.
   */
  private static void summarize(
      WorkflowStatus status, long generation, Instant now, Abort abort, SpecIndex index) {
    int total = status.steps.size();
    List<StepStatus> failed = new ArrayList<>();
    List<StepStatus> allowed = new ArrayList<>();
    List<String> running = new ArrayList<>();
    int done = 0;
    int skipped = 0;
    int conditionSkipped = 0;
    for (StepStatus st : status.steps) {
      if (st.phase.isFinal()) {
        done++;
      }
      boolean excused = excusedFailure(st, index);
      switch (st.phase) {
        case Failed -> (excused ? allowed : failed).add(st);
        case Skipped -> {
          if (conditionFalse(st)) {
            conditionSkipped++;
          } else {
            skipped++;
          }
        }
        case Running, Retrying -> running.add(st.name);
        default -> {}
      }
    }
    status.progress = done + "/" + total;
    Reason reason;
    Reason aborted = status.abortReason == null ? null : Reason.valueOf(status.abortReason);
    if (abort != null && abort.reason() != null) {
      status.phase =
          abort.reason() == Reason.Cancelled ? WorkflowPhase.Cancelled : WorkflowPhase.Failed;
      reason = abort.reason();
      status.message = abort.message();
    } else if (done == total && aborted != null) {
      List<StepStatus> finallyFailed = new ArrayList<>();
      for (int i = index.mainCount; i < total; i++) {
        if (failed.contains(status.steps.get(i))) {
          finallyFailed.add(status.steps.get(i));
        }
      }
      if (finallyFailed.isEmpty()) {
        status.phase = aborted == Reason.Cancelled ? WorkflowPhase.Cancelled : WorkflowPhase.Failed;
        reason = aborted;
        status.message = status.abortMessage;
      } else {
        status.phase = WorkflowPhase.Failed;
        reason = Reason.StepFailed;
        status.message = status.abortMessage + " " + failedStep(finallyFailed).append('.');
      }
    } else if (done == total && failed.isEmpty() && skipped == 0) {
      status.phase = WorkflowPhase.Succeeded;
      reason = Reason.Succeeded;
      status.message =
          !allowed.isEmpty()
              ? allowedFailureMessage(allowed, total - conditionSkipped)
              : succeededMessage(total - conditionSkipped, conditionSkipped);
    } else if (done == total) {
      status.phase = WorkflowPhase.Failed;
      reason = Reason.StepFailed;
      status.message = failureMessage(failed, skipped);
      if (abort != null) {
        status.message = abort.message() + " " + status.message;
      }
    } else if (index.spec().suspended()) {
      status.phase = WorkflowPhase.Suspended;
      reason = Reason.Suspended;
      status.message =
          running.isEmpty()
              ? "Suspended: no step starts until spec.suspend is false."
              : "Suspended: " + names(running) + " finish, no other step starts.";
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

  private static String succeededMessage(int succeeded, int conditionSkipped) {
    String m =
        succeeded == 1 && conditionSkipped == 0
            ? "The step succeeded."
            : conditionSkipped == 0
                ? "All " + succeeded + " steps succeeded."
                : succeeded + (succeeded == 1 ? " step" : " steps") + " succeeded";
    if (conditionSkipped == 0) {
      return m;
    }
    return m
        + "; "
        + conditionSkipped
        + (conditionSkipped == 1 ? " was" : " were")
        + " skipped by a false when condition.";
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
   * "; M more failed" for the others. A loop step says its loop's message instead of attempts.
   */
  private static StringBuilder failedStep(List<StepStatus> failed) {
    StepStatus first = failed.getFirst();
    StringBuilder m = new StringBuilder("Step ").append(first.name).append(" failed");
    if (first.loop != null) {
      m.append(" (").append(first.message, 0, first.message.length() - 1).append(')');
    } else {
      if (first.exitCode != null) {
        m.append(" with exit code ").append(first.exitCode);
      }
      if (first.reason != null && !first.reason.equals(Outcome.ERROR)) {
        m.append(" (").append(first.reason).append(')');
      }
      int attempts = first.attemptsOrZero();
      m.append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
    }
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
   * The spec's steps and their positions by name, built once per spec object (a spec is never
   * changed in place).
   */
  private SpecIndex index(WorkflowSpec spec) {
    SpecIndex last = lastIndex;
    if (last != null && last.spec() == spec) {
      return last;
    }
    SpecIndex index = SpecIndex.of(spec);
    lastIndex = index;
    return index;
  }
}
