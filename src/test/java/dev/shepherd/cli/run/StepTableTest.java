package dev.shepherd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of the steps, as text: given statuses, the lines (no terminal involved). */
class StepTableTest {
  static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

  static StepStatus step(
      String name,
      StepPhase phase,
      int attempts,
      Double startedSecond,
      Double finishedSecond,
      Integer exit,
      String reason) {
    StepStatus st = new StepStatus(name);
    st.phase = phase;
    st.attempts = attempts;
    st.startedAt =
        startedSecond == null ? null : T0.plusMillis((long) (startedSecond * 1000)).toString();
    st.finishedAt =
        finishedSecond == null ? null : T0.plusMillis((long) (finishedSecond * 1000)).toString();
    st.exitCode = exit;
    st.reason = reason;
    return st;
  }

  static WorkflowStatus status(StepStatus... steps) {
    WorkflowStatus s = new WorkflowStatus();
    s.steps = new ArrayList<>(List.of(steps));
    return s;
  }

  static StepTable.Layout live(double nowSecond, int lines, int columns) {
    return new StepTable.Layout(
        T0.plusMillis((long) (nowSecond * 1000)), lines, columns, false, true);
  }

  @Test
  void liveTableShowsRunningDurationsUpToNowAndUnstartedStepsAsPending() {
    WorkflowStatus s =
        status(
            step("fetch", StepPhase.Succeeded, 1, 0.0, 0.4, 0, null),
            step("build", StepPhase.Running, 1, 0.5, null, null, null),
            step("flaky", StepPhase.Retrying, 1, 0.5, 0.6, 1, "Error"));

    List<String> lines =
        StepTable.render(List.of("fetch", "build", "flaky", "report"), s, live(3.25, 24, 80));

    assertThat(lines)
        .containsExactly(
            "STEP    PHASE      ATTEMPTS  DURATION  EXIT  REASON",
            "fetch   Succeeded  1         0.4s      0",
            "build   Running    1         2.8s      -",
            "flaky   Retrying   1         0.1s      1     Error",
            "report  Pending    0         -         -");
  }

  @Test
  void summaryIsThePlainTableOfTheStatusOnly() {
    WorkflowStatus s =
        status(
            step("compile", StepPhase.Failed, 1, 0.0, 1.25, 3, "Error"),
            step("package", StepPhase.Skipped, 0, null, null, null, null));

    assertThat(Progress.table(s))
        .containsExactly(
            "STEP     PHASE    ATTEMPTS  DURATION  EXIT  REASON",
            "compile  Failed   1         1.3s      3     Error",
            "package  Skipped  0         -         -");
  }

  @Test
  void moreStepsThanLinesCollapseTheFinishedOnesThenTheLastPending() {
    List<String> order = new ArrayList<>();
    List<StepStatus> steps = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = String.format("s%02d", i);
      order.add(name);
      if (i < 6) {
        steps.add(step(name, StepPhase.Succeeded, 1, 0.0, 1.0, 0, null));
      } else if (i == 6) {
        steps.add(step(name, StepPhase.Skipped, 0, null, null, null, null));
      } else if (i == 7) {
        steps.add(step(name, StepPhase.Running, 2, 1.0, null, null, null));
      }
    }
    WorkflowStatus s = status(steps.toArray(StepStatus[]::new));

    // 7 lines: header, the collapsed line, 5 steps: the running one and the first 4 pending ones.
    assertThat(StepTable.render(order, s, live(2.0, 7, 80)))
        .containsExactly(
            "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
            "(6 succeeded, 1 skipped)",
            "s07   Running    2         1.0s      -",
            "s08   Pending    0         -         -",
            "s09   Pending    0         -         -",
            "s10   Pending    0         -         -",
            "s11   Pending    0         -         -");

    assertThat(StepTable.render(order, s, live(2.0, 4, 80)))
        .containsExactly(
            "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
            "(6 succeeded, 1 skipped, 3 more pending)",
            "s07   Running    2         1.0s      -",
            "s08   Pending    0         -         -");

    // Everything fits: nothing collapses.
    assertThat(StepTable.render(order, s, live(2.0, 13, 80)))
        .hasSize(13)
        .noneMatch(l -> l.startsWith("("));
  }

  @Test
  void runningAndFailedStepsStayLongestAndTheRestIsCounted() {
    WorkflowStatus s =
        status(
            step("a", StepPhase.Failed, 1, 0.0, 1.0, 2, "Error"),
            step("b", StepPhase.Running, 1, 0.0, null, null, null),
            step("c", StepPhase.Running, 1, 0.0, null, null, null),
            step("d", StepPhase.Succeeded, 1, 0.0, 1.0, 0, null));

    assertThat(StepTable.render(List.of("a", "b", "c", "d"), s, live(1.0, 3, 80)))
        .containsExactly(
            "STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON",
            "(1 succeeded, 2 more)",
            "a     Failed     1         1.0s      2     Error");
  }

  @Test
  void linesAreCutToTheWidthAndColoursWrapThePhaseOnly() {
    WorkflowStatus s = status(step("build", StepPhase.Failed, 1, 0.0, 1.0, 2, "DeadlineExceeded"));

    List<String> narrow = StepTable.render(List.of("build"), s, live(1.0, 24, 20));
    assertThat(narrow).containsExactly("STEP   PHASE      AT", "build  Failed     1");

    List<String> coloured =
        StepTable.render(List.of("build"), s, new StepTable.Layout(T0, 24, 80, true, true));
    assertThat(coloured.get(0))
        .isEqualTo("\033[1mSTEP   PHASE      ATTEMPTS  DURATION  EXIT  REASON\033[0m");
    assertThat(coloured.get(1))
        .isEqualTo("build  \033[31mFailed\033[0m     1         1.0s      2     DeadlineExceeded");
  }
}
