package dev.shepherd.cli.run;

import static dev.shepherd.cli.run.StepTableTest.T0;
import static dev.shepherd.cli.run.StepTableTest.status;
import static dev.shepherd.cli.run.StepTableTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The live table's bytes, played on a small model of a terminal ({@link TerminalScreen}): what the
 * screen shows after each call.
 */
class LiveTableTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final Clock clock = Clock.fixed(T0.plusSeconds(2), ZoneOffset.UTC);

  private LiveTable table(int rows) {
    return new LiveTable(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        clock,
        () -> new TerminalSize(rows, 60),
        false);
  }

  private static WorkflowSpec spec(String... names) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps = new ArrayList<>();
    for (String n : names) {
      Step s = new Step();
      s.name = n;
      spec.steps.add(s);
    }
    return spec;
  }

  private List<String> screen() {
    return TerminalScreen.play(bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void linesGoAboveTheTableWhichIsRedrawnInPlace() {
    try (LiveTable live = table(24)) {
      live.line("== before any workflow");
      assertThat(screen()).containsExactly("== before any workflow");

      live.begin(spec("a", "b"));
      assertThat(screen())
          .containsExactly(
              "== before any workflow",
              "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
              "a     Pending    0         -         -",
              "b     Pending    0         -         -");

      live.status(status(step("a", StepPhase.Running, 1, 0.5, null, null, null)));
      live.line("[a] started (attempt 1)");
      live.line("[a] hello");
      assertThat(screen())
          .containsExactly(
              "== before any workflow",
              "[a] started (attempt 1)",
              "[a] hello",
              "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
              "a     Running    1         1.5s      -",
              "b     Pending    0         -         -");

      live.status(
          status(
              step("a", StepPhase.Succeeded, 1, 0.5, 1.0, 0, null),
              step("b", StepPhase.Failed, 1, 1.0, 1.5, 7, "Error")));
      live.end(
          "workflow w Failed: Step b failed.",
          status(
              step("a", StepPhase.Succeeded, 1, 0.5, 1.0, 0, null),
              step("b", StepPhase.Failed, 1, 1.0, 1.5, 7, "Error")));
      live.line("after the end");
    }
    assertThat(screen())
        .containsExactly(
            "== before any workflow",
            "[a] started (attempt 1)",
            "[a] hello",
            "workflow w Failed: Step b failed.",
            "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
            "a     Succeeded  1         0.5s      0",
            "b     Failed     1         0.5s      7     Error",
            "after the end");
    // The final table was written once: one header in all the bytes after the last erase.
    String all = bytes.toString(StandardCharsets.UTF_8);
    String afterLastErase = all.substring(all.lastIndexOf("\033[2K") + 4);
    assertThat(afterLastErase.split("STEP ", -1)).hasSize(2);
  }

  @Test
  void theTableFitsTheScreenHeight() {
    try (LiveTable live = table(5)) {
      live.begin(spec("a", "b", "c", "d", "e", "f"));
      live.status(
          status(
              step("a", StepPhase.Succeeded, 1, 0.0, 1.0, 0, null),
              step("b", StepPhase.Succeeded, 1, 0.0, 1.0, 0, null),
              step("c", StepPhase.Running, 1, 1.0, null, null, null)));
      live.line("[c] output");
      // 4 lines of table and the cursor's line below them: 5 rows.
      assertThat(screen())
          .containsExactly(
              "[c] output",
              "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
              "(2 succeeded, 2 more pending)",
              "c     Running    1         1.0s      -",
              "d     Pending    0         -         -");
    }
  }

  @Test
  void noRedrawWhenNothingChanged() {
    try (LiveTable live = table(24)) {
      live.begin(spec("a"));
      live.status(status(step("a", StepPhase.Running, 1, 0.0, null, null, null)));
      int size = bytes.size();
      live.status(status(step("a", StepPhase.Running, 1, 0.0, null, null, null)));
      assertThat(bytes.size()).isEqualTo(size);
    }
  }
}
