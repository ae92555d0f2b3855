package dev.shepherd.engine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Status times are RFC 3339 strings with millisecond precision at most, as Kubernetes shows them:
 * {@code 2026-11-29T14:25:13Z}, {@code 2026-11-29T14:25:13.250Z}.
 *
 * <p>Written and read by hand for the years 0000 to 9999 (exactly what {@link Instant#toString} and
 * {@link Instant#parse} make of them; {@code TimestampsTest} checks it for random instants): {@code
 * Instant}'s own text goes through {@code DateTimeFormatter}, fifty classes that every supervisor
 * would load for it. Anything else (an offset instead of Z, a year past 9999, a value out of range)
 * is left to {@code Instant}, and so are its errors.
 */
public final class Timestamps {
  private static final long SECONDS_PER_DAY = 86_400;

  /** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
  private static final long DAYS_0000_03_01_TO_EPOCH = 719_468;

  private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
  private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

  private Timestamps() {}

  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
      return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
    long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    // Civil date from days, counted in 400-year eras that start on March 1st (leap day last).
    long shifted = days + DAYS_0000_03_01_TO_EPOCH;
    long era = Math.floorDiv(shifted, 146_097);
    int dayOfEra = (int) (shifted - era * 146_097);
    int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int monthFromMarch = (5 * dayOfYear + 2) / 153;
    int day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
    int month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

    StringBuilder text = new StringBuilder(24);
    digits(text, (int) year, 4).append('-');
    digits(text, month, 2).append('-');
    digits(text, day, 2).append('T');
    digits(text, secondOfDay / 3600, 2).append(':');
    digits(text, secondOfDay / 60 % 60, 2).append(':');
    digits(text, secondOfDay % 60, 2);
    int millis = instant.getNano() / 1_000_000;
    if (millis != 0) {
      digits(text.append('.'), millis, 3);
    }
    return text.append('Z').toString();
  }

  public static Instant parse(String text) {
    if (text == null) {
      return null;
    }
    Instant quick = quickParse(text);
    return quick != null ? quick : Instant.parse(text);
  }

  /**
   * {@code YYYY-MM-DDTHH:MM:SS[.fraction]Z} with every field in range, or null for anything else.
   */
  private static Instant quickParse(String t) {
    int n = t.length();
    if (n < 20
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || t.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = number(t, 0, 4);
    int month = number(t, 5, 7);
    int day = number(t, 8, 10);
    int hour = number(t, 11, 13);
    int minute = number(t, 14, 16);
    int second = number(t, 17, 19);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > daysIn(year, month)
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int digits = n - 21;
      if (t.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      nanos = number(t, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = digits; i < 9; i++) {
        nanos *= 10;
      }
    }
    long days = daysFromEpoch(year, month, day);
    return Instant.ofEpochSecond(
        days * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
  }

  private static long daysFromEpoch(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    int yearOfEra = (int) (y - era * 400);
    int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097 + dayOfEra - DAYS_0000_03_01_TO_EPOCH;
  }

  private static int daysIn(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** The decimal number in {@code t[from, to)}, or -1 if a character is not a digit. */
  private static int number(String t, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static StringBuilder digits(StringBuilder text, int value, int width) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < width; i++) {
      text.append('0');
    }
    return text.append(s);
  }
}
