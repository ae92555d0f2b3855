package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.ConcurrencyPolicy;
import dev.shepherd.api.CronWorkflowSpec;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.CronDecision.Notice;
import dev.shepherd.engine.CronDecision.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CronDecision} decides as the Kubernetes CronJob controller does. */
class CronDecisionTest {
  private static final Instant CREATED = Instant.parse("2026-11-29T09:30:00Z");

  private static Instant at(String hhmm) {
    return Instant.parse("2026-11-29T" + hhmm + ":00Z");
  }

  private static CronWorkflowSpec spec(String schedule) {
    CronWorkflowSpec s = new CronWorkflowSpec();
    s.schedule = schedule;
    return s;
  }

  private static CronDecision decide(
      CronWorkflowSpec spec, Instant last, List<Run> runs, Instant now) throws Exception {
    return CronDecision.decide(
        spec, CronSchedule.parse(spec.schedule, spec.timeZone), CREATED, last, null, runs, now);
  }

  private static Run running(String name, Instant scheduled) {
    return new Run(name, scheduled, WorkflowPhase.Running, null);
  }

  @Test
  void aDueTimeStartsOnceAndTheNextTimeIsTheWakeUp() throws Exception {
    CronDecision d = decide(spec("@hourly"), null, List.of(), at("10:00"));
    assertThat(d.start()).isEqualTo(at("10:00"));
    assertThat(d.lastScheduleTime()).isEqualTo(at("10:00"));
    assertThat(d.wakeAt()).isEqualTo(at("11:00"));
    assertThat(d.notices()).isEmpty();

    CronDecision again = decide(spec("@hourly"), at("10:00"), List.of(), at("10:00"));
    assertThat(again.start()).isNull();
    assertThat(again.lastScheduleTime()).isEqualTo(at("10:00"));
  }

  @Test
  void nothingIsDueBeforeTheFirstTimeAfterCreation() throws Exception {
    CronDecision d = decide(spec("@hourly"), null, List.of(), at("09:59"));
    assertThat(d.start()).isNull();
    assertThat(d.wakeAt()).isEqualTo(at("10:00"));
  }

  @Test
  void aRunThatExistsForTheDueTimeIsNotStartedTwice() throws Exception {
    // The status write after the create was lost: the Workflow itself says what was scheduled.
    CronDecision d =
        decide(spec("@hourly"), null, List.of(running("c-1", at("10:00"))), at("10:05"));
    assertThat(d.start()).isNull();
    assertThat(d.lastScheduleTime()).isEqualTo(at("10:00"));
    assertThat(d.active()).containsExactly("c-1");
  }

  @Test
  void afterDowntimeOnlyTheMostRecentMissedTimeStarts() throws Exception {
    CronDecision d = decide(spec("@hourly"), at("05:00"), List.of(), at("10:20"));
    assertThat(d.start()).isEqualTo(at("10:00"));
    assertThat(d.notices()).isEmpty();
  }

