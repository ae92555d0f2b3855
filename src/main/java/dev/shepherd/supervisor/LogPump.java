package dev.shepherd.supervisor;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a step's stdout and stderr pipes on one platform thread, hands every line to a
 * {@link LineSink} and keeps the last lines for the step's status message.
 *
 * <p>A platform thread, because a blocking native call pins a virtual thread's carrier. It polls
 * with a short timeout so that it can give up: after the step's main process has exited (and its
 * group has been killed), it reads until both pipes reach end of file or until the drain
 * deadline, whichever is first. A grandchild that left the step's process group (setsid) and still
 * holds the pipe open cannot keep the step from finishing.
 */
final class LogPump implements Runnable {
  private static final int MAX_LINE = 16 * 1024;
  private static final int IDLE_POLL_MILLIS = 250;

  private final String step;
  private final int[] fds;
  private final LineSink sink;
  private final int tailLines;
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long deadlineNanos; // 0: no deadline yet

  LogPump(String step, int stdoutFd, int stderrFd, LineSink sink, int tailLines) {
    this.step = step;
    this.fds = new int[] {stdoutFd, stderrFd};
    this.sink = sink;
    this.tailLines = tailLines;
  }

  void start() {
    Thread.ofPlatform().daemon().name("log-" + step).start(this);
  }

  /** Completes when both pipes are closed and every line has been handed on. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Stop reading at {@code nanoTime} even if some process still holds a pipe open. */
  void drainUntil(long nanoTime) {
    deadlineNanos = nanoTime == 0 ? 1 : nanoTime;
  }

  List<String> tail() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  @Override
  public void run() {
    ByteArrayOutputStream[] partial = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    boolean[] open = {true, true};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pollfds = arena.allocate(8L * 2); // struct pollfd { int fd; short events, revents; }
      MemorySegment buf = arena.allocate(8192);
      while ((open[0] || open[1]) && !pastDeadline()) {
        for (int i = 0; i < 2; i++) {
          pollfds.set(JAVA_INT, 8L * i, open[i] ? fds[i] : -1); // poll ignores negative fds
          pollfds.set(JAVA_SHORT, 8L * i + 4, Native.POLLIN);
          pollfds.set(JAVA_SHORT, 8L * i + 6, (short) 0);
        }
        if (Native.poll(pollfds, 2, pollTimeout()) == 0) continue;
        for (int i = 0; i < 2; i++) {
          if (!open[i] || pollfds.get(JAVA_SHORT, 8L * i + 6) == 0) continue;
          int n = Native.read(fds[i], buf); // POLLIN or POLLHUP: never blocks
          if (n == 0) open[i] = false;
          else splitLines(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), partial[i]);
        }
      }
    } catch (RuntimeException e) {
      emit("[shepherd] log reader failed: " + e);
    } finally {
      for (ByteArrayOutputStream rest : partial) if (rest.size() > 0) emit(rest);
      Native.close(fds[0]);
      Native.close(fds[1]);
      done.complete(null);
    }
  }

  private boolean pastDeadline() {
    long deadline = deadlineNanos;
    return deadline != 0 && System.nanoTime() - deadline >= 0;
  }

  private int pollTimeout() {
    long deadline = deadlineNanos;
    if (deadline == 0) return IDLE_POLL_MILLIS;
    long left = (deadline - System.nanoTime()) / 1_000_000;
    return (int) Math.max(0, Math.min(IDLE_POLL_MILLIS, left));
  }

  private void splitLines(byte[] bytes, ByteArrayOutputStream line) {
    for (byte b : bytes) {
      if (b == '\n') {
        emit(line);
      } else {
        line.write(b);
        if (line.size() >= MAX_LINE) emit(line);
      }
    }
  }

  private void emit(ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    emit(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
  }

  private void emit(String text) {
    synchronized (tail) {
      if (tail.size() == tailLines) tail.removeFirst();
      if (tailLines > 0) tail.addLast(text);
    }
    sink.line(step, text);
  }
}
