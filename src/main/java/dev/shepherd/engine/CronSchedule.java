package dev.shepherd.engine;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * A CronWorkflow's schedule read in its time zone: the times it names, before and after a moment.
 * The syntax is a CronJob's: five fields, or one of the macros CronJob takes. cron-utils' Unix
 * definition reads the fields; the macros are spelled out here into the five fields they stand for,
 * so that each means exactly what it means on a CronJob.
 */
public final class CronSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  /** A schedule or time zone that can't be read: the field, and why. */
  public static final class Invalid extends Exception {
    public final String field;

    public Invalid(String field, String message) {
      super(field + ": " + message);
      this.field = field;
    }
  }

  private final ExecutionTime times;
  private final ZoneId zone;

  private CronSchedule(ExecutionTime times, ZoneId zone) {
    this.times = times;
    this.zone = zone;
  }

  /**
   * @param schedule spec.schedule
   * @param timeZone spec.timeZone, or null for UTC
   * @throws Invalid naming spec.schedule or spec.timeZone
   */
  public static CronSchedule parse(String schedule, String timeZone) throws Invalid {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new Invalid("spec.timeZone", "\"" + timeZone + "\" is not a known time zone");
    }
    if (schedule == null || schedule.isBlank()) {
      throw new Invalid("spec.schedule", "is empty");
    }
    String text = schedule.strip();
    String fields = MACROS.getOrDefault(text.toLowerCase(java.util.Locale.ROOT), text);
    if (fields.startsWith("@")) {
      throw new Invalid(
          "spec.schedule", "\"" + text + "\" is not a macro (" + String.join(", ", macros()) + ")");
    }
    Cron cron;
    try {
      cron = PARSER.parse(fields);
    } catch (IllegalArgumentException e) {
      throw new Invalid(
          "spec.schedule", "\"" + text + "\" is not a 5-field cron schedule: " + e.getMessage());
    }
    return new CronSchedule(ExecutionTime.forCron(cron), zone);
  }

  private static java.util.List<String> macros() {
    return MACROS.keySet().stream().sorted().toList();
  }

  /** The first scheduled time strictly after {@code t}, if the schedule names one. */
  public Optional<Instant> next(Instant t) {
    return times.nextExecution(t.atZone(zone)).map(z -> z.toInstant());
  }

  /** The last scheduled time at or before {@code t}, if there is one. */
  public Optional<Instant> latestAtOrBefore(Instant t) {
    // cron-utils' lastExecution is strictly before its argument, and works in whole seconds.
    Instant after = t.plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Optional<Instant> last = times.lastExecution(after.atZone(zone)).map(z -> z.toInstant());
    while (last.isPresent() && last.get().isAfter(t)) {
      last = times.lastExecution(last.get().atZone(zone)).map(z -> z.toInstant());
    }
    return last;
  }
}
