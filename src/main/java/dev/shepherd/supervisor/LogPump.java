package dev.shepherd.supervisor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The output of one step: its stdout and stderr pipes, read by the supervisor's one {@link Reader}
 * thread, which hands every line to a {@link LineSink} and keeps the last lines for the step's
 * status message.
 *
 * <p>After the step's main process has exited (and its group has been killed), its pipes are read
 * until both reach end of file or until the drain deadline, whichever is first. A grandchild that
 * left the step's process group (setsid) and still holds the pipe open cannot keep the step from
 * finishing.
 */
final class LogPump {
  private static final int MAX_LINE = 16 * 1024;

  private final String step;
  private final int[] fds;
  private final LineSink sink;
  private final int tailLines;
  private final Reader reader;
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  // Only the reader thread uses these two.
  private final boolean[] open = {true, true};
  private final ByteArrayOutputStream[] partial = {
    new ByteArrayOutputStream(), new ByteArrayOutputStream()
  };
  private volatile long deadlineNanos; // 0: no deadline yet
  private volatile boolean finished;

  LogPump(String step, int stdoutFd, int stderrFd, LineSink sink, int tailLines, Reader reader) {
    this.step = step;
    this.fds = new int[] {stdoutFd, stderrFd};
    this.sink = sink;
    this.tailLines = tailLines;
    this.reader = reader;
  }

  /** Hands the pipes to the reader thread. */
  void start() {
    reader.add(this);
  }

  /** Completes when both pipes are closed and every line has been handed on. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Stop reading at {@code nanoTime} even if some process still holds a pipe open. */
  void drainUntil(long nanoTime) {
    deadlineNanos = nanoTime == 0 ? 1 : nanoTime;
    if (!finished) {
      reader.wake(); // it may sleep in poll without a timeout
    }
  }

  List<String> tail() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  private boolean anyOpen() {
    return open[0] || open[1];
  }

  private boolean pastDeadline(long now) {
    long deadline = deadlineNanos;
    return deadline != 0 && now - deadline >= 0;
  }

