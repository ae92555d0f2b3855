package dev.shepherd.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.testing.Unshare;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each {@link SupervisorScenarios} scenario with real processes in a JVM of its own, twice: as
 * PID 1 of a new PID namespace, and as a plain child JVM that makes itself a subreaper.
 *
 * <p>Why a JVM of its own, also for subreaper mode: this test JVM launches those JVMs with
 * ProcessBuilder, and the JDK waits for them with waitpid(pid) on its own reaper thread. A
 * supervisor's reap loop (waitid on any child) in this same JVM would steal those exits (waitFor()
 * would then report 0). So no Supervisor ever runs in this JVM; each scenario JVM uses posix_spawn
 * only.
 */
class SupervisorProcessTest {
  /** Every scenario (each {@link Scenario} of SupervisorScenarios) in each mode. */
  static Stream<Arguments> scenarios() {
    List<Arguments> all = new ArrayList<>();
    for (String mode : List.of("pid1", "subreaper")) {
      for (String scenario : Scenarios.names(SupervisorScenarios.class)) {
        all.add(Arguments.of(Named.of(mode, mode), scenario));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("scenarios")
  void scenario(String mode, String scenario) throws Exception {
    List<String> command = new ArrayList<>();
    if (mode.equals("pid1")) {
      String why = Unshare.problem();
      assumeTrue(why == null, () -> "cannot run as PID 1 in a new PID namespace: " + why);
      command.addAll(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child"));
    }
    command.addAll(javaCommand());
    command.addAll(List.of(SupervisorScenarios.class.getName(), mode, scenario));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder
        .environment()
        .put("_JAVA_SR_SIGNUM", "39"); // frees SIGUSR2 for relaying (see Supervisor)
    File log = File.createTempFile("shepherd-" + mode + "-" + scenario, ".log");
    Process process = builder.redirectOutput(log).start();
    boolean finished = process.waitFor(50, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    String output = tail(log.toPath());
    log.delete();
    assertTrue(finished, () -> scenario + " did not finish in 50 s; output:\n" + output);
    assertEquals(0, process.exitValue(), () -> scenario + " failed; output:\n" + output);
    assertTrue(
        output.contains("SCENARIO OK " + scenario), () -> "no success line; output:\n" + output);
  }

  private static List<String> javaCommand() {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=supervisor/logback.xml",
        "-cp",
        classpath);
  }

  /** The last 200 lines of the scenario's output, for the failure message. */
  private static String tail(Path log) throws IOException {
    List<String> lines = java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
  }
}
