package dev.shepherd.cli.run;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Outcome;
import dev.shepherd.engine.Timestamps;
import dev.shepherd.supervisor.ExitStatus;
import dev.shepherd.supervisor.WorkflowRunner;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code shepherd run} prints while a workflow runs: one line per event ({@code [build]
 * started (attempt 1)}, {@code [build] exit 3 after 0.2s}, skips, retries, timeouts), and a table
 * of the steps at the end. Lines go to the same stream as the steps' output, whole lines at a time
 * (synchronized on the stream, like {@code LineSink.prefixed}).
 */
public final class Progress implements WorkflowRunner.Listener {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final PrintStream out;
  private final WorkflowSpec spec;
  private final Map<String, StepStatus> last = new HashMap<>();
  private WorkflowStatus latest;

  public Progress(PrintStream out, WorkflowSpec spec) {
    this.out = out;
    this.spec = spec;
  }

  @Override
  public void attemptStarting(String step, int attempt) {
    line(step, "started (attempt " + attempt + ")");
  }

  @Override
  public void attemptEnded(String step, int attempt, ExitStatus exit, Outcome outcome, Duration took,
      boolean counted) {
    String how;
    if (exit == null) {
      how = "could not start: " + outcome.message();
    } else {
      how = switch (exit.cause()) {
        case EXITED -> "exit " + exit.code();
        case KILLED -> "killed by " + exit.signal() + " (exit " + exit.code() + ")";
        case NOT_FOUND, NOT_EXECUTABLE -> outcome.message();
      };
    }
    if (exit != null && exit.cause() != ExitStatus.Cause.NOT_FOUND && exit.cause() != ExitStatus.Cause.NOT_EXECUTABLE) {
      how += " after " + seconds(took);
    }
    line(step, how + (counted ? "" : " (stopped)"));
  }

  @Override
  public void statusChanged(WorkflowStatus snapshot) {
    latest = snapshot;
    for (StepStatus st : snapshot.steps) {
      StepStatus before = last.get(st.name);
      boolean changed = before == null || before.phase != st.phase || before.attemptsOrZero() != st.attemptsOrZero();
      last.put(st.name, st);
      if (!changed) continue;
      switch (st.phase) {
        case Retrying -> {
          Step step = step(st.name);
          Instant at = step == null ? null : Engine.retryAt(step, st);
          int limit = step == null || step.retry == null || step.retry.limit == null ? 0 : step.retry.limit;
          line(st.name, "failed" + (st.reason == null || st.reason.equals("Error") ? "" : " (" + st.reason + ")")
              + "; attempt " + (st.attemptsOrZero() + 1) + " of " + (limit + 1)
              + (at == null ? "" : " at " + CLOCK.format(at)));
        }
        case Skipped -> line(st.name, "skipped: " + (st.message == null ? "" : st.message));
        case Failed -> {
          if (st.reason != null && !st.reason.equals("Error")) {
            line(st.name, "failed (" + st.reason + ")" + (st.message == null ? "" : ": " + lastLine(st.message)));
          } else {
            line(st.name, "failed after " + st.attemptsOrZero() + (st.attemptsOrZero() == 1 ? " attempt" : " attempts"));
          }
        }
        default -> { }
      }
    }
  }

  /** The last status the runner reported. */
  public WorkflowStatus latest() {
    return latest;
  }

  /** The table at the end: step, phase, attempts, duration (of the last attempt), exit code, reason. */
  public static List<String> table(WorkflowStatus status) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STEP", "PHASE", "ATTEMPTS", "DURATION", "EXIT", "REASON"});
    for (StepStatus st : status.steps) {
      String duration = "-";
      if (st.startedAt != null && st.finishedAt != null && st.phase != StepPhase.Skipped) {
        duration = seconds(Duration.between(Timestamps.parse(st.startedAt), Timestamps.parse(st.finishedAt)));
      }
      rows.add(new String[] {st.name, String.valueOf(st.phase), Integer.toString(st.attemptsOrZero()), duration,
          st.exitCode == null ? "-" : st.exitCode.toString(), st.reason == null ? "" : st.reason});
    }
    int[] widths = new int[6];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) widths[i] = Math.max(widths[i], row[i].length());
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        b.append(row[i]);
        if (i < row.length - 1) b.append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }

  private Step step(String name) {
    for (Step s : spec.steps) {
      if (s.name.equals(name)) return s;
    }
    return null;
  }

  private static String lastLine(String message) {
    return message.lines().reduce((a, b) -> b).orElse(message);
  }

  private void line(String step, String text) {
    synchronized (out) {
      out.println("[" + step + "] " + text);
    }
  }
}
