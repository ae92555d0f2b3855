package dev.shepherd.supervisor;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A started step: the leader of its own process group.
 *
 * <p>{@link #exit()} completes once the main process has been reaped, its process group has been
 * killed and its output has been read to the end (or the drain timeout has passed).
 */
public final class StepProcess {
  private final String name;
  private final int pid;
  private final CompletableFuture<ExitStatus> reaped;
  private final CompletableFuture<ExitStatus> exit;
  private final LogPump log;

  StepProcess(String name, int pid, CompletableFuture<ExitStatus> reaped,
      CompletableFuture<ExitStatus> exit, LogPump log) {
    this.name = name;
    this.pid = pid;
    this.reaped = reaped;
    this.exit = exit;
    this.log = log;
  }

  public String name() {
    return name;
  }

  /** The pid, which is also the process group id; 0 if the command could not be started. */
  public int pid() {
    return pid;
  }

  /** How the step ended. Callbacks on it never run on the reaper thread. */
  public CompletableFuture<ExitStatus> exit() {
    return exit;
  }

  /** Whether the main process is still running (not yet reaped). */
  public boolean isRunning() {
    return !reaped.isDone();
  }

  /** The last lines of its stdout and stderr, oldest first. */
  public List<String> tail() {
    return log == null ? List.of() : log.tail();
  }

  CompletableFuture<ExitStatus> reaped() {
    return reaped;
  }

  @Override
  public String toString() {
    return "step " + name + " (pid " + pid + ")";
  }
}
