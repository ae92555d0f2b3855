package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link CronSchedule} reads a CronJob's schedule syntax, in a time zone. */
class CronScheduleTest {
  private static Instant at(String t) {
    return Instant.parse(t);
  }

  @ParameterizedTest
  @CsvSource({
    "@hourly, 2026-11-29T10:20:00Z, 2026-11-29T11:00:00Z",
    "@daily, 2026-11-29T10:20:00Z, 2026-11-30T00:00:00Z",
    "@midnight, 2026-11-29T10:20:00Z, 2026-11-30T00:00:00Z",
    "@weekly, 2026-11-29T10:20:00Z, 2026-12-06T00:00:00Z",
    "@monthly, 2026-11-29T10:20:00Z, 2026-12-01T00:00:00Z",
    "@yearly, 2026-11-29T10:20:00Z, 2027-01-01T00:00:00Z",
    "@annually, 2026-11-29T10:20:00Z, 2027-01-01T00:00:00Z",
    "*/15 * * * *, 2026-11-29T10:20:00Z, 2026-11-29T10:30:00Z",
    "30 2 * * 1-5, 2026-11-29T10:20:00Z, 2026-11-30T02:30:00Z",
  })
  void macrosAndFieldsNameTheTimesACronJobWould(String schedule, String from, String next)
      throws Exception {
    assertThat(CronSchedule.parse(schedule, null).next(at(from))).contains(at(next));
  }

  @Test
  void nextIsStrictlyLaterAndLatestIncludesTheMomentItself() throws Exception {
    CronSchedule hourly = CronSchedule.parse("@hourly", "UTC");
    assertThat(hourly.next(at("2026-11-29T10:00:00Z"))).contains(at("2026-11-29T11:00:00Z"));
    assertThat(hourly.latestAtOrBefore(at("2026-11-29T10:00:00Z")))
        .contains(at("2026-11-29T10:00:00Z"));
    assertThat(hourly.latestAtOrBefore(at("2026-11-29T10:59:59.999Z")))
        .contains(at("2026-11-29T10:00:00Z"));
    assertThat(hourly.latestAtOrBefore(at("2026-11-29T09:59:59.500Z")))
        .contains(at("2026-11-29T09:00:00Z"));
  }

  @Test
  void theScheduleIsReadInItsTimeZoneAcrossDaylightSavingTime() throws Exception {
    CronSchedule berlin = CronSchedule.parse("0 9 * * *", "Europe/Berlin");
    // Winter: UTC+1.
    assertThat(berlin.next(at("2026-11-29T10:00:00Z"))).contains(at("2026-11-30T08:00:00Z"));
    // Summer: UTC+2.
    assertThat(berlin.next(at("2026-07-01T10:00:00Z"))).contains(at("2026-07-02T07:00:00Z"));
  }

  @Test
  void aBadScheduleOrTimeZoneNamesItsField() {
    assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", null))
        .isInstanceOf(CronSchedule.Invalid.class)
        .hasMessageStartingWith("spec.schedule: \"61 * * * *\" is not a 5-field cron schedule")
        .extracting(e -> ((CronSchedule.Invalid) e).field)
        .isEqualTo("spec.schedule");
    assertThatThrownBy(() -> CronSchedule.parse("0 0 * * * *", null))
        .hasMessageStartingWith("spec.schedule:");
    assertThatThrownBy(() -> CronSchedule.parse("@fortnightly", null))
        .hasMessageContaining("\"@fortnightly\" is not a macro")
        .hasMessageContaining("@hourly");
    assertThatThrownBy(() -> CronSchedule.parse(" ", null)).hasMessage("spec.schedule: is empty");
    assertThatThrownBy(() -> CronSchedule.parse("@daily", "Mars/Olympus_Mons"))
        .hasMessage("spec.timeZone: \"Mars/Olympus_Mons\" is not a known time zone")
        .extracting(e -> ((CronSchedule.Invalid) e).field)
        .isEqualTo("spec.timeZone");
  }
}
