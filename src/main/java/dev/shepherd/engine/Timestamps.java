package dev.shepherd.engine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Status times are RFC 3339 strings with millisecond precision at most, as Kubernetes shows them. */
public final class Timestamps {
  private Timestamps() {}

  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  public static Instant parse(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
