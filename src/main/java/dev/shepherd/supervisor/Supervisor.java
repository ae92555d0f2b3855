package dev.shepherd.supervisor;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process layer of {@code shepherd supervise}: starts step processes, reaps every child (steps
 * and reparented orphans), signals and kills steps by process group, and relays the signals sent to
 * us. The workflow engine decides which step runs when; this class only runs them.
 *
 * <h2>How the JVM must be started</h2>
 *
 * <ul>
 *   <li>{@code --enable-native-access=ALL-UNNAMED} (or the jar's {@code Enable-Native-Access}
 *       manifest entry): the libc calls use the FFM API.
 *   <li>No {@code -Xrs}: with it HotSpot refuses handlers for SIGTERM, SIGINT and SIGHUP, so {@link
 *       #onSignals} fails for them.
 *   <li>SIGUSR2: on Temurin 25 a handler for it can be installed as is. HotSpot still names USR2 as
 *       its default suspend/resume signal, so start with {@code _JAVA_SR_SIGNUM=39} in the
 *       environment to move that to a real-time signal and leave USR2 wholly to the steps.
 *   <li>SIGQUIT is HotSpot's thread-dump signal and cannot be relayed (without {@code -Xrs}).
 *   <li>The JVM must not use {@link ProcessBuilder} or {@code Runtime.exec}: see {@link Reaper}.
 * </ul>
 *
 * <p>As PID 1 the kernel reparents every orphan of the pod to us. Otherwise we make ourselves a
 * child subreaper with prctl(PR_SET_CHILD_SUBREAPER), as {@code tini -s} does, so orphans of our
 * steps still come to us and not to the real init.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** The signals a supervisor relays to its steps, as tini relays them to its child. */
  public static final Set<Signal> FORWARDED =
      Collections.unmodifiableSet(
          EnumSet.of(Signal.TERM, Signal.INT, Signal.HUP, Signal.USR1, Signal.USR2));

  /**
   * @param tailLines how many of a step's last output lines to keep
   * @param drainTimeout how long to keep reading a step's pipes after its main process exited
   * @param sink where every output line goes (called on the supervisor's log reader thread)
   */
  public record Options(int tailLines, Duration drainTimeout, LineSink sink) {
    public static Options defaults() {
      return new Options(20, Duration.ofSeconds(2), LineSink.prefixed(System.out));
    }

    public Options withSink(LineSink sink) {
      return new Options(tailLines, drainTimeout, sink);
    }
  }

  private final Options options;
  private final Reaper reaper;
  private final LogPump.Reader logs;
  private final boolean pid1;
  private final Set<StepProcess> running = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("shepherd-timer").factory());

  private Supervisor(Options options, Reaper reaper, LogPump.Reader logs, boolean pid1) {
    this.options = options;
    this.reaper = reaper;
    this.logs = logs;
    this.pid1 = pid1;
  }

  public static Supervisor start() {
    return start(Options.defaults());
  }

  public static Supervisor start(Options options) {
    boolean pid1 = Native.getpid() == 1;
    if (!pid1) {
      Native.setChildSubreaper();
      log.info(
          "not PID 1 (pid {}): registered as a child subreaper so orphans of steps come to us",
          Native.getpid());
    }
    return new Supervisor(options, Reaper.start(pid1), LogPump.Reader.start(), pid1);
  }

  /**
   * Starts a step in its own process group. A command that cannot be executed ends with 126/127.
   */
  public StepProcess spawn(Command command) throws IOException {
    int[] out = Native.pipe();
    int[] err = Native.pipe();
    CompletableFuture<ExitStatus> reaped = new CompletableFuture<>();
    Spawner.Result started;
    try {
      started = reaper.spawn(command, out[1], err[1], reaped);
    } catch (IOException | RuntimeException e) {
      for (int fd : new int[] {out[0], err[0]}) {
        Native.close(fd);
      }
      throw e;
    } finally {
      Native.close(out[1]); // the child has its copies; ours would keep the pipes from EOF
      Native.close(err[1]);
    }
    if (started.pid() == 0) {
      Native.close(out[0]);
      Native.close(err[0]);
      log.info("step {} {}", command.name(), started.failure().describe());
      return new StepProcess(
          command.name(),
          0,
          CompletableFuture.completedFuture(started.failure()),
          CompletableFuture.completedFuture(started.failure()),
          null);
    }
    LogPump pump =
        new LogPump(command.name(), out[0], err[0], options.sink(), options.tailLines(), logs);
    pump.start();
    reaped.whenComplete(
        (status, lost) -> pump.drainUntil(System.nanoTime() + options.drainTimeout().toNanos()));
    // Completed directly on whichever of the reaper and the log reader finishes last: no hop to
    // another thread (see StepProcess.exit for what that asks of callbacks).
    CompletableFuture<ExitStatus> exit =
        reaped.thenCombine(pump.done(), (status, drained) -> status);
    StepProcess step = new StepProcess(command.name(), started.pid(), reaped, exit, pump);
    running.add(step);
    exit.whenComplete((status, failure) -> running.remove(step));
    log.debug("started {}", step);
    return step;
  }

  /** Sends a signal to the step's whole process group; false if its main process is gone. */
  public boolean signalGroup(StepProcess step, Signal signal) {
    return step.pid() > 0 && reaper.signalGroup(step.pid(), signal);
  }

  /** Signals the process group of every running step. */
  public void signalAll(Signal signal) {
    for (StepProcess step : running) {
      signalGroup(step, signal);
    }
  }

  /**
   * Stops a step: SIGTERM to its process group, then SIGKILL to the group if its main process has
   * not exited after {@code grace}. Returns the step's exit.
   */
  public CompletableFuture<ExitStatus> terminate(StepProcess step, Duration grace) {
    if (signalGroup(step, Signal.TERM)) {
      var kill =
          timers.schedule(
              () -> signalGroup(step, Signal.KILL), grace.toMillis(), TimeUnit.MILLISECONDS);
      step.reaped().whenComplete((status, failure) -> kill.cancel(false));
    }
    return step.exit();
  }

  /**
   * Hands the given signals, when this process receives them, to {@code handler} (typically {@link
   * #signalAll}). This replaces the JVM's own handling: a SIGTERM no longer shuts it down.
   *
   * @throws IllegalArgumentException if the JVM keeps one of them for itself (see class comment)
   */
  public void onSignals(Set<Signal> signals, Consumer<Signal> handler) {
    List<String> refused = new ArrayList<>();
    for (Signal signal : signals) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), s -> handler.accept(signal));
      } catch (IllegalArgumentException e) {
        refused.add(signal + " (" + e.getMessage() + ")");
      }
    }
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException(
          "the JVM refused handlers for "
              + refused
              + "; start it without -Xrs (and with _JAVA_SR_SIGNUM=39 for SIGUSR2)");
    }
  }

  public boolean isPid1() {
    return pid1;
  }

  /** The steps whose exit has not completed yet. */
  public Set<StepProcess> running() {
    return Set.copyOf(running);
  }

  /** How many children that were not our steps (orphans reparented to us) have been reaped. */
  public long orphansReaped() {
    return reaper.orphansReaped();
  }

  /**
   * How many times the reap loop's blocking waitid returned an exited child: once for every child
   * reaped (step or orphan), and for a failed spawn's child if it saw it before posix_spawnp reaped
   * it.
   */
  public long wakeups() {
    return reaper.wakeups();
  }

  /**
   * Kills every running step's group, waits for them briefly, and stops the reap loop and the log
   * reader.
   */
  @Override
  public void close() {
    signalAll(Signal.KILL);
    for (StepProcess step : running()) {
      try {
        step.exit().get(options.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("{} did not finish while closing: {}", step, e.toString());
      }
    }
    reaper.close();
    logs.close();
    timers.shutdownNow();
  }
}
