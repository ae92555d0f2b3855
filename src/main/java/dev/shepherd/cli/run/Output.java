package dev.shepherd.cli.run;

import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.io.PrintStream;
import java.util.List;

/**
 * Where {@code shepherd run} writes: progress lines, the steps' output lines, the statuses and the
 * summary of each workflow. {@link #plain} writes lines only; {@link LiveTable} also keeps a table
 * of the steps below them on a terminal. Every method may be called from any thread.
 */
public interface Output extends AutoCloseable {
  /** One whole line (no line break in it). */
  void line(String text);

  /** A workflow with these steps starts; its statuses follow. */
  default void begin(WorkflowSpec spec) {}

  /** The workflow's status changed. */
  default void status(WorkflowStatus snapshot) {}

  /** The workflow ended: a headline, then the table of its steps, once. */
  void end(String headline, WorkflowStatus status);

  @Override
  default void close() {}

  /**
   * Plain lines, each written whole (synchronized on the stream, like {@code LineSink.prefixed}).
   */
  static Output plain(PrintStream out) {
    return new Output() {
      @Override
      public void line(String text) {
        synchronized (out) {
          out.println(text);
        }
      }

      @Override
      public void end(String headline, WorkflowStatus status) {
        synchronized (out) {
          out.println(headline);
          for (String row : Progress.table(status)) {
            out.println(row);
          }
          out.flush();
        }
      }
    };
  }

  /** The names of the steps of a spec, in its order: the main steps, then the finally steps. */
  static List<String> stepNames(WorkflowSpec spec) {
    if (spec == null || spec.steps == null) {
      return List.of();
    }
    return spec.allSteps().stream()
        .filter(s -> s != null && s.name != null)
        .map(s -> s.name)
        .toList();
  }
}
