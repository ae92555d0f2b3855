package dev.shepherd.supervisor;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The logging of {@code shepherd supervise} and {@code shepherd run}: an SLF4J provider that writes
 * the lines the operator's {@code logback.xml} has logback write (same format, same levels, on
 * stderr), without logback, whose set-up is a measured part of the supervisor's start-up before its
 * first step. The operator keeps logback (levels per library, appenders); {@code Main} picks this
 * one by {@value #PROVIDER_PROPERTY} for the two process-running roles.
 *
 * <p>Levels: {@code dev.shepherd} and {@code io.javaoperatorsdk} at INFO, everything else at WARN,
 * or what {@link #setLevel} says for a logger name and the names under it.
 */
public final class ConsoleLog implements SLF4JServiceProvider {
  /** The system property with which SLF4J 2 takes a provider by class name. */
  public static final String PROVIDER_PROPERTY = "slf4j.provider";

  private static final int LOGGER_LENGTH = 20;
  private static final Map<String, Level> LEVELS =
      new ConcurrentHashMap<>(
          Map.of("", Level.WARN, "dev.shepherd", Level.INFO, "io.javaoperatorsdk", Level.INFO));

  /**
   * The local time zone, as a {@link TimeZone}: {@code ZoneId.systemDefault()} loads and parses the
   * whole time-zone database first, ~20 ms of a supervisor's start-up.
   */
  private static final TimeZone ZONE = TimeZone.getDefault();

  private final ILoggerFactory loggers = new Factory();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Makes SLF4J use this provider; before the first logger is asked for. */
  public static void select() {
    System.setProperty(PROVIDER_PROPERTY, ConsoleLog.class.getName());
    // SLF4J says at INFO that it takes a provider so named; a warning or an error still shows.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
  }

  /** Whether {@link #select} was called (or the property set so): SLF4J then logs through this. */
  public static boolean selected() {
    return ConsoleLog.class.getName().equals(System.getProperty(PROVIDER_PROPERTY));
  }

  /** Sets the level of the logger {@code name} and of those under it ({@code name.*}). */
  public static void setLevel(String name, Level level) {
    LEVELS.put(name, level);
    levelsVersion++;
  }

  /** Bumped by every {@link #setLevel}: a logger's cached level is good while it has not moved. */
  private static volatile int levelsVersion;

  /** The level of a logger: that of its nearest configured ancestor. */
  static Level levelOf(String name) {
    String n = name;
    while (true) {
      Level level = LEVELS.get(n);
      if (level != null) {
        return level;
      }
      int dot = n.lastIndexOf('.');
      n = dot < 0 ? "" : n.substring(0, dot);
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Factory implements ILoggerFactory {
    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, ConsoleLogger::new);
    }
  }

  private static final class ConsoleLogger extends AbstractLogger {
    /** The effective level and the levels version it was found at (the reaper asks per orphan). */
    private record Cached(int version, Level level) {}

    private volatile Cached cached = new Cached(-1, Level.INFO);

    ConsoleLogger(String name) {
      this.name = name;
    }

    private boolean enabled(Level level) {
      Cached c = cached;
      int version = levelsVersion;
      if (c.version() != version) {
        cached = c = new Cached(version, levelOf(name));
      }
      return level.toInt() >= c.level().toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      String stack = null;
      if (throwable != null) {
        StringWriter trace = new StringWriter();
        throwable.printStackTrace(new PrintWriter(trace));
        stack = trace.toString();
      }
      System.err.print(
          line(System.currentTimeMillis(), ZONE, level.toString(), name, message, stack));
    }
  }

  /**
   * One line as logback's pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n} (the
   * operator's {@code logback.xml}) makes it, then {@code stackTrace} if not null.
   */
  static String line(
      long millis, TimeZone zone, String level, String logger, String message, String stackTrace) {
    StringBuilder line = new StringBuilder(128);
    long ofDay = Math.floorMod(millis + zone.getOffset(millis), 86_400_000L);
    pad(line, (int) (ofDay / 3_600_000), 2).append(':');
    pad(line, (int) (ofDay / 60_000 % 60), 2).append(':');
    pad(line, (int) (ofDay / 1000 % 60), 2).append('.');
    pad(line, (int) (ofDay % 1000), 3).append(' ');
    line.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
    line.append(abbreviate(logger)).append(" - ").append(message);
    line.append(System.lineSeparator());
    if (stackTrace != null) {
      line.append(stackTrace);
    }
    return line.toString();
  }

  private static StringBuilder pad(StringBuilder to, int value, int digits) {
    String text = Integer.toString(value);
    return to.append("0".repeat(Math.max(0, digits - text.length()))).append(text);
  }

  /**
   * {@code %logger{20}}: while the name is 20 characters or longer, its package names, from the
   * left, are cut to their first letter; the class name stays whole ({@code
   * dev.shepherd.supervisor.Supervisor} is {@code d.s.s.Supervisor}).
   */
  static String abbreviate(String name) {
    if (name == null || name.length() < LOGGER_LENGTH) {
      return name;
    }
    String[] parts = name.split("\\.");
    int length = name.length();
    for (int i = 0; i < parts.length - 1 && length >= LOGGER_LENGTH; i++) {
      if (parts[i].length() > 1) {
        length -= parts[i].length() - 1;
        parts[i] = parts[i].substring(0, 1);
      }
    }
    return String.join(".", parts);
  }
}
