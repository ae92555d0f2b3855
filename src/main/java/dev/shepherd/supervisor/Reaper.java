package dev.shepherd.supervisor;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one loop that waits for every child of this process: the steps we spawned and any orphan
 * the kernel reparented to us (as PID 1, or as a child subreaper).
 *
 * <p>It sleeps until SIGCHLD (a {@code sun.misc.Signal} handler wakes it), then collects exited
 * children until none is left. A fallback timer wakes it too, in case a SIGCHLD was lost.
 *
 * <p>How a step's end is handled: {@code waitid(WNOWAIT)} finds the exited child without reaping
 * it; while that zombie still holds its pid, and so its process group id, we SIGKILL the group,
 * so nothing the step left behind leaks into the next step and the kill cannot hit a recycled
 * group. Only then is the zombie reaped. The killed leftovers become our orphans and are reaped
 * in the next rounds.
 *
 * <p><b>Never use {@link ProcessBuilder} or {@link Runtime#exec} in a JVM that runs this loop.</b>
 * Two reasons: (1) the JDK waits for its children with {@code waitpid(pid)} on its own threads;
 * when our {@code waitpid} reaps such a child first, the JDK gets ECHILD and
 * {@code Process.waitFor()} reports exit code 0 for a step that failed. (2) Initialising
 * {@code java.lang.ProcessImpl} resets the SIGCHLD disposition to SIG_DFL, silently removing our
 * handler; {@link #start} initialises that class first so a stray use cannot do it later, and the
 * fallback timer re-installs the handler if it ever finds an exit the signal did not announce.
 * Every child of the supervisor is started through {@link Spawner} (posix_spawnp) instead.
 */
final class Reaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  private final Object lock = new Object();
  private final Map<Integer, Consumer<ExitStatus>> steps = new HashMap<>(); // guarded by lock
  private final AtomicBoolean sigchld = new AtomicBoolean();
  private final AtomicLong orphansReaped = new AtomicLong();
  private final AtomicLong signalWakeups = new AtomicLong();
  private final AtomicLong timerWakeups = new AtomicLong();
  private final long fallbackNanos;
  private final Thread thread;
  private volatile boolean running = true;

  private Reaper(Duration fallback) {
    this.fallbackNanos = fallback.toNanos();
    this.thread = Thread.ofPlatform().daemon().name("shepherd-reaper").unstarted(this::loop);
  }

  static Reaper start(Duration fallback) {
    initialiseProcessImpl();
    Reaper reaper = new Reaper(fallback);
    reaper.installSigchldHandler();
    reaper.thread.start();
    return reaper;
  }

  /** The main loop. */
  private void loop() {
    while (running) {
      try {
        reapAll();
        LockSupport.parkNanos(this, fallbackNanos);
        if (sigchld.getAndSet(false)) {
          signalWakeups.incrementAndGet();
        } else {
          timerWakeups.incrementAndGet();
          if (reapAll() > 0) {
            log.debug("fallback timer found exited children; re-installing the SIGCHLD handler");
            installSigchldHandler();
          }
        }
      } catch (RuntimeException e) {
        log.error("reap loop failed; going on", e);
        LockSupport.parkNanos(this, Duration.ofMillis(100).toNanos()); // no busy loop on a lasting error
      }
    }
  }

  /** Collects every exited child; returns how many. */
  private int reapAll() {
    int count = 0;
    int pid;
    while ((pid = Native.peekExitedChild()) > 0) {
      Consumer<ExitStatus> step;
      synchronized (lock) {
        step = steps.remove(pid);
        if (step != null) Native.kill(-pid, Signal.KILL.number()); // its zombie still holds the pgid
      }
      int raw = Native.reap(pid);
      if (raw == -1) continue; // a failed spawn, already reaped by posix_spawnp
      ExitStatus status = ExitStatus.fromWaitStatus(raw);
      count++;
      if (step != null) {
        step.accept(status);
      } else {
        orphansReaped.incrementAndGet();
        if (log.isDebugEnabled()) log.debug("reaped orphan {}: {}", pid, status.describe());
      }
    }
    return count;
  }

  /**
   * Spawns under the table lock, so a child that exits at once is already registered when the
   * loop finds it.
   */
  Spawner.Result spawn(Command command, int stdoutFd, int stderrFd, Consumer<ExitStatus> onExit)
      throws IOException {
    synchronized (lock) {
      Spawner.Result result = Spawner.spawn(command, stdoutFd, stderrFd);
      if (result.pid() > 0) steps.put(result.pid(), onExit);
      return result;
    }
  }

  /**
   * Signals the process group of a step whose main process has not been reaped yet; false if it
   * has (its group id may then belong to someone else).
   */
  boolean signalGroup(int pid, Signal signal) {
    synchronized (lock) {
      return steps.containsKey(pid) && Native.kill(-pid, signal.number()) == 0;
    }
  }

  long orphansReaped() {
    return orphansReaped.get();
  }

  long signalWakeups() {
    return signalWakeups.get();
  }

  long timerWakeups() {
    return timerWakeups.get();
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void installSigchldHandler() {
    sun.misc.Signal.handle(new sun.misc.Signal("CHLD"), signal -> {
      sigchld.set(true);
      LockSupport.unpark(thread);
    });
  }

  /** Runs ProcessImpl's static initialiser (which resets SIGCHLD) before we install ours. */
  private static void initialiseProcessImpl() {
    try {
      Class.forName("java.lang.ProcessImpl", true, null);
    } catch (ClassNotFoundException e) {
      log.warn("java.lang.ProcessImpl not found; a later ProcessBuilder use may reset SIGCHLD", e);
    }
  }
}
