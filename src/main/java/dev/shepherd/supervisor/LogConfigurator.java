package dev.shepherd.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.TimeZone;

/**
 * The logging configuration of the shepherd jar (every role: operator, supervise, run), set up in
 * code instead of a {@code logback.xml}: logback's XML configurator (Joran) loads ~490 classes and
 * costs a few hundred milliseconds of start-up, which the supervisor pays before its first step.
 *
 * <p>The same as the XML it replaces: one console appender on stderr with lines as the pattern
 * {@value #PATTERN} makes them; {@code dev.shepherd} and {@code io.javaoperatorsdk} at INFO,
 * everything else at WARN. The lines are made by {@link Layout}, not logback's PatternLayout, whose
 * set-up alone loads ~150 classes (a converter registry of lambdas, the pattern parser, colours). Registered through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator},
 * which logback consults before looking for XML files.
 *
 * <p>An explicit XML configuration still wins: with {@code -Dlogback.configurationFile=...}, or a
 * {@code logback-test.xml} on the class path (the tests'), this configurator steps aside and
 * logback's own file lookup runs as before.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null || hasResource("logback-test.xml")
        || hasResource("logback.xml")) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Layout layout = new Layout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    context.getLogger("dev.shepherd").setLevel(Level.INFO);
    context.getLogger("io.javaoperatorsdk").setLevel(Level.INFO);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Writes an event as {@value #PATTERN} does, with the stack trace of its throwable, if any. */
  static final class Layout extends LayoutBase<ILoggingEvent> {
    private final TimeZone zone = TimeZone.getDefault();

    @Override
    public String doLayout(ILoggingEvent event) {
      IThrowableProxy thrown = event.getThrowableProxy();
      return ConsoleLog.line(event.getTimeStamp(), zone, event.getLevel().toString(), event.getLoggerName(),
          event.getFormattedMessage(), thrown == null ? null : ThrowableProxyUtil.asString(thrown));
    }

  }

  private static boolean hasResource(String name) {
    ClassLoader loader = LogConfigurator.class.getClassLoader();
    return loader != null && loader.getResource(name) != null;
  }
}
