package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The supervisor's log writes durations as {@code %.1f s} would, without a Formatter. */
class SuperviseCommandTest {
  @Property(tries = 3000)
  void formatSecondsAsPercentPointOneF(
      @ForAll @LongRange(min = 0, max = 10_000_000_000L) long millis) {
    assertThat(SuperviseCommand.formatSeconds(Duration.ofMillis(millis)))
        .isEqualTo(String.format(Locale.ROOT, "%.1f s", millis / 1000.0));
  }
}
