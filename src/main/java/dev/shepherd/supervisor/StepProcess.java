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

  StepProcess(
      String name,
      int pid,
      CompletableFuture<ExitStatus> reaped,
      CompletableFuture<ExitStatus> exit,
      LogPump log) {
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

  /**
   * How the step ended. It is completed on the supervisor's reaper thread or its log reader thread,
   * whichever finishes with the step last, so callbacks added without an executor run on one of
   * those two threads (or at once on the caller's, if it has completed already): they must be quick
   * and must never block (no {@code join()} of another step's exit). Hand anything more to a thread
   * of your own, as {@link WorkflowRunner} does with its queue, or use an {@code *Async} method.
   */
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