  @Test
  void withAStartingDeadlineAMissedTimeTooLongAgoIsSkipped() throws Exception {
    CronWorkflowSpec tight = spec("@hourly");
    tight.startingDeadlineSeconds = 600L;
    CronDecision d = decide(tight, at("05:00"), List.of(), at("10:20"));
    assertThat(d.start()).isNull();
    assertThat(d.lastScheduleTime()).isEqualTo(at("05:00"));
    assertThat(d.wakeAt()).isEqualTo(at("11:00"));
    assertThat(d.notices())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.reason()).isEqualTo("MissedSchedule");
              assertThat(n.warning()).isTrue();
              assertThat(n.message()).contains("2026-11-29T10:00:00Z").contains("(600)");
            });

    CronWorkflowSpec loose = spec("@hourly");
    loose.startingDeadlineSeconds = 1800L;
    assertThat(decide(loose, at("05:00"), List.of(), at("10:20")).start()).isEqualTo(at("10:00"));
  }

  @Test
  void moreThanAHundredMissedTimesAreReportedAndTheLatestStillStarts() throws Exception {
    CronDecision d = decide(spec("* * * * *"), at("07:00"), List.of(), at("10:20"));
    assertThat(d.start()).isEqualTo(at("10:20"));
    assertThat(d.notices()).extracting(Notice::reason).containsExactly("TooManyMissedTimes");

    CronDecision hundred = decide(spec("* * * * *"), at("08:40"), List.of(), at("10:20"));
    assertThat(hundred.start()).isEqualTo(at("10:20"));
    assertThat(hundred.notices()).isEmpty();
  }

  @Test
  void forbidSkipsWhileOneRunsAndStartsTheTimeOnceItEnded() throws Exception {
    CronWorkflowSpec forbid = spec("@hourly");
    forbid.concurrencyPolicy = ConcurrencyPolicy.Forbid;
    List<Run> busy = List.of(running("c-9", at("09:00")));
    CronDecision d = decide(forbid, at("09:00"), busy, at("10:00"));
    assertThat(d.start()).isNull();
    assertThat(d.lastScheduleTime()).isEqualTo(at("09:00"));
    assertThat(d.notices()).extracting(Notice::reason).containsExactly("AlreadyActive");
    assertThat(d.active()).containsExactly("c-9");

    List<Run> done = List.of(new Run("c-9", at("09:00"), WorkflowPhase.Succeeded, at("10:10")));
    CronDecision later = decide(forbid, at("09:00"), done, at("10:10"));
    assertThat(later.start()).isEqualTo(at("10:00"));
    assertThat(later.active()).isEmpty();
    assertThat(later.lastSuccessfulTime()).isEqualTo(at("10:10"));
  }

  @Test
  void replaceDeletesTheActiveRunsAndStarts() throws Exception {
    CronWorkflowSpec replace = spec("@hourly");
    replace.concurrencyPolicy = ConcurrencyPolicy.Replace;
    CronDecision d =
        decide(replace, at("09:00"), List.of(running("c-9", at("09:00"))), at("10:00"));
    assertThat(d.start()).isEqualTo(at("10:00"));
    assertThat(d.delete()).containsExactly("c-9");
    assertThat(d.active()).isEmpty();
    assertThat(d.prune()).isEmpty();
  }

  @Test
  void allowStartsBesideTheActiveRun() throws Exception {
    CronDecision d =
        decide(spec("@hourly"), at("09:00"), List.of(running("c-9", at("09:00"))), at("10:00"));
    assertThat(d.start()).isEqualTo(at("10:00"));
    assertThat(d.delete()).isEmpty();
    assertThat(d.active()).containsExactly("c-9");
  }

  @Test
  void suspendedStartsNothingAndWaitsForAChange() throws Exception {
    CronWorkflowSpec suspended = spec("@hourly");
    suspended.suspend = true;
    CronDecision d = decide(suspended, at("09:00"), List.of(), at("10:30"));
    assertThat(d.start()).isNull();
    assertThat(d.wakeAt()).isNull();

    suspended.suspend = false;
    assertThat(decide(suspended, at("09:00"), List.of(), at("10:30")).start())
        .isEqualTo(at("10:00"));
  }

  @Test
  void finishedRunsBeyondTheHistoryLimitsArePrunedOldestFirst() throws Exception {
    List<Run> runs = new ArrayList<>();
    for (int h = 1; h <= 5; h++) {
      Instant t = Instant.parse("2026-11-29T0" + h + ":00:00Z");
      runs.add(new Run("ok-" + h, t, WorkflowPhase.Succeeded, t.plusSeconds(60)));
    }
    for (int m = 10; m <= 40; m += 10) {
      Instant t = Instant.parse("2026-11-29T01:" + m + ":00Z");
      runs.add(new Run("bad-" + m, t, WorkflowPhase.Failed, t.plusSeconds(60)));
    }
    runs.add(new Run("gone", Instant.parse("2026-11-29T01:50:00Z"), WorkflowPhase.Cancelled, null));
    runs.add(running("busy", Instant.parse("2026-11-29T00:30:00Z")));
    CronDecision d = decide(spec("@hourly"), at("05:00"), runs, at("05:30"));
    assertThat(d.prune()).containsExactly("ok-1", "ok-2", "bad-10", "bad-20", "bad-30", "bad-40");
    assertThat(d.active()).containsExactly("busy");
    assertThat(d.lastSuccessfulTime()).isEqualTo(Instant.parse("2026-11-29T05:01:00Z"));

    CronWorkflowSpec none = spec("@hourly");
    none.successfulJobsHistoryLimit = 0;
    none.failedJobsHistoryLimit = 0;
    assertThat(decide(none, at("05:00"), runs, at("05:30")).prune())
        .hasSize(10)
        .doesNotContain("busy");
  }

  @Test
  void theTimeZoneMovesTheScheduledTimes() throws Exception {
    CronWorkflowSpec tokyo = spec("0 19 * * *");
    tokyo.timeZone = "Asia/Tokyo";
    CronDecision d = decide(tokyo, null, List.of(), at("10:00"));
    assertThat(d.start()).isEqualTo(at("10:00")); // 19:00 in Tokyo
    assertThat(d.wakeAt()).isEqualTo(Instant.parse("2026-11-30T10:00:00Z"));
  }
}
