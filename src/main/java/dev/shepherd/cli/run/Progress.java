package dev.shepherd.cli.run;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Outcome;
import dev.shepherd.supervisor.ExitStatus;
import dev.shepherd.supervisor.WorkflowRunner;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code shepherd run} prints while a workflow runs: one line per event ({@code [build]
 * started (attempt 1)}, {@code [build] exit 3 after 0.2s}, skips, retries, timeouts), and a table
 * of the steps at the end. Lines and statuses go to an {@link Output}, the same one as the steps'
 * output lines (plain lines, or lines above a live table on a terminal).
 */
public final class Progress implements WorkflowRunner.Listener {
  /**
   * Made on the first retry only: the local zone costs a read of the time-zone database (~20 ms).
   */
  private static final class TimeOfDay {
    static final DateTimeFormatter FORMAT =
        DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  }

  private final Output out;
  private final WorkflowSpec spec;
  private final Map<String, StepStatus> last = new HashMap<>();
  private WorkflowStatus latest;

  public Progress(Output out, WorkflowSpec spec) {
    this.out = out;
    this.spec = spec;
  }

  @Override
  public void attemptStarting(String step, int attempt) {
    line(step, "started (attempt " + attempt + ")");
  }

  @Override
  public void attemptEnded(
      String step, int attempt, ExitStatus exit, Outcome outcome, Duration took, boolean counted) {
    String how;
    if (exit == null) {
      how = "could not start: " + outcome.message();
    } else {
      how =
          switch (exit.cause()) {
            case EXITED -> "exit " + exit.code();
            case KILLED -> "killed by " + exit.signal() + " (exit " + exit.code() + ")";
            case NOT_FOUND, NOT_EXECUTABLE -> outcome.message();
          };
    }
    if (exit != null
        && exit.cause() != ExitStatus.Cause.NOT_FOUND
        && exit.cause() != ExitStatus.Cause.NOT_EXECUTABLE) {
      how += " after " + seconds(took);
    }
    line(step, how + (counted ? "" : " (stopped)"));
  }

  @Override
  public void statusChanged(WorkflowStatus snapshot) {
    List<StepStatus> previous = latest == null ? List.of() : latest.steps;
    latest = snapshot;
    out.status(snapshot);
    for (int i = 0; i < snapshot.steps.size(); i++) {
      StepStatus st = snapshot.steps.get(i);
      // Steps keep their positions from one snapshot to the next, and an unchanged step is the
      // same object (WorkflowRunner shares them): most steps are passed over without a lookup.
      StepStatus before =
          i < previous.size() && previous.get(i).name.equals(st.name)
              ? previous.get(i)
              : last.get(st.name);
      if (before == st) {
        continue;
      }
      boolean changed =
          before == null
              || before.phase != st.phase
              || before.attemptsOrZero() != st.attemptsOrZero();
      last.put(st.name, st);
      if (!changed) {
        continue;
      }
      switch (st.phase) {
        case Retrying -> {
          Step step = step(st.name);
          Instant at = step == null ? null : Engine.retryAt(step, st);
          int limit =
              step == null || step.retry == null || step.retry.limit == null ? 0 : step.retry.limit;
          line(
              st.name,
              "failed"
                  + (st.reason == null || st.reason.equals(Outcome.ERROR)
                      ? ""
                      : " (" + st.reason + ")")
                  + "; attempt "
                  + (st.attemptsOrZero() + 1)
                  + " of "
                  + (limit + 1)
                  + (at == null ? "" : " at " + TimeOfDay.FORMAT.format(at)));
        }
        case Skipped -> line(st.name, "skipped: " + (st.message == null ? "" : st.message));
        case Failed -> {
          if (st.reason != null && !st.reason.equals(Outcome.ERROR)) {
            line(
                st.name,
                "failed ("
                    + st.reason
                    + ")"
                    + (st.message == null ? "" : ": " + lastLine(st.message)));
          } else {
            line(
                st.name,
                "failed after "
                    + st.attemptsOrZero()
                    + (st.attemptsOrZero() == 1 ? " attempt" : " attempts"));
          }
        }
        default -> {}
      }
    }
  }

  /** The last status the runner reported. */
  public WorkflowStatus latest() {
    return latest;
  }

  /**
   * The table at the end: step, phase, attempts, duration (of the last attempt), exit code, reason.
   */
  public static List<String> table(WorkflowStatus status) {
    return StepTable.render(List.of(), status, StepTable.Layout.SUMMARY);
  }

  static String seconds(Duration d) {
    return StepTable.seconds(d);
  }

  private Step step(String name) {
    for (Step s : spec.allSteps()) {
      if (s.name.equals(name)) {
        return s;
      }
    }
    return null;
  }

  private static String lastLine(String message) {
    return message.lines().reduce((a, b) -> b).orElse(message);
  }

  private void line(String step, String text) {
    out.line("[" + step + "] " + text);
  }
}
