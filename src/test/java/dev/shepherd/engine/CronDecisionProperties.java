package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.CronWorkflowSpec;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** The CronJob rules of {@link CronDecision}, over many schedules, times and deadlines. */
class CronDecisionProperties {
  private static final Instant BASE = Instant.parse("2026-11-29T00:00:00Z");

  @Provide
  Arbitrary<String> schedules() {
    return Arbitraries.of(
        "@hourly", "@daily", "*/7 * * * *", "15 3 * * 1-5", "0 0 1 * *", "* * * * *", "5 4 29 2 *");
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata");
  }

  @Property(tries = 500)
  void onlyTheLatestDueTimeStartsAndDecidingAgainStartsNothing(
      @ForAll("schedules") String schedule,
      @ForAll("zones") String zone,
      @ForAll @LongRange(min = 0, max = 400 * 86_400L) long lastOffset,
      @ForAll @LongRange(min = 0, max = 30 * 86_400L) long downtime,
      @ForAll @LongRange(min = -1, max = 7_200) long deadline)
      throws Exception {
    CronWorkflowSpec spec = new CronWorkflowSpec();
    spec.schedule = schedule;
    spec.timeZone = zone;
    spec.startingDeadlineSeconds = deadline < 0 ? null : deadline;
    CronSchedule parsed = CronSchedule.parse(schedule, zone);
    Instant last = BASE.plusSeconds(lastOffset);
    Instant now = last.plusSeconds(downtime);

    CronDecision d = CronDecision.decide(spec, parsed, BASE, last, null, List.of(), now);

    Instant next = parsed.next(last).orElseThrow();
    Instant window = deadline < 0 ? last : now.minusSeconds(deadline);
    if (next.isAfter(now)) {
      assertThat(d.start()).isNull();
    } else if (d.start() == null) {
      // Due times there were, but all before the deadline's window.
      assertThat(parsed.latestAtOrBefore(now).orElseThrow()).isBeforeOrEqualTo(window);
    } else {
      assertThat(d.start()).isAfter(last).isAfter(window).isBeforeOrEqualTo(now);
      assertThat(parsed.next(d.start()).orElseThrow()).isAfter(now);
      CronDecision again =
          CronDecision.decide(spec, parsed, BASE, d.lastScheduleTime(), null, List.of(), now);
      assertThat(again.start()).isNull();
    }
    assertThat(d.wakeAt()).isAfter(now);
  }
}
