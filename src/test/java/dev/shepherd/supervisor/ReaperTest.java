package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Reaper#collect} always ends a step: when the reap of its pid finds nothing (-1) or fails,
 * the step's exit completes exceptionally, and {@link WorkflowRunner} makes of that a failed
 * attempt. The reap is replaced here (a real one that loses a step cannot be provoked), and the
 * loop never starts: in this JVM it would steal the exits of ProcessBuilder's children.
 */
class ReaperTest {
  /**
   * Above the kernel's highest pid (PID_MAX_LIMIT): the group kill for a step's end finds no one.
   */
  private static final int NO_PID = 4_194_305;

  @Test
  void aStepWhosePidIsAlreadyReapedEndsWithItsExitLost() {
    Reaper reaper = new Reaper(false, pid -> -1);
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    reaper.register(NO_PID, exit);

    reaper.collect(NO_PID);

    assertThat(exit).isCompletedExceptionally();
    assertThatThrownBy(() -> exit.get(0, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("pid " + NO_PID)
        .hasMessageContaining("exit status");
    assertThat(reaper.signalGroup(NO_PID, Signal.TERM)).as("no longer a step").isFalse();
  }

  @Test
  void aStepWhoseReapFailsEndsWithTheFailure() {
    IllegalStateException failure =
        new IllegalStateException("waitpid failed: Interrupted system call");
    Reaper reaper =
        new Reaper(
            false,
            pid -> {
              throw failure;
            });
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    reaper.register(NO_PID, exit);

    assertThatThrownBy(() -> reaper.collect(NO_PID)).as("the loop logs it").isSameAs(failure);

    assertThat(exit).isCompletedExceptionally();
    assertThatThrownBy(exit::join).hasCause(failure);
  }

  /** Killed by a real-time signal (34 to 64), which ExitStatus cannot name: it still ends. */
  @Test
  void aStepWhoseStatusCannotBeReadEndsWithTheFailure() {
    Reaper reaper = new Reaper(false, pid -> 34);
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    reaper.register(NO_PID, exit);

    assertThatThrownBy(() -> reaper.collect(NO_PID))
        .as("the loop logs it")
        .hasMessageContaining("34");

    assertThat(exit).isCompletedExceptionally();
  }

  @Test
  void aReapedStepEndsWithItsStatusAndAnOrphanIsCounted() {
    Reaper reaper = new Reaper(false, pid -> pid == NO_PID ? 3 << 8 : pid == NO_PID + 1 ? 0 : -1);
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    reaper.register(NO_PID, exit);

    reaper.collect(NO_PID);
    reaper.collect(NO_PID + 1); // an orphan
    reaper.collect(NO_PID + 2); // no step's, and gone already (as a failed spawn's child is)

    assertThat(exit).isCompletedWithValue(ExitStatus.exited(3));
    assertThat(reaper.orphansReaped()).isOne();
  }

  /**
   * What the runner makes of a lost exit, as it gets it (through the step's exit future): a failed
   * attempt.
   */
  @Test
  void aLostExitIsAFailedAttemptThatSaysWhy() {
    Reaper reaper = new Reaper(false, pid -> -1);
    CompletableFuture<ExitStatus> reaped = new CompletableFuture<>();
    reaper.register(NO_PID, reaped);
    CompletableFuture<ExitStatus> exit =
        reaped.thenCombine(CompletableFuture.completedFuture(null), (s, d) -> s);
    reaper.collect(NO_PID);
    assertThat(exit).isCompletedExceptionally();
    Throwable failure = exit.handle((s, f) -> f).join();

    var outcome = WorkflowRunner.outcome(Command.of("a", "true"), null, failure, List.of());

    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.exitCode()).isNull();
    assertThat(outcome.message())
        .isEqualTo(
            "The step's end was lost: its process (pid "
                + NO_PID
                + ") was reaped by something other than the supervisor, and its exit status with it.");
  }
}
