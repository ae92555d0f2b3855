package dev.shepherd.supervisor;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one loop that waits for every child of this process: the steps we spawned and any orphan the
 * kernel reparented to us (as PID 1, or as a child subreaper).
 *
 * <p>Its thread sleeps in a blocking {@code waitid(P_ALL, WEXITED | WNOWAIT)}: the kernel wakes it
 * when any child becomes a zombie, the moment it would send SIGCHLD. There is no signal handler
 * (the JDK would start a thread for every delivered signal) and no poll. When we have no child at
 * all, waitid fails at once with ECHILD; the thread then waits until the next spawn (see {@link
 * #awaitSpawn}).
 *
 * <p>How a step's end is handled: {@code waitid(WNOWAIT)} finds the exited child without reaping
 * it; while that zombie still holds its pid, and so its process group id, we SIGKILL the group, so
 * nothing the step left behind leaks into the next step and the kill cannot hit a recycled group.
 * Only then is the zombie reaped. The killed leftovers become our orphans and are reaped in the
 * next rounds.
 *
 * <p><b>Never use {@link ProcessBuilder} or {@link Runtime#exec} in a JVM that runs this loop.</b>
 * The JDK waits for its children with {@code waitpid(pid)} on its own threads; when our loop reaps
 * such a child first (to us it is an unknown pid, so an orphan), the JDK gets ECHILD and {@code
 * Process.waitFor()} reports exit code 0 for a process that failed. Every child of the supervisor
 * is started through {@link Spawner} (posix_spawnp) instead.
 */
final class Reaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  /**
   * As PID 1, how long to wait for a spawn while we have no child at all before asking waitid
   * again. A process that entered our PID namespace from outside (kubectl exec) has its parent
   * outside, so its orphans are reparented to PID 1 although we never had a child: only this look
   * while idle finds them. A subreaper only ever gets orphans of its own descendants, so it waits
   * for the next spawn without a timeout.
   */
  private static final long PID1_IDLE_NANOS = Duration.ofSeconds(1).toNanos();

  private final Object lock = new Object();

  /** The exit of every step not reaped yet, by pid; each is completed exactly once. */
  private final Map<Integer, CompletableFuture<ExitStatus>> steps =
      new HashMap<>(); // guarded by lock

  private final AtomicLong orphansReaped = new AtomicLong();
  private final AtomicLong wakeups = new AtomicLong();
  private final boolean pid1;

  /** {@link Native#reap}; another in tests, to fail as it can. */
  private final IntUnaryOperator reap;

  private final Thread thread;

  /** Counts successful spawns, so that a spawn between an ECHILD and the wait is not missed. */
  private volatile long spawns; // written under lock

  private volatile boolean running = true;

  /**
   * True while the thread is (about to be) in the blocking waitid, which close() cannot interrupt.
   */
  private volatile boolean inWaitid;

  Reaper(boolean pid1, IntUnaryOperator reap) {
    this.pid1 = pid1;
    this.reap = reap;
    this.thread = Thread.ofPlatform().daemon().name("shepherd-reaper").unstarted(this::loop);
  }

  static Reaper start(boolean pid1) {
    initialiseProcessImpl();
    Reaper reaper = new Reaper(pid1, Native::reap);
    reaper.thread.start();
    return reaper;
  }

  /** The main loop. */
  private void loop() {
    while (running) {
      try {
        long spawnsBefore = spawns; // read before waitid: a later spawn changes it
        inWaitid = true;
        int pid = Native.awaitExitedChild();
        inWaitid = false;
        if (!running) {
          return; // only peeked: nothing is lost
        }
        if (pid > 0) {
          wakeups.incrementAndGet();
          collect(pid);
        } else if (pid == -Native.ECHILD) {
          awaitSpawn(spawnsBefore);
        }
      } catch (RuntimeException e) {
        inWaitid = false;
        log.error("reap loop failed; going on", e);
        LockSupport.parkNanos(
            this, Duration.ofMillis(100).toNanos()); // no busy loop on a lasting error
      }
    }
  }

  /**
   * Handles one exited (still unreaped) child. A step's exit is completed whatever happens: a step
   * left waiting would hold its workflow forever.
   */
  void collect(int pid) {
    CompletableFuture<ExitStatus> step;
    synchronized (lock) {
      step = steps.remove(pid);
      if (step != null) {
        Native.kill(-pid, Signal.KILL.number()); // its zombie still holds the pgid
      }
    }
    ExitStatus status;
    try {
      int raw = reap.applyAsInt(pid);
      if (raw == -1) {
        // Not ours to reap any more: the child of a failed spawn, which posix_spawnp reaped itself,
        // is never a step; a step's process reaped by someone else took its exit status along.
        if (step != null) {
          step.completeExceptionally(
              new IllegalStateException(
                  "its process (pid "
                      + pid
                      + ") was reaped by something other than the supervisor, and its exit status with it"));
        }
        return;
      }
      status = ExitStatus.fromWaitStatus(raw); // throws for a real-time signal, which has no Signal
    } catch (RuntimeException e) {
      if (step != null) {
        step.completeExceptionally(e);
      }
      throw e;
    }
    if (step != null) {
      step.complete(status);
    } else {
      orphansReaped.incrementAndGet();
      if (log.isDebugEnabled()) {
        log.debug("reaped orphan {}: {}", pid, status.describe());
      }
    }
  }

  /** We have no child: sleep until the next spawn (as PID 1, at most {@link #PID1_IDLE_NANOS}). */
  private void awaitSpawn(long spawnsBefore) {
    synchronized (lock) {
      long deadline = System.nanoTime() + PID1_IDLE_NANOS;
      while (running && spawns == spawnsBefore) {
        long left = pid1 ? deadline - System.nanoTime() : Long.MAX_VALUE;
        if (left <= 0) {
          return;
        }
        try {
          if (pid1) {
            lock.wait(Math.max(1, left / 1_000_000));
          } else {
            lock.wait();
          }
        } catch (InterruptedException e) {
          return; // the loop checks running again
        }
      }
    }
  }

  /**
   * Spawns under the table lock, so a child that exits at once is already registered when the loop
   * finds it.
   */
  Spawner.Result spawn(
      Command command, int stdoutFd, int stderrFd, CompletableFuture<ExitStatus> exit)
      throws IOException {
    synchronized (lock) {
      Spawner.Result result = Spawner.spawn(command, stdoutFd, stderrFd);
      if (result.pid() > 0) {
        register(result.pid(), exit);
      }
      return result;
    }
  }

  /** Takes {@code pid} for a step's process, whose exit the loop completes. */
  void register(int pid, CompletableFuture<ExitStatus> exit) {
    synchronized (lock) {
      steps.put(pid, exit);
      spawns++;
      lock.notifyAll(); // wakes the loop if it waits for a first child
    }
  }

  /**
   * Signals the process group of a step whose main process has not been reaped yet; false if it has
   * (its group id may then belong to someone else).
   */
  boolean signalGroup(int pid, Signal signal) {
    synchronized (lock) {
      return steps.containsKey(pid) && Native.kill(-pid, signal.number()) == 0;
    }
  }

  long orphansReaped() {
    return orphansReaped.get();
  }

  /**
   * How many times the blocking waitid returned an exited child (a step, an orphan or a failed
   * spawn).
   */
  long wakeups() {
    return wakeups.get();
  }

  /**
   * Stops the loop. If the thread sleeps in waitid (we still have children), nothing can wake it
   * but a child's exit: it is a daemon thread, and it stops without reaping when that happens.
   */
  @Override
  public void close() {
    synchronized (lock) {
      running = false;
      lock.notifyAll();
    }
    LockSupport.unpark(thread);
    if (inWaitid) {
      return;
    }
    try {
      thread.join(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs ProcessImpl's static initialiser, which sets SIGCHLD to SIG_DFL. That is what this loop
   * needs: had we inherited SIGCHLD ignored (SIG_IGN survives exec), the kernel would reap every
   * child itself, and waitid would never report a step's exit status.
   */
  private static void initialiseProcessImpl() {
    try {
      Class.forName("java.lang.ProcessImpl", true, null);
    } catch (ClassNotFoundException e) {
      log.warn("java.lang.ProcessImpl not found; SIGCHLD keeps the disposition we inherited", e);
    }
  }
}