  private void accept(int stream, byte[] bytes, int length) {
    ByteArrayOutputStream line = partial[stream];
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        emit(line);
      } else {
        line.write(b);
        if (line.size() >= MAX_LINE) {
          emit(line);
        }
      }
    }
  }

  private void failed(RuntimeException e) {
    open[0] = open[1] = false;
    try {
      emit("[shepherd] log reader failed: " + e);
    } catch (RuntimeException ignored) {
      // the sink itself failed; finish() still closes the pipes
    }
  }

  /** Hands on the unfinished lines, closes the pipes, completes {@link #done}. */
  private void finish() {
    try {
      for (ByteArrayOutputStream rest : partial) {
        if (rest.size() > 0) {
          emit(rest);
        }
      }
    } catch (RuntimeException e) {
      // a failing sink must not keep the pipes open or the step from ending
    } finally {
      Native.close(fds[0]);
      Native.close(fds[1]);
      finished = true;
      done.complete(null);
    }
  }

  private void emit(ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    emit(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
  }

  private void emit(String text) {
    synchronized (tail) {
      if (tail.size() == tailLines) {
        tail.removeFirst();
      }
      if (tailLines > 0) {
        tail.addLast(text);
      }
    }
    sink.line(step, text);
  }

  /**
   * The one thread that reads the pipes of every step: a platform thread (a blocking native call
   * would pin a virtual thread's carrier) sleeping in poll(2) over all open pipes and an eventfd,
   * which {@link #add} and {@link #drainUntil} signal so that a new step or a new deadline is seen
   * at once. Without a deadline pending, poll has no timeout.
   *
   * <p>Each round reads at most one buffer from each ready pipe, so a step with heavy output does
   * not starve the others.
   */
  static final class Reader implements AutoCloseable {
    private static final int BUFFER = 8192;

    private final int wakeFd = Native.eventfd();
    private final ConcurrentLinkedQueue<LogPump> added = new ConcurrentLinkedQueue<>();
    private final Thread thread =
        Thread.ofPlatform().daemon().name("shepherd-log").unstarted(this::run);
    private volatile boolean running = true;

    static Reader start() {
      Reader reader = new Reader();
      reader.thread.start();
      return reader;
    }

    void add(LogPump pump) {
      added.add(pump);
      wake();
    }

    void wake() {
      Native.signalEventfd(wakeFd);
    }

    private void run() {
      List<LogPump> pumps =
          new ArrayList<>(); // index i: pollfds 1 + 2i (stdout) and 2 + 2i (stderr)
      byte[] bytes = new byte[BUFFER];
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buf = arena.allocate(BUFFER);
        MemorySegment pollfds = MemorySegment.NULL;
        boolean changed = true;
        while (running) {
          try {
            for (LogPump pump; (pump = added.poll()) != null; changed = true) {
              pumps.add(pump);
            }
            long now = System.nanoTime();
            long timeoutNanos = -1;
            for (var it = pumps.iterator(); it.hasNext(); ) {
              LogPump pump = it.next();
              if (!pump.anyOpen() || pump.pastDeadline(now)) {
                it.remove();
                changed = true;
                pump.finish();
              } else if (pump.deadlineNanos != 0) {
                long left = pump.deadlineNanos - now;
                timeoutNanos = timeoutNanos < 0 ? left : Math.min(timeoutNanos, left);
              }
            }
            int count = 1 + 2 * pumps.size();
            if (changed) {
              if (pollfds.byteSize() < 8L * count) {
                pollfds = arena.allocate(8L * Math.max(count, 2 * pollfds.byteSize() / 8 + 1));
              }
              setPollfd(pollfds, 0, wakeFd);
              for (int i = 0; i < pumps.size(); i++) {
                LogPump pump = pumps.get(i);
                for (int s = 0; s < 2; s++) {
                  setPollfd(pollfds, 1 + 2 * i + s, pump.open[s] ? pump.fds[s] : -1);
                }
              }
              changed = false;
            }
            int timeoutMillis =
                timeoutNanos < 0
                    ? -1
                    : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
            if (Native.poll(pollfds, count, timeoutMillis) == 0) {
              continue;
            }
            if (revents(pollfds, 0) != 0) {
              Native.read(wakeFd, buf); // resets the counter
            }
            for (int i = 0; i < pumps.size(); i++) {
              LogPump pump = pumps.get(i);
              for (int s = 0; s < 2; s++) {
                int index = 1 + 2 * i + s;
                if (!pump.open[s] || revents(pollfds, index) == 0) {
                  continue;
                }
                try {
                  int n = Native.read(pump.fds[s], buf); // POLLIN or POLLHUP: never blocks
                  if (n == 0) {
                    pump.open[s] = false;
                    setPollfd(pollfds, index, -1); // poll ignores negative fds
                  } else {
                    MemorySegment.copy(buf, JAVA_BYTE, 0, bytes, 0, n);
                    pump.accept(s, bytes, n);
                  }
                } catch (RuntimeException e) {
                  pump.failed(e); // finished at the start of the next round
                }
              }
            }
          } catch (RuntimeException e) {
            // poll itself failed: end every step's reading rather than spin on the error
            for (LogPump pump : pumps) {
              pump.failed(e);
            }
            changed = true;
            LockSupport.parkNanos(
                Duration.ofMillis(100).toNanos()); // no busy loop on a lasting error
          }
        }
      } finally {
        for (LogPump pump; (pump = added.poll()) != null; ) {
          pumps.add(pump);
        }
        for (LogPump pump : pumps) {
          pump.finish();
        }
      }
    }

    private static void setPollfd(MemorySegment pollfds, int index, int fd) {
      pollfds.set(JAVA_INT, 8L * index, fd); // struct pollfd { int fd; short events, revents; }
      pollfds.set(JAVA_SHORT, 8L * index + 4, Native.POLLIN);
      pollfds.set(JAVA_SHORT, 8L * index + 6, (short) 0);
    }

    private static short revents(MemorySegment pollfds, int index) {
      return pollfds.get(JAVA_SHORT, 8L * index + 6);
    }

    /** Stops the thread; steps still being read end as if their drain deadline had passed. */
    @Override
    public void close() {
      running = false;
      wake();
      try {
        thread.join(Duration.ofSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!thread.isAlive()) {
        Native.close(wakeFd);
      }
    }
  }
}
