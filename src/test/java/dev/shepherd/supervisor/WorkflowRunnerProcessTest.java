package dev.shepherd.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each {@link WorkflowRunnerScenarios} scenario (a workflow of real {@code sh -c} steps) in a
 * JVM of its own, a subreaper. Not in this JVM: its Supervisor's waitpid(-1) loop would steal the
 * exits of processes started here with ProcessBuilder (by this test or any other test class in the
 * same fork), see {@link Reaper}.
 */
class WorkflowRunnerProcessTest {
  /** Every scenario: each {@link Scenario} of WorkflowRunnerScenarios. */
  static List<String> scenarios() {
    return Scenarios.names(WorkflowRunnerScenarios.class);
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void scenario(String scenario) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dlogback.configurationFile=supervisor/logback.xml",
            "-cp",
            classpath,
            WorkflowRunnerScenarios.class.getName(),
            scenario);
    File log = File.createTempFile("shepherd-runner-" + scenario, ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    boolean finished = process.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
    String output = String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
    log.delete();
    assertTrue(finished, () -> scenario + " did not finish in 60 s; output:\n" + output);
    assertEquals(0, process.exitValue(), () -> scenario + " failed; output:\n" + output);
    assertTrue(
        output.contains("SCENARIO OK " + scenario), () -> "no success line; output:\n" + output);
  }
}
