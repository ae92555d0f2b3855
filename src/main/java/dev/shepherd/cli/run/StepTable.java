package dev.shepherd.cli.run;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of the steps: STEP, PHASE, ATTEMPTS, DURATION, EXIT, REASON. The same rendering serves
 * the summary printed at the end of a plain run and the live table redrawn in place on a terminal;
 * the live one also shows running durations, fits a number of lines and columns, and may colour the
 * phases. Pure: the caller passes the time and the screen size.
 */
public final class StepTable {
  static final String[] HEADER = {"STEP", "PHASE", "ATTEMPTS", "DURATION", "EXIT", "REASON"};
  private static final int PHASE = 1;

  private static final String RESET = "\033[0m";
  private static final String BOLD = "\033[1m";
  private static final Map<StepPhase, String> COLOURS =
      new EnumMap<>(
          Map.of(
              StepPhase.Running, "\033[36m", // cyan
              StepPhase.Retrying, "\033[33m", // yellow
              StepPhase.Succeeded, "\033[32m", // green
              StepPhase.Failed, "\033[31m", // red
              StepPhase.Skipped, "\033[2m")); // dim

  /**
   * How to draw: {@code now} null shows only finished attempts' durations (the summary), else
   * running steps' durations up to now; at most {@code maxLines} lines (header included, at least
   * 2; {@link Integer#MAX_VALUE} for all) and {@code maxColumns} characters a line (without the
   * colour escapes); {@code steady} keeps the PHASE and DURATION columns at least as wide as their
   * longest values (so that a redrawn table does not jitter).
   */
  public record Layout(Instant now, int maxLines, int maxColumns, boolean colour, boolean steady) {
    public static final Layout SUMMARY =
        new Layout(null, Integer.MAX_VALUE, Integer.MAX_VALUE, false, false);
  }

  private StepTable() {}

  /**
   * The lines of the table of {@code status}, the steps in the order of {@code order} (the spec's;
   * a step the status does not know yet is Pending; steps only the status knows come last).
   */
  public static List<String> render(List<String> order, WorkflowStatus status, Layout layout) {
    Map<String, StepStatus> byName = new LinkedHashMap<>();
    for (String name : order) {
      byName.put(name, null);
    }
    if (status != null && status.steps != null) {
      for (StepStatus st : status.steps) {
        byName.put(st.name, st);
      }
    }
    List<StepStatus> steps = new ArrayList<>();
    for (Map.Entry<String, StepStatus> e : byName.entrySet()) {
      steps.add(e.getValue() != null ? e.getValue() : new StepStatus(e.getKey()));
    }

    List<String[]> rows = new ArrayList<>();
    List<StepPhase> phases = new ArrayList<>(); // of each row; null for lines that are no step
    rows.add(HEADER);
    phases.add(null);
    int room = Math.max(1, layout.maxLines() - 1);
    String collapsed = null;
    List<StepStatus> shown = steps;
    if (steps.size() > room) {
      shown = new ArrayList<>(steps);
      collapsed = collapse(shown, room - 1);
    }
    if (collapsed != null) {
      rows.add(new String[] {collapsed});
      phases.add(null);
    }
    for (StepStatus st : shown) {
      rows.add(row(st, layout.now()));
      phases.add(st.phase);
    }

    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      if (row.length == 1) {
        continue; // the collapsed line spans the columns
      }
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (StepStatus st : steps) {
      widths[0] = Math.max(widths[0], st.name.length());
    }
    if (layout.steady()) {
      widths[PHASE] = Math.max(widths[PHASE], "Succeeded".length());
      widths[3] = Math.max(widths[3], "DURATION".length());
    }

    List<String> lines = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      StringBuilder b = new StringBuilder();
      int phaseStart = -1;
      for (int i = 0; i < row.length; i++) {
        if (i == PHASE) {
          phaseStart = b.length();
        }
        b.append(row[i]);
        if (i < row.length - 1) {
          b.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      String line = b.toString().stripTrailing();
      if (line.length() > layout.maxColumns()) {
        line = line.substring(0, Math.max(0, layout.maxColumns())).stripTrailing();
      }
      if (layout.colour()) {
        line =
            colour(
                line,
                r == 0,
                phases.get(r),
                phaseStart,
                row.length > PHASE ? row[PHASE].length() : 0);
      }
      lines.add(line);
    }
    return lines;
  }

  /**
   * Removes rows from {@code steps} until at most {@code room} are left, and says what went: first
   * all succeeded and skipped steps, then the last pending ones, then the last of the rest.
   * Running, retrying and failed steps are what one watches, so they stay longest.
   */
  private static String collapse(List<StepStatus> steps, int room) {
    room = Math.max(0, room);
    List<String> parts = new ArrayList<>();
    for (StepPhase phase : List.of(StepPhase.Succeeded, StepPhase.Skipped)) {
      if (steps.size() <= room) {
        break;
      }
      int before = steps.size();
      steps.removeIf(st -> st.phase == phase);
      if (steps.size() < before) {
        parts.add((before - steps.size()) + " " + phase.name().toLowerCase(Locale.ROOT));
      }
    }
    int pending = 0;
    for (int i = steps.size() - 1; i >= 0 && steps.size() > room; i--) {
      if (steps.get(i).phase == StepPhase.Pending) {
        steps.remove(i);
        pending++;
      }
    }
    if (pending > 0) {
      parts.add(pending + " more pending");
    }
    int more = 0;
    while (steps.size() > room) {
      steps.removeLast();
      more++;
    }
    if (more > 0) {
      parts.add(more + " more");
    }
    return "(" + String.join(", ", parts) + ")";
  }

  private static String[] row(StepStatus st, Instant now) {
    String duration = "-";
    Instant started = Timestamps.parse(st.startedAt);
    if (started != null && st.phase != StepPhase.Skipped) {
      if (st.finishedAt != null && st.phase != StepPhase.Running) {
        duration = seconds(Duration.between(started, Timestamps.parse(st.finishedAt)));
      } else if (st.phase == StepPhase.Running && now != null) {
        Duration d = Duration.between(started, now);
        duration = seconds(d.isNegative() ? Duration.ZERO : d);
      }
    }
    return new String[] {
      st.name,
      String.valueOf(st.phase),
      Integer.toString(st.attemptsOrZero()),
      duration,
      st.exitCode == null ? "-" : st.exitCode.toString(),
      st.reason == null ? "" : st.reason
    };
  }

  private static String colour(
      String line, boolean header, StepPhase phase, int start, int length) {
    if (header) {
      return BOLD + line + RESET;
    }
    String c = phase == null ? null : COLOURS.get(phase);
    if (c == null || start < 0 || start >= line.length()) {
      return line;
    }
    int end = Math.min(line.length(), start + length);
    return line.substring(0, start) + c + line.substring(start, end) + RESET + line.substring(end);
  }

  public static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }
}
