package dev.shepherd.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until a test moves it, forward only. Safe to read from other threads.
 */
public final class TestingClock extends Clock {
  private volatile Instant now;

  public TestingClock(Instant start) {
    this.now = start;
  }

  public TestingClock() {
    this(Instant.parse("2025-03-01T10:00:00Z"));
  }

  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + by);
    }
    now = now.plus(by);
  }

  public void advanceSeconds(long seconds) {
    advance(Duration.ofSeconds(seconds));
  }

  public void advanceTo(Instant when) {
    if (when.isBefore(now)) {
      throw new IllegalArgumentException("time only moves forward: " + when + " < " + now);
    }
    now = when;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("nothing here needs a zone");
  }
}
