package dev.shepherd.cli.kubectl;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.cli.run.StepTable;
import dev.shepherd.engine.Timestamps;
import dev.shepherd.view.WorkflowView;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code get WF} as text: the headline fields, then the main steps as a tree (each under its first
 * dependency, a loop's instances under it, its counts in the REASON column) and the finally steps
 * in a table of their own.
 */
final class TreeText {
  private static final String[] HEADER = {
    "STEP", "PHASE", "ATTEMPTS", "DURATION", "EXIT", "REASON"
  };

  private TreeText() {}

  static void print(Workflow w, WorkflowSpec spec, Instant now, PrintStream out) {
    for (String line : lines(WorkflowView.of(w, spec, now))) {
      out.println(line);
    }
  }

  static List<String> lines(WorkflowView v) {
    List<String> lines = new ArrayList<>();
    field(lines, "Name", v.name());
    field(lines, "Namespace", v.namespace());
    field(lines, "Executor", v.executor());
    field(lines, "Phase", v.phase() == null ? "Pending" : v.phase().toString());
    field(lines, "Progress", v.progress());
    field(lines, "Started", v.startedAt() == null ? null : Timestamps.format(v.startedAt()));
    field(lines, "Duration", v.duration() == null ? null : StepTable.seconds(v.duration()));
    field(lines, "Message", v.message());
    lines.add("");
    lines.addAll(table(HEADER, v.steps()));
    if (!v.finallySteps().isEmpty()) {
      lines.add("");
      String[] header = HEADER.clone();
      header[0] = "FINALLY";
      lines.addAll(table(header, v.finallySteps()));
    }
    return lines;
  }

  private static void field(List<String> lines, String name, String value) {
    if (value != null) {
      lines.add(String.format("%-11s%s", name + ":", value));
    }
  }

  private static List<String> table(String[] header, List<WorkflowView.Node> nodes) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header);
    List<Boolean> lastAt = new ArrayList<>(); // per depth: whether the latest node there was last
    for (WorkflowView.Node n : nodes) {
      while (lastAt.size() <= n.depth()) {
        lastAt.add(false);
      }
      lastAt.set(n.depth(), n.last());
      StringBuilder name = new StringBuilder();
      for (int d = 1; d < n.depth(); d++) {
        name.append(lastAt.get(d) ? "   " : "│  ");
      }
      if (n.depth() > 0) {
        name.append(n.last() ? "└─ " : "├─ ");
      }
      name.append(n.name());
      String reason = n.reason() == null ? "" : n.reason();
      if (n.loop() != null) {
        reason = (reason.isEmpty() ? "" : reason + "; ") + n.loop().summary();
      }
      rows.add(
          new String[] {
            name.toString(),
            n.phase().toString(),
            Integer.toString(n.attempts()),
            n.duration() == null ? "-" : StepTable.seconds(n.duration()),
            n.exitCode() == null ? "-" : n.exitCode().toString(),
            reason
          });
    }
    int[] widths = new int[header.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].codePointCount(0, row[i].length()));
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        b.append(row[i]);
        if (i < row.length - 1) {
          b.append(" ".repeat(widths[i] - row[i].codePointCount(0, row[i].length()) + 2));
        }
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }
}
