package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** {@link Timestamps} writes and reads exactly what {@link Instant} does, without its formatter. */
class TimestampsTest {
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_10000 = 253_402_300_800L;

  @Property(tries = 2000)
  void formatIsInstantsTextAtMillisecondPrecision(
      @ForAll @LongRange(min = YEAR_0 - 86_400 * 400L, max = YEAR_10000 + 86_400 * 400L)
          long second,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
    Instant instant = Instant.ofEpochSecond(second, nanos);
    String expected = instant.truncatedTo(ChronoUnit.MILLIS).toString();
    assertThat(Timestamps.format(instant)).isEqualTo(expected);
    assertThat(Timestamps.parse(expected)).isEqualTo(Instant.parse(expected));
  }

  @Property(tries = 2000)
  void parseReadsWhatInstantReads(
      @ForAll @LongRange(min = YEAR_0, max = YEAR_10000 - 1) long second,
      @ForAll @IntRange(min = 0, max = 9) int fractionDigits,
      @ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder text = new StringBuilder(Instant.ofEpochSecond(second).toString());
    text.setLength(text.length() - 1); // the Z
    if (fractionDigits > 0) {
      text.append('.');
      for (int i = 0; i < fractionDigits; i++) {
        text.append((char) ('0' + r.nextInt(10)));
      }
    }
    String t = text.append('Z').toString();
    assertThat(Timestamps.parse(t)).as(t).isEqualTo(Instant.parse(t));
  }

  /** Text changed at one place: read as Instant reads it, or refused as Instant refuses it. */
  @Property(tries = 3000)
  void alteredTextIsReadOrRefusedAsInstantDoes(
      @ForAll @LongRange(min = YEAR_0, max = YEAR_10000 - 1) long second, @ForAll long seed) {
    Random r = new Random(seed);
    char[] t = Instant.ofEpochSecond(second, r.nextInt(1000) * 1_000_000L).toString().toCharArray();
    t[r.nextInt(t.length)] = "0123456789-:.TZx+ 9".charAt(r.nextInt(19));
    String text = new String(t);
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeException e) {
      assertThatThrownBy(() -> Timestamps.parse(text))
          .as(text)
          .isInstanceOf(DateTimeException.class);
      return;
    }
    assertThat(Timestamps.parse(text)).as(text).isEqualTo(expected);
  }

  @Test
  void edges() {
    for (String t :
        new String[] {
          "1970-01-01T00:00:00Z",
          "2000-02-29T23:59:59.999Z",
          "1900-02-28T12:00:00Z",
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999Z",
          "2026-11-29T14:25:13.250Z"
        }) {
      assertThat(Timestamps.format(Timestamps.parse(t))).isEqualTo(t);
    }
    assertThat(Timestamps.parse("2026-11-29T14:25:13+01:00"))
        .as("an offset: Instant's reading")
        .isEqualTo(Instant.parse("2026-11-29T13:25:13Z"));
    assertThat(Timestamps.parse(null)).isNull();
    assertThatThrownBy(() -> Timestamps.parse("1900-02-29T00:00:00Z"))
        .isInstanceOf(DateTimeException.class);
    assertThatThrownBy(() -> Timestamps.parse("2026-11-29 14:25:13Z"))
        .isInstanceOf(DateTimeException.class);
  }
}
