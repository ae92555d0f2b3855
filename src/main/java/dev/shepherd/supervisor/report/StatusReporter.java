package dev.shepherd.supervisor.report;

import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.SpecControl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the supervisor's status snapshots to the API server, on a thread of its own, so the
 * workflow never waits for the network.
 *
 * <ul>
 *   <li>It coalesces: only the latest snapshot is ever sent; a burst of changes is one patch.
 *   <li>It retries with capped exponential backoff through anything that may pass (no answer,
 *       timeouts, 409, 429, 5xx), for as long as it takes: once the server is back, the latest
 *       snapshot is written. A 403 or 404 (RBAC, or the workflow was deleted) is logged and ends
 *       the retries of that snapshot; the next snapshot is tried once again.
 *   <li>It writes the termination message file for every snapshot it takes up, even while the
 *       server is away (so the file lags the latest snapshot by at most one file write).
 *   <li>If asked to, it reads the spec's control fields ({@link StatusApi#control}) every so often,
 *       and hands a value that differs from the last one to a consumer: the supervisor's one thread
 *       that talks to the API server does this too, so the steps never wait for that request, and
 *       no other thread is needed for it.
 * </ul>
 */
public final class StatusReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

  /** Delays between attempts: {@code initial}, doubling up to {@code max}. */
  public record Backoff(Duration initial, Duration max) {
    public static Backoff defaults() {
      return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    }
  }

  /** How {@link #flush} ended. */
  public enum Flush {
    /** The latest snapshot is in the API server (and in the termination message). */
    WRITTEN,
    /** The server refused it for good (403/404/4xx); the termination message holds it. */
    REFUSED,
    /**
     * Not written within the time given (the server is still away); the termination message holds
     * it.
     */
    TIMED_OUT
  }

  private final StatusApi api;
  private final Path terminationLog;
  private final Backoff backoff;
  private final Thread thread;
  private final Duration pollEvery;
  private final Consumer<SpecControl> controlled;

  private final Object lock = new Object();
  // Guarded by lock. Snapshots are numbered 1, 2, ...; "settled" means written or refused for good.
  private WorkflowStatus latest;
  private long submitted;
  private long fileWritten;
  private long settled;
  private long written;
  private long patches;
  private long failedAttempts;
  private boolean closed;

  /**
   * @param terminationLog where to write the termination message, or null for none
   */
  public StatusReporter(StatusApi api, Path terminationLog, Backoff backoff) {
    this(api, terminationLog, backoff, null, null);
  }

  /**
   * @param terminationLog where to write the termination message, or null for none
   * @param pollEvery how often to read the spec's control fields; null for never
   * @param controlled gets what was read, when it differs from what was read before (the first read
   *     always), on the reporter's thread
   */
  public StatusReporter(
      StatusApi api,
      Path terminationLog,
      Backoff backoff,
      Duration pollEvery,
      Consumer<SpecControl> controlled) {
    this.api = api;
    this.terminationLog = terminationLog;
    this.backoff = backoff;
    this.pollEvery = controlled == null ? null : pollEvery;
    this.controlled = controlled;
    this.thread =
        Thread.ofPlatform().daemon().name("shepherd-status-reporter").unstarted(this::loop);
    thread.start();
  }

  /**
   * Hands over a snapshot; returns at once. The caller must not change it afterwards ({@code
   * WorkflowRunner} gives a fresh copy to every call).
   */
  public void submit(WorkflowStatus snapshot) {
    synchronized (lock) {
      if (closed) {
        log.warn("status reporter closed; dropping a snapshot (phase {})", snapshot.phase);
        return;
      }
      latest = snapshot;
      submitted++;
      lock.notifyAll();
    }
  }

  /**
   * Waits, up to {@code timeout}, until the latest snapshot is settled: written to the API server,
   * or refused by it for good. The termination message is written in any case (if the file can be).
   */
  public Flush flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      long target = submitted;
      while (settled < target || fileWritten < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return written >= target ? Flush.WRITTEN : Flush.TIMED_OUT;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return written >= target ? Flush.WRITTEN : Flush.REFUSED;
    }
  }

  /** Successful patches so far. */
  public long patches() {
    synchronized (lock) {
      return patches;
    }
  }

  /** Attempts that failed (and were retried or given up) so far. */
  public long failedAttempts() {
    synchronized (lock) {
      return failedAttempts;
    }
  }

  /** Stops the thread; a snapshot not yet written stays unwritten (call {@link #flush} first). */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The reads of the control fields, and what the last one gave. */
  private final class Poll {
    private SpecControl last;
    private boolean failing;

    void read() {
      SpecControl now = null;
      String why;
      try {
        now = api.control();
        why = now == null ? "the answer is no Workflow in plain JSON" : null;
      } catch (StatusApi.ApiException | RuntimeException e) {
        why = e.getMessage();
      }
      if (why != null) {
        if (!failing) {
          log.warn("cannot read the workflow's spec.suspend (trying again): {}", why);
        }
        failing = true;
        return;
      }
      failing = false;
      if (last == null
          || last.suspend() != now.suspend()
          || last.generation() != now.generation()) {
        last = now;
        controlled.accept(now);
      }
    }
  }

  private void loop() {
    long delayNanos = backoff.initial().toNanos();
    long nextAttempt = System.nanoTime();
    long failingSince = 0;
    int failuresInRow = 0;
    int lastRefusal = -1;
    boolean fileFailed = false;
    long nextPoll = pollEvery == null ? 0 : System.nanoTime() + pollEvery.toNanos();
    Poll poll = new Poll();
    while (true) {
      WorkflowStatus snapshot;
      long seq;
      boolean writeFile;
      boolean patch;
      boolean read;
      synchronized (lock) {
        while (true) {
          if (closed) {
            return;
          }
          long now = System.nanoTime();
          writeFile = fileWritten < submitted;
          patch = settled < submitted && now - nextAttempt >= 0;
          read = pollEvery != null && now - nextPoll >= 0;
          if (writeFile || patch || read) {
            break;
          }
          try {
            long waitNanos = Long.MAX_VALUE;
            if (settled < submitted) {
              waitNanos = nextAttempt - now;
            }
            if (pollEvery != null) {
              waitNanos = Math.min(waitNanos, nextPoll - now);
            }
            if (waitNanos == Long.MAX_VALUE) {
              lock.wait();
            } else {
              lock.wait(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
        snapshot = latest;
        seq = submitted;
      }

      if (read) {
        // Before the writes that are due too: a run whose status changes all the time would
        // otherwise never leave a moment for it.
        poll.read();
        nextPoll = System.nanoTime() + pollEvery.toNanos();
        if (!writeFile && !patch) {
          continue;
        }
      }
      if (writeFile) {
        if (terminationLog != null) {
          try {
            TerminationMessage.write(terminationLog, snapshot);
            fileFailed = false;
          } catch (IOException | RuntimeException e) {
            if (!fileFailed) {
              log.warn(
                  "cannot write the termination message to {}: {}", terminationLog, e.toString());
            }
            fileFailed = true;
          }
        }
        synchronized (lock) {
          fileWritten = Math.max(fileWritten, seq);
          lock.notifyAll();
        }
      }
      if (!patch) {
        continue;
      }

      try {
        api.patch(snapshot);
        if (failuresInRow > 0) {
          log.info(
              "status written (phase {}) after {} failed attempts over {} s",
              snapshot.phase,
              failuresInRow,
              Duration.ofNanos(System.nanoTime() - failingSince).toSeconds());
        }
        failuresInRow = 0;
        lastRefusal = -1;
        delayNanos = backoff.initial().toNanos();
        synchronized (lock) {
          settled = Math.max(settled, seq);
          written = Math.max(written, seq);
          patches++;
          lock.notifyAll();
        }
      } catch (StatusApi.ApiException e) {
        synchronized (lock) {
          failedAttempts++;
        }
        if (e.retryable()) {
          if (failuresInRow == 0) {
            failingSince = System.nanoTime();
          }
          failuresInRow++;
          // First failure, then every 10th: an outage of minutes stays readable.
          if (failuresInRow == 1 || failuresInRow % 10 == 0) {
            log.warn(
                "cannot write the status yet (attempt {}; retrying in {} ms): {}",
                failuresInRow,
                delayNanos / 1_000_000,
                e.getMessage());
          }
          nextAttempt = System.nanoTime() + delayNanos;
          delayNanos = Math.min(delayNanos * 2, backoff.max().toNanos());
        } else {
          if (e.code() != lastRefusal) {
            log.error(
                "the API server refused the status (phase {}), not retrying it: {}{}",
                snapshot.phase,
                e.getMessage(),
                e.code() == 404
                    ? " (was the workflow deleted?)"
                    : e.code() == 403
                        ? " (does the supervisor's Role allow patch on workflows/status?)"
                        : "");
          } else {
            log.debug("the API server refused the status again: {}", e.getMessage());
          }
          lastRefusal = e.code();
          failuresInRow = 0;
          delayNanos = backoff.initial().toNanos();
          synchronized (lock) {
            settled = Math.max(settled, seq);
            lock.notifyAll();
          }
        }
      } catch (RuntimeException e) {
        // Not an answer from the server (a client bug, a closed client): retry like an outage,
        // never spin.
        synchronized (lock) {
          failedAttempts++;
        }
        failuresInRow++;
        log.warn("writing the status failed; retrying in {} ms", delayNanos / 1_000_000, e);
        nextAttempt = System.nanoTime() + delayNanos;
        delayNanos = Math.min(delayNanos * 2, backoff.max().toNanos());
      }
    }
  }
}
