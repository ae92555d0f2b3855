package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * {@link ConsoleLog}, the SLF4J provider of {@code supervise} and {@code run}: the lines and levels
 * of the operator's {@code logback.xml} (LogLayoutTest compares {@link ConsoleLog#line} and the
 * levels with what logback makes of that file).
 */
class ConsoleLogTest {
  private final ConsoleLog provider = new ConsoleLog();

  private String logged(Runnable logging) {
    PrintStream err = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      logging.run();
    } finally {
      System.setErr(err);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void linesHaveThePatternsFormat() {
    Logger log = provider.getLoggerFactory().getLogger("dev.shepherd.supervisor.Supervisor");
    String out = logged(() -> log.info("step {} exit {}", "build", 3));
    assertThat(out)
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d INFO  d\\.s\\.s\\.Supervisor - step build exit 3\\R");

    RuntimeException failure =
        new RuntimeException("outer", new IllegalStateException("inner cause"));
    String withTrace = logged(() -> log.error("cannot {}", "spawn", failure));
    assertThat(withTrace)
        .contains(
            "ERROR d.s.s.Supervisor - cannot spawn",
            "java.lang.RuntimeException: outer",
            "Caused by: java.lang.IllegalStateException: inner cause",
            "\tat ");
    assertThat(
            ConsoleLog.line(
                1_764_410_000_123L, TimeZone.getTimeZone("UTC"), "WARN", "a.b.C", "m", null))
        .isEqualTo("09:53:20.123 WARN  a.b.C - m" + System.lineSeparator());
    // Local time, daylight saving included, and before 1970.
    assertThat(
            ConsoleLog.line(
                1_751_362_200_007L, TimeZone.getTimeZone("Europe/Paris"), "INFO", "x", "m", null))
        .startsWith("11:30:00.007 INFO");
    assertThat(ConsoleLog.line(-1L, TimeZone.getTimeZone("UTC"), "INFO", "x", "m", null))
        .startsWith("23:59:59.999");
  }

  @Test
  void levelsAreTheOperatorsAndCanBeChanged() {
    Logger shepherd = provider.getLoggerFactory().getLogger("dev.shepherd.cli.RunCommand");
    Logger library = provider.getLoggerFactory().getLogger("io.fabric8.kubernetes.client.Config");
    assertThat(shepherd.isInfoEnabled()).isTrue();
    assertThat(shepherd.isDebugEnabled()).isFalse();
    assertThat(library.isInfoEnabled()).isFalse();
    assertThat(library.isWarnEnabled()).isTrue();
    assertThat(
            logged(
                () -> {
                  shepherd.debug("hidden");
                  library.info("hidden too");
                  library.warn("shown");
                }))
        .doesNotContain("hidden")
        .contains("WARN  i.f.k.client.Config - shown");

    Logger supervisor = provider.getLoggerFactory().getLogger("dev.shepherd.supervisor.Reaper");
    ConsoleLog.setLevel("dev.shepherd.supervisor.Reaper", Level.WARN);
    try {
      assertThat(supervisor.isInfoEnabled()).as("a level set after the logger was made").isFalse();
      assertThat(shepherd.isInfoEnabled()).as("a sibling keeps its parent's").isTrue();
    } finally {
      ConsoleLog.setLevel("dev.shepherd.supervisor.Reaper", Level.INFO);
    }
  }
}
