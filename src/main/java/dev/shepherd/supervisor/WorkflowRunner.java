package dev.shepherd.supervisor;

import dev.shepherd.api.RunStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Outcome;
import dev.shepherd.engine.Outputs;
import dev.shepherd.engine.Plan;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.engine.StepInvocation;
import dev.shepherd.engine.StepStart;
import dev.shepherd.engine.WorkflowRef;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one workflow's steps as local processes: the executor of {@code shepherd supervise} and
 * {@code shepherd run}. The {@link Engine} makes every decision; this class only carries out its
 * plans through the {@link Supervisor} and reports how each attempt ended.
 *
 * <p>The loop, on the thread that calls {@link #run}: report ends ({@link Engine#finished}), ask
 * for a plan, start and stop what it says, publish the status, then block on a queue of exits (and
 * cancel requests) until the next one arrives or the plan's {@code wakeAt} (a backoff or a timeout)
 * has come. No polling.
 *
 * <p>A step runs as its {@link StepInvocation} says (argv, environment and working directory, as in
 * a Pod), over the environment of this process, and in our working directory if the step names
 * none. Steps without a command, and env entries with {@code valueFrom}, can't run here: the caller
 * validates the spec once ({@link SpecValidation.Target#LOCAL}) and hands a spec with problems to
 * {@link #reject} instead.
 *
 * <p>Each attempt writes its outputs to a file of its own in the outputs directory, named by its
 * {@value Outputs#VARIABLE}: created empty before the spawn, read after a clean exit (at most one
 * byte more than {@link Outputs#MAX_BYTES}, so a step can't fill our memory) and deleted after any
 * exit. The engine parses them.
 *
 * <p>An initial status may be partly done (the supervisor restarted): a step recorded as Running
 * there is not a process of ours, so its attempt is reported as ended with reason {@value
 * #LOST_REASON} and the engine decides (a retry, if the step has one left).
 *
 * <p>{@link #run} returns once the workflow is final and every process it started has exited.
 */
public final class WorkflowRunner {
  /** How the runner reports what happens. All calls come from the thread in {@link #run}. */
  public interface Listener {
    /**
     * Called after every change of the status (a step started or ended, the workflow ended), with a
     * snapshot that the runner never changes; the listener must not change it either (consecutive
     * snapshots share their unchanged steps). Never on the reaper thread.
     */
    void statusChanged(WorkflowStatus snapshot);

    /** An attempt is about to be started (so that a line saying so comes before its output). */
    default void attemptStarting(String step, int attempt) {}

    /** An attempt's process was started ({@code pid} 0: it could not be started, see its end). */
    default void attemptStarted(String step, int attempt, int pid) {}

    /**
     * An attempt's process ended. {@code counted} is false when the engine had already ended the
     * attempt (it timed out, or the workflow was cancelled) and this exit changed nothing.
     */
    default void attemptEnded(
        String step,
        int attempt,
        ExitStatus exit,
        Outcome outcome,
        Duration took,
        boolean counted) {}
  }

  /** Reason of an attempt that was Running in the initial status but is no process of ours. */
  public static final String LOST_REASON = "Lost";

  /** Reason of an attempt killed by a signal (exit code 128+N); the message names the signal. */
  public static final String SIGNAL_REASON = "Signal";

  public static final String NOT_FOUND_REASON = "NotFound";
  public static final String NOT_EXECUTABLE_REASON = "NotExecutable";

  /** Reason of an attempt whose process could not be created at all (no errno of exec). */
  public static final String START_FAILED_REASON = "StartFailed";

  /** How long a timed-out or removed step gets between SIGTERM and SIGKILL. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);

  /**
   * How many of a failed attempt's last output lines go into its message (the engine cuts it
   * further).
   */
  static final int MESSAGE_LINES = 10;

  private sealed interface Event permits Exited, Wake {}

  private record Exited(
      String step,
      int attempt,
      StepProcess process,
      ExitStatus exit,
      Throwable failure,
      long endedNanos)
      implements Event {}

  private record Wake() implements Event {}

  private record Cancel(String why, Duration grace) {}

  /** A newer spec.suspend, and the generation of the spec it was read from. */
  private record Control(boolean suspend, long generation) {}

  private record Attempt(
      int attempt, StepProcess process, Command command, Path outputs, long startedNanos) {}

  private final Supervisor supervisor;
  private final Clock clock;
  private final Listener listener;
  private final Engine engine;
  private final Duration stopGrace;
  private final Path outputsDir;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile Cancel cancelRequest;
  private volatile Control control;

  // State of the current run; touched only by the thread in run().
  private final Map<String, Attempt> current = new HashMap<>();
  private final Map<StepProcess, Attempt> live = new LinkedHashMap<>();
  private WorkflowStatus published;

  /** Where this run's attempts write their outputs; null if it could not be made. */
  private Path runOutputs;

  /** Why {@link #runOutputs} could not be made, for the message of every attempt. */
  private IOException noOutputs;

  public WorkflowRunner(Supervisor supervisor, Clock clock, Listener listener) {
    this(supervisor, clock, listener, DEFAULT_STOP_GRACE);
  }

  /**
   * @param stopGrace time between SIGTERM and SIGKILL when the engine stops a step (a timeout)
   */
  public WorkflowRunner(Supervisor supervisor, Clock clock, Listener listener, Duration stopGrace) {
    this(supervisor, clock, listener, stopGrace, null);
  }

  /**
   * @param stopGrace time between SIGTERM and SIGKILL when the engine stops a step (a timeout)
   * @param outputsDir an existing directory, writable by the steps, for the files their outputs are
   *     written to; null for a temporary directory of each run's own, removed at its end
   */
  public WorkflowRunner(
      Supervisor supervisor, Clock clock, Listener listener, Duration stopGrace, Path outputsDir) {
    this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = listener == null ? snapshot -> {} : listener;
    this.engine = new Engine(clock);
    this.stopGrace = Objects.requireNonNull(stopGrace, "stopGrace");
    this.outputsDir = outputsDir;
  }

  /**
   * Runs the workflow from `initial` (may be empty, or partly done) until it is final; returns the
   * final status. Uses Engine for every decision. The spec is one that {@link
   * SpecValidation#problems} found no problem in for {@link SpecValidation.Target#LOCAL}.
   */
  public WorkflowStatus run(
      String workflowName, WorkflowSpec spec, WorkflowStatus initial, long generation)
      throws InterruptedException {
    Objects.requireNonNull(workflowName, "workflowName");
    return run(new WorkflowRef(workflowName, ""), spec, initial, generation);
  }

  /** {@link #run(String, WorkflowSpec, WorkflowStatus, long)} of a workflow in a namespace. */
  public synchronized WorkflowStatus run(
      WorkflowRef ref, WorkflowSpec spec, WorkflowStatus initial, long generation)
      throws InterruptedException {
    Objects.requireNonNull(spec, "spec");
    WorkflowStatus status = begin(initial);
    openOutputs();
    try {
      if (status.phase == null || !status.phase.isFinal()) {
        reportLostAttempts(spec, status);
      }
      Plan plan = Plan.NOTHING;
      boolean cancelled = false;
      Control applied = null;
      while (true) {
        Control c = control;
        if (c != null && c != applied) {
          applied = c;
          // Changed in place, against the engine's habit: suspend is no part of what it indexes by
          // spec, and the caller's spec is the one this run follows.
          spec.suspend = c.suspend();
          generation = Math.max(generation, c.generation());
        }
        Cancel cancel = cancelRequest;
        if (cancel != null && !cancelled) {
          cancelled = true;
          Plan stop = engine.cancel(spec, status, cancel.why(), generation);
          stop(stop.stop(), cancel.grace());
          // Whatever the engine already stopped (a timeout in its grace period) goes now, too.
          for (StepProcess p : live.keySet()) {
            supervisor.terminate(p, cancel.grace());
          }
          plan = Plan.NOTHING;
        }
        // After a cancel too: the finally steps run once the main steps have ended.
        if (status.phase == null || !status.phase.isFinal()) {
          plan = engine.plan(ref, spec, status, generation);
          stop(plan.stop(), stopGrace);
          start(ref.name(), spec, status, plan.start());
        }
        publish(status);
        if (status.phase != null && status.phase.isFinal() && live.isEmpty()) {
          return status.copy();
        }
        boolean finalNow = status.phase != null && status.phase.isFinal();
        List<Event> batch = new ArrayList<>();
        Event first = next(finalNow ? null : plan.wakeAt());
        if (first != null) {
          batch.add(first);
        }
        events.drainTo(batch);
        for (Event e : batch) {
          if (e instanceof Exited exited) {
            ended(spec, status, exited);
          }
        }
      }
    } catch (InterruptedException | RuntimeException | Error e) {
      // Nothing may outlive the run: kill what is left before giving up.
      for (StepProcess p : live.keySet()) {
        supervisor.signalGroup(p, Signal.KILL);
      }
      throw e;
    } finally {
      closeOutputs();
    }
  }

  /** The directory of this run's outputs files: the one given, or a temporary one. */
  private void openOutputs() {
    noOutputs = null;
    try {
      runOutputs = outputsDir != null ? outputsDir : temporaryDirectory();
    } catch (IOException e) {
      runOutputs = null;
      noOutputs = e;
    }
  }

  /**
   * A new directory for this run's outputs files, only its owner's, under java.io.tmpdir. Not
   * Files.createTempDirectory: its random name costs a SecureRandom, the JDK's security providers
   * and a read of /dev/urandom, at every start of {@code shepherd run} and in its AOT cache (a
   * tenth of the classes it loads); a name from the clock is unique enough, since creating a
   * directory that exists fails, and then the next name is tried.
   */
  private static Path temporaryDirectory() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    for (int i = 0; ; i++) {
      Path dir = tmp.resolve("shepherd-outputs-" + Long.toHexString(System.nanoTime()) + "-" + i);
      try {
        return Files.createDirectory(dir, OWNER_ONLY);
      } catch (FileAlreadyExistsException e) {
        if (i >= 100) {
          throw e;
        }
      }
    }
  }

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /**
   * Removes the temporary directory of the run's outputs files, with the files of attempts whose
   * end never came (the run was interrupted).
   */
  private void closeOutputs() {
    if (outputsDir != null || runOutputs == null) {
      return;
    }
    try (var files = Files.list(runOutputs)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(runOutputs);
    } catch (IOException e) {
      // a temporary directory left behind: no reason to fail the run
    }
    runOutputs = null;
  }

  /**
   * Ends the workflow from `initial` as Failed for the problems of its spec (reason InvalidSpec),
   * starting nothing, and returns that status; an initial status already final stays as it is.
   */
  public synchronized WorkflowStatus reject(
      List<Problem> problems, WorkflowStatus initial, long generation) {
    WorkflowStatus status = begin(initial);
    if (status.phase == null || !status.phase.isFinal()) {
      engine.reject(status, problems, generation);
    }
    publish(status);
    return status.copy();
  }

  /** A copy of `initial` to change, and no state left from an earlier run. */
  private WorkflowStatus begin(WorkflowStatus initial) {
    WorkflowStatus status = initial == null ? new WorkflowStatus() : initial.copy();
    if (status.steps == null) {
      status.steps = new ArrayList<>();
    }
    if (status.conditions == null) {
      status.conditions = new ArrayList<>();
    }
    current.clear();
    live.clear();
    published = null;
    return status;
  }

  /**
   * Thread-safe, from any thread (e.g. a signal handler): stop the run: running steps get SIGTERM
   * to their process group, SIGKILL after `grace`; the workflow ends Cancelled (Engine.cancel).
   * run() then returns.
   */
  public void cancel(String why, Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (cancelRequest == null) {
      cancelRequest = new Cancel(why == null ? "Cancelled." : why, grace);
    }
    events.add(new Wake());
  }

  /**
   * Thread-safe, from any thread (the supervisor's reader of its Workflow): the stored spec says
   * {@code suspend} at {@code generation}; the next plan follows it (no step starts while it is
   * true, and what became due starts when it is false again).
   */
  public void follow(boolean suspend, long generation) {
    control = new Control(suspend, generation);
    events.add(new Wake());
  }

  // ---- one round ----

  /** The next event, waiting at most until {@code wakeAt} (forever if null); null at wakeAt. */
  private Event next(Instant wakeAt) throws InterruptedException {
    if (wakeAt == null) {
      return events.take();
    }
    long nanos = Duration.between(clock.instant(), wakeAt).toNanos();
    return nanos <= 0 ? events.poll() : events.poll(nanos, TimeUnit.NANOSECONDS);
  }

  private void ended(WorkflowSpec spec, WorkflowStatus status, Exited e) {
    Attempt attempt = live.remove(e.process());
    if (attempt == null) {
      return;
    }
    Duration took = Duration.ofNanos(e.endedNanos() - attempt.startedNanos());
    Outcome outcome =
        withOutputs(
            outcome(attempt.command(), e.exit(), e.failure(), e.process().tail()),
            attempt.outputs());
    boolean counted = false;
    Attempt now = current.get(e.step());
    if (now != null && now.process() == e.process()) {
      current.remove(e.step());
      counted = engine.finished(spec, status, e.step(), e.attempt(), outcome);
    }
    listener.attemptEnded(e.step(), e.attempt(), e.exit(), outcome, took, counted);
  }

  private void stop(List<String> steps, Duration grace) {
    for (String name : steps) {
      Attempt a = current.remove(name);
      if (a != null) {
        supervisor.terminate(a.process(), grace);
      }
    }
  }

  private void start(
      String workflowName, WorkflowSpec spec, WorkflowStatus status, List<StepStart> starts) {
    for (StepStart s : starts) {
      Path outputs = runOutputs == null ? null : runOutputs.resolve(s.step() + "." + s.attempt());
      Command command =
          command(
              workflowName,
              spec,
              s.step(),
              s.run(),
              s.attempt(),
              outputs == null ? "" : outputs.toString());
      listener.attemptStarting(s.step(), s.attempt());
      long started = System.nanoTime();
      StepProcess process;
      try {
        createOutputs(outputs);
      } catch (IOException e) {
        startFailed(spec, status, s, "Could not create its outputs file: " + e + ".");
        continue;
      }
      try {
        process = supervisor.spawn(command);
      } catch (IOException | RuntimeException e) {
        deleteOutputs(outputs);
        startFailed(
            spec,
            status,
            s,
            "Could not start " + quote(command.argv().getFirst()) + ": " + e.getMessage() + ".");
        continue;
      }
      Attempt attempt = new Attempt(s.attempt(), process, command, outputs, started);
      current.put(s.step(), attempt);
      live.put(process, attempt);
      listener.attemptStarted(s.step(), s.attempt(), process.pid());
      String name = s.step();
      int number = s.attempt();
      process
          .exit()
          .whenComplete(
              (exit, failure) ->
                  events.add(new Exited(name, number, process, exit, failure, System.nanoTime())));
    }
  }

  /** An attempt that never ran: the engine decides what follows, as after any failure. */
  private void startFailed(WorkflowSpec spec, WorkflowStatus status, StepStart s, String why) {
    listener.attemptStarted(s.step(), s.attempt(), 0);
    Outcome outcome = new Outcome(null, START_FAILED_REASON, why);
    boolean counted = engine.finished(spec, status, s.step(), s.attempt(), outcome);
    listener.attemptEnded(s.step(), s.attempt(), null, outcome, Duration.ZERO, counted);
    events.add(new Wake()); // decide again at once: a retry with no backoff, or a free slot
  }

  // The outputs file of every attempt by java.io, not java.nio.file's Files: the supervisor runs
  // this code interpreted for its first thousands of steps (C1 only, compiled late), and Files'
  // layers (channels, providers, checks) made each step 0.15 ms slower (bench/SUPERVISOR.md,
  // session 8).

  /** An empty outputs file, so that a step may append to it as to a Pod's termination log. */
  private void createOutputs(Path file) throws IOException {
    if (file == null) {
      throw noOutputs;
    }
    new FileOutputStream(file.toString()).close();
  }

  private static void deleteOutputs(Path file) {
    if (file != null) {
      // if it can't be, it is left in the outputs directory; the next attempt has another name
      new File(file.toString()).delete();
    }
  }

  /**
   * {@code outcome} with the outputs the attempt wrote, if it exited cleanly (a failed attempt's
   * outputs count for nothing); the file is deleted in any case. A file gone (the step removed it)
   * is no outputs; one that can't be read fails the attempt.
   */
  static Outcome withOutputs(Outcome outcome, Path file) {
    try {
      if (!outcome.succeeded()) {
        return outcome;
      }
      byte[] bytes;
      try (InputStream in = new FileInputStream(file.toString())) {
        bytes = in.readNBytes(Outputs.MAX_BYTES + 1);
      } catch (FileNotFoundException e) {
        if (!new File(file.toString()).exists()) {
          return outcome;
        }
        return new Outcome(
            outcome.exitCode(),
            Outputs.INVALID_REASON,
            "Its outputs file " + file + " cannot be read: " + e.getMessage() + ".");
      } catch (IOException e) {
        return new Outcome(
            outcome.exitCode(),
            Outputs.INVALID_REASON,
            "Its outputs file " + file + " cannot be read: " + e.getMessage() + ".");
      }
      return new Outcome(
          outcome.exitCode(),
          outcome.reason(),
          outcome.message(),
          new String(bytes, StandardCharsets.UTF_8));
    } finally {
      deleteOutputs(file);
    }
  }

  // ---- what a step is ----

  /**
   * The process of one attempt: its {@link StepInvocation}, in the environment of this process,
   * writing its outputs to {@code outputFile}.
   *
   * @param runName the name it runs under: the step's, or a loop instance's
   */
  static Command command(
      String workflowName,
      WorkflowSpec spec,
      String runName,
      Step step,
      int attempt,
      String outputFile) {
    StepInvocation invocation = StepInvocation.of(workflowName, spec, step, attempt, outputFile);
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.putAll(invocation.variables());
    Path dir = invocation.workingDir() == null ? null : Path.of(invocation.workingDir());
    return new Command(runName, invocation.argv(), env, dir);
  }

  /** How the engine sees an exit: 128+N with the signal named, 126/127 naming the command. */
  static Outcome outcome(Command command, ExitStatus exit, Throwable failure, List<String> tail) {
    if (exit == null) {
      Throwable why =
          failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause()
              : failure;
      String what =
          why == null
              ? "no exit status"
              : Objects.requireNonNullElse(why.getMessage(), why.toString());
      return new Outcome(null, Outcome.ERROR, "The step's end was lost: " + what + ".");
    }
    String lines = lastLines(tail);
    return switch (exit.cause()) {
      case EXITED ->
          exit.code() == 0
              ? new Outcome(0, null, null)
              : new Outcome(exit.code(), Outcome.ERROR, lines);
      case KILLED ->
          new Outcome(
              exit.code(),
              SIGNAL_REASON,
              join(lines, "Killed by " + exit.signal() + " (exit code " + exit.code() + ")."));
      case NOT_FOUND ->
          new Outcome(
              exit.code(),
              NOT_FOUND_REASON,
              "Command "
                  + quote(command.argv().getFirst())
                  + " was not found"
                  + (command.workingDir() == null
                      ? ""
                      : ", or the working directory "
                          + quote(command.workingDir().toString())
                          + " does not exist")
                  + " (exit code 127).");
      case NOT_EXECUTABLE ->
          new Outcome(
              exit.code(),
              NOT_EXECUTABLE_REASON,
              "Command "
                  + quote(command.argv().getFirst())
                  + " is not executable (exit code 126).");
    };
  }

  private static String lastLines(List<String> tail) {
    if (tail == null || tail.isEmpty()) {
      return null;
    }
    return String.join("\n", tail.subList(Math.max(0, tail.size() - MESSAGE_LINES), tail.size()));
  }

  private static String join(String lines, String sentence) {
    return lines == null ? sentence : lines + "\n" + sentence;
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  /**
   * A step that the initial status says is Running has no process here (we were restarted): its
   * attempt ended without an exit code, and the engine decides what follows.
   */
  private void reportLostAttempts(WorkflowSpec spec, WorkflowStatus status) {
    for (RunStatus st : status.running()) {
      engine.finished(
          spec,
          status,
          st.name,
          st.attemptsOrZero(),
          new Outcome(
              null,
              LOST_REASON,
              "Attempt "
                  + st.attemptsOrZero()
                  + " was running when the executor restarted; its process is gone."));
    }
  }

  // ---- status copies ----

  /** Tells the listener about the status if it changed since the last time. */
  private void publish(WorkflowStatus status) {
    if (published != null && published.equals(status)) {
      return;
    }
    // Snapshots are never changed, so consecutive ones share their unchanged steps: a step's end
    // copies one step, not the whole status.
    published = status.snapshot(published);
    listener.statusChanged(published);
  }
}
