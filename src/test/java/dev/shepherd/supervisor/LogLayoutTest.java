package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LogConfigurator's hand-made layout writes exactly what logback's PatternLayout makes of its pattern. */
class LogLayoutTest {
  @Test
  void linesAreThoseOfThePattern() {
    LoggerContext context = new LoggerContext();
    PatternLayout pattern = new PatternLayout();
    pattern.setContext(context);
    pattern.setPattern(LogConfigurator.PATTERN);
    pattern.start();
    LogConfigurator.Layout layout = new LogConfigurator.Layout();
    layout.setContext(context);
    layout.start();

    RuntimeException nested = new RuntimeException("outer", new IllegalStateException("inner cause"));
    List<String> loggers = List.of("dev.shepherd.supervisor.Supervisor", "dev.shepherd.cli.RunCommand", "Short",
        "a.b.C", "io.javaoperatorsdk.operator.processing.event.EventProcessor", "x.yy.zzz.aaaa.bbbbb.cccccc.DddddddddddddddddddddD",
        "dev.shepherd.supervisor.report.StatusReporter", "exactly.twenty.chars", "exactly.twenty.chars1");
    long time = 1_764_410_000_123L;
    for (String logger : loggers) {
      for (Level level : List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR)) {
        for (Throwable thrown : new Throwable[] {null, nested}) {
          LoggingEvent event = new LoggingEvent("fqcn", context.getLogger(logger), level, "step {} exit {}", thrown,
              new Object[] {"build", 3});
          event.setTimeStamp(time);
          time += 3_601_007L;
          assertThat(layout.doLayout(event)).as(logger + " " + level).isEqualTo(pattern.doLayout(event));
        }
      }
    }
  }
}
