package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's {@code logback.xml} and {@link ConsoleLog}, the logging of {@code supervise} and
 * {@code run}, write the same lines at the same levels to the same stream: the operator's
 * configuration, loaded as logback loads it, against {@link ConsoleLog#line} and {@link
 * ConsoleLog#levelOf}.
 */
class LogLayoutTest {
  private final LoggerContext context = new LoggerContext();
  private ConsoleAppender<ILoggingEvent> stderr;

  @BeforeEach
  void configureAsTheOperator() throws Exception {
    URL xml = LogLayoutTest.class.getClassLoader().getResource("logback.xml");
    assertThat(xml).as("the operator's logback.xml on the class path").isNotNull();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(xml);
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    Iterator<Appender<ILoggingEvent>> it =
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    it.forEachRemaining(appenders::add);
    assertThat(appenders).singleElement().isInstanceOf(ConsoleAppender.class);
    stderr = (ConsoleAppender<ILoggingEvent>) appenders.getFirst();
  }

  @Test
  void linesAreThoseOfTheOperatorsPatternOnStderr() {
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    LayoutWrappingEncoder<ILoggingEvent> encoder =
        (LayoutWrappingEncoder<ILoggingEvent>) stderr.getEncoder();
    RuntimeException nested =
        new RuntimeException("outer", new IllegalStateException("inner cause"));
    List<String> loggers =
        List.of(
            "dev.shepherd.supervisor.Supervisor",
            "dev.shepherd.cli.RunCommand",
            "Short",
            "a.b.C",
            "io.javaoperatorsdk.operator.processing.event.EventProcessor",
            "x.yy.zzz.aaaa.bbbbb.cccccc.DddddddddddddddddddddD",
            "dev.shepherd.supervisor.report.StatusReporter",
            "exactly.twenty.chars",
            "exactly.twenty.chars1");
    long time = 1_764_410_000_123L;
    for (String logger : loggers) {
      for (Level level : List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR)) {
        for (Throwable thrown : new Throwable[] {null, nested}) {
          LoggingEvent event =
              new LoggingEvent(
                  "fqcn",
                  context.getLogger(logger),
                  level,
                  "step {} exit {}",
                  thrown,
                  new Object[] {"build", 3});
          event.setTimeStamp(time);
          time += 3_601_007L;
          String stack =
              thrown == null ? null : ThrowableProxyUtil.asString(event.getThrowableProxy());
          assertThat(
                  ConsoleLog.line(
                      time - 3_601_007L,
                      TimeZone.getDefault(),
                      level.toString(),
                      logger,
                      "step build exit 3",
                      stack))
              .as(logger + " " + level)
              .isEqualTo(encoder.getLayout().doLayout(event));
        }
      }
    }
  }

  @Test
  void levelsAreThoseOfTheOperator() {
    for (String logger :
        List.of(
            "dev.shepherd",
            "dev.shepherd.supervisor.Reaper",
            "io.javaoperatorsdk.operator.Operator",
            "io.fabric8.kubernetes.client.Config",
            "dev",
            "dev.shepherdx.Other",
            "io.javaoperatorsdkx",
            "Short")) {
      assertThat(ConsoleLog.levelOf(logger).toString())
          .as(logger)
          .isEqualTo(context.getLogger(logger).getEffectiveLevel().toString());
    }
  }

  /**
   * {@code shepherd run} logs through ConsoleLog although logback and its {@code logback.xml} are
   * on the class path (in the image's jar they are): not one logback class is loaded.
   * (AotTrainingTest checks the same of {@code supervise}.)
   */
  @Test
  void runLoadsNoLogbackClass(@TempDir Path dir) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path classes = dir.resolve("classes.log");
    Process run =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + classes,
                "-cp",
                classpath,
                "dev.shepherd.cli.Main",
                "run",
                new File("examples/hello.yaml").getAbsolutePath())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile())
            .start();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("finished").isTrue();
    assertThat(run.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    List<String> loaded = Files.readAllLines(classes).stream().map(l -> l.split(" ")[1]).toList();
    assertThat(loaded)
        .contains(ConsoleLog.class.getName())
        .noneMatch(c -> c.startsWith("ch.qos.logback."));
  }
}
