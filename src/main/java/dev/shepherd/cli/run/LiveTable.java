package dev.shepherd.cli.run;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * On a terminal: the table of the running workflow's steps ({@link StepTable}) kept at the bottom
 * of the screen and redrawn in place whenever a status comes and, while a step runs, every {@link
 * #TICK} for its duration. Lines (progress and the steps' output) go above it: the table is erased
 * (cursor up over it, clearing each line), the line printed and the table drawn again, in one write
 * under one lock, so lines and table never mix. The table is cut to the terminal's height (finished
 * steps collapse into one line) and width (no line wraps, or moving up over it would miss). At the
 * end of a workflow the live table gives way to the headline and the full table, printed once,
 * which stay on the screen.
 */
public final class LiveTable implements Output {
  static final Duration TICK = Duration.ofMillis(250);
  private static final String ESC = "\033[";

  private final PrintStream out;
  private final Clock clock;
  private final Supplier<TerminalSize> size;
  private final boolean colour;
  private final Object lock = new Object();
  private final Thread ticker;

  // under lock
  private List<String> order;
  private WorkflowStatus latest;
  private int drawn; // lines of the table now on the screen, the cursor on the line below them
  private List<String> frame = List.of();
  private boolean closed;

  public LiveTable(PrintStream out, Clock clock, Supplier<TerminalSize> size, boolean colour) {
    this.out = out;
    this.clock = clock;
    this.size = size;
    this.colour = colour;
    this.ticker = Thread.ofPlatform().daemon().name("shepherd-live-table").unstarted(this::tick);
    ticker.start();
  }

  @Override
  public void line(String text) {
    synchronized (lock) {
      StringBuilder b = new StringBuilder();
      erase(b);
      b.append(text).append('\n');
      draw(b, lines());
      write(b);
    }
  }

  @Override
  public void begin(WorkflowSpec spec) {
    synchronized (lock) {
      order = Output.stepNames(spec);
      latest = null;
      redraw();
    }
  }

  @Override
  public void status(WorkflowStatus snapshot) {
    synchronized (lock) {
      latest = snapshot;
      redraw();
    }
  }

  @Override
  public void end(String headline, WorkflowStatus status) {
    synchronized (lock) {
      StringBuilder b = new StringBuilder();
      erase(b);
      b.append(headline).append('\n');
      TerminalSize s = size.get();
      for (String row :
          StepTable.render(
              order == null ? List.of() : order,
              status,
              new StepTable.Layout(null, Integer.MAX_VALUE, s.columns() - 1, colour, false))) {
        b.append(row).append('\n');
      }
      order = null;
      latest = null;
      frame = List.of();
      write(b);
    }
  }

  /**
   * Stops the redrawing; a table still on the screen (the run failed before its end) stays there.
   */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      ticker.join(TICK.toMillis() * 4);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The lines of the table as it should look now; none between workflows. */
  List<String> lines() {
    if (order == null) {
      return List.of();
    }
    TerminalSize s = size.get();
    // The table and the cursor's line below it fit the screen: moving up never hits the top.
    return StepTable.render(
        order,
        latest,
        new StepTable.Layout(
            clock.instant(),
            Math.max(2, s.rows() - 1),
            Math.max(1, s.columns() - 1),
            colour,
            true));
  }

  private void redraw() {
    List<String> next = lines();
    if (next.equals(frame) && drawn == next.size()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    erase(b);
    draw(b, next);
    write(b);
  }

  /**
   * Clears the table's lines from the bottom up, the cursor ending at the start of its first line.
   * Line by line (erase in line), not "clear to the end of the screen": tmux, for one, moves a
   * screen cleared from its top-left corner into the scrollback, which would keep every first
   * frame.
   */
  private void erase(StringBuilder b) {
    if (drawn == 0) {
      return;
    }
    b.append('\r').append(ESC).append('K');
    for (int i = 0; i < drawn; i++) {
      b.append(ESC).append('A').append(ESC).append("2K");
    }
    drawn = 0;
  }

  private void draw(StringBuilder b, List<String> table) {
    for (String row : table) {
      b.append(row).append('\n');
    }
    drawn = table.size();
    frame = table;
  }

  private void write(StringBuilder b) {
    if (b.isEmpty()) {
      return;
    }
    out.print(b);
    out.flush();
  }

  /** Redraws while a step runs (or waits to retry), for the durations. */
  private void tick() {
    synchronized (lock) {
      while (!closed) {
        if (order != null
            && latest != null
            && latest.steps != null
            && latest.steps.stream()
                .map((StepStatus st) -> st.phase)
                .anyMatch(p -> p == StepPhase.Running || p == StepPhase.Retrying)) {
          redraw();
        }
        try {
          lock.wait(TICK.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
