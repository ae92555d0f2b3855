package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.wire.CarriedManifest;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.cli.run.WorkflowFile;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AotTraining}, the harness of the build's training run of the {@code supervise} AOT cache,
 * really has a supervisor supervise the Workflow against its stand-in API server: the steps run and
 * the final status is written there. (A training run that failed early would leave the cache
 * without what it is for.)
 */
class AotTrainingTest {
  @TempDir Path dir;

  /**
   * The run cache is trained on the YAML file, the supervise cache on the JSON one: one Workflow.
   */
  @Test
  void theTwoTrainingFilesHoldTheSameWorkflow() throws Exception {
    WorkflowFile.Document yaml =
        WorkflowFile.parse("yaml", Files.readString(Path.of("src/main/launcher/aot-training.yaml")))
            .getFirst();
    Manifest json =
        CarriedManifest.read(Files.readString(Path.of("src/main/launcher/aot-training.json")));
    assertThat(json.name()).isEqualTo(yaml.name());
    assertThat(Serialization.asJson(json.spec())).isEqualTo(Serialization.asJson(yaml.spec()));
  }

  /**
   * As the build runs it: the stand-in speaks HTTPS with a certificate that the CA in the CA file
   * signed, and the supervisor (a child of the harness) supervises the Workflow to the end.
   */
  @Test
  void supervisesTheTrainingWorkflowToTheEndOverHttps() throws Exception {
    String out = harness(dir, supervise(List.of()));
    assertThat(out)
        .contains(
            "[first] hello",
            "[left] left",
            "step right attempt 2 exited with code 0",
            "step last attempt 1 exited with code 0",
            "workflow aot-training Succeeded",
            "final status written",
            "status to https://127.0.0.1:")
        .doesNotContain("cannot write the status");
  }

  /** A training that cannot run its supervisor fails, and says which command it ran. */
  @Test
  void aSupervisorThatFailsFailsTheTraining() throws Exception {
    Process process = harnessProcess(dir, List.of("sh", "-c", "exit 3"));
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    assertThat(process.exitValue()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("out.txt")))
        .contains("AotTraining: sh -c exit 3 exited 3");
  }

  /**
   * What the training loads is what every supervisor loads from the cache: none of the YAML parser,
   * the JDK's HTTP client or server, Jackson (its trees, parser and generator: the manifest and the
   * status are plain Java values), CEL and the libraries it runs on (the training workflow has no
   * expression), logback (the operator's; supervise logs through ConsoleLog) or java.time's
   * formatter, which supervise has no use for (each was there once, through one innocent-looking
   * reference), nor the stand-in's side of TLS (a server socket, a key manager), which the harness
   * keeps to itself.
   */
  @Test
  void theSuperviseCacheHoldsNothingSuperviseDoesNotUse() throws Exception {
    Path classes = dir.resolve("classes.log");
    harness(dir, supervise(List.of("-Xlog:class+load=info:file=" + classes)));
    List<String> loaded = Files.readAllLines(classes).stream().map(l -> l.split(" ")[1]).toList();
    assertThat(loaded)
        .as("classes loaded")
        .hasSizeGreaterThan(1000)
        .contains(
            "dev.shepherd.supervisor.report.ApiConnection",
            "sun.security.ssl.SSLSocketImpl",
            "dev.shepherd.engine.Outputs")
        .noneMatch(
            c ->
                c.startsWith("org.yaml.snakeyaml.")
                    || c.startsWith("com.fasterxml.jackson.dataformat.yaml.")
                    || c.startsWith("java.net.http.")
                    || c.startsWith("jdk.internal.net.http.")
                    || c.startsWith("com.sun.net.httpserver.")
                    || c.startsWith("java.time.format.")
                    || c.startsWith("com.fasterxml.jackson.")
                    || c.equals("sun.security.ssl.SSLServerSocketImpl")
                    || c.startsWith("javax.net.ssl.KeyManagerFactory")
                    || c.startsWith("dev.shepherd.cli.AotTraining")
                    || c.startsWith("ch.qos.logback.")
                    || c.startsWith("dev.cel.")
                    || c.startsWith("com.google."));
  }

  /** {@code java ... Main supervise}, on the tests' class path, with these JVM options. */
  static List<String> supervise(List<String> jvmOptions) {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, Main.class.getName(), "supervise"));
    return command;
  }

  /**
   * Runs the harness (in a JVM of its own, as the build does) around {@code command}; its output.
   */
  static String harness(Path dir, List<String> command) throws Exception {
    Process process = harnessProcess(dir, command);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String out = Files.readString(dir.resolve("out.txt"));
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  private static Process harnessProcess(Path dir, List<String> command) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> harness =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                AotTraining.class.getName(),
                Path.of("src/main/launcher/aot-training.json").toAbsolutePath().toString()));
    harness.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(harness)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile())
            .directory(dir.toFile());
    builder.environment().put("_JAVA_SR_SIGNUM", "39");
    return builder.start();
  }
}
