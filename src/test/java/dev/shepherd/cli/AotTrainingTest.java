package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code shepherd aot-training}, the build's training run of the {@code supervise} AOT cache, really
 * supervises the Workflow against its stand-in API server: the steps run and the final status is
 * written there. (A training run that failed early would leave the cache without what it is for.)
 */
class AotTrainingTest {
  @TempDir Path dir;

  /** The run cache is trained on the YAML file, the supervise cache on the JSON one: one Workflow. */
  @Test
  void theTwoTrainingFilesHoldTheSameWorkflow() throws Exception {
    WorkflowFile.Document yaml = WorkflowFile.parse("yaml", Files.readString(Path.of("src/main/launcher/aot-training.yaml")))
        .getFirst();
    WorkflowFile.Document json = WorkflowFile.parseJson("json", Files.readString(Path.of("src/main/launcher/aot-training.json")));
    assertThat(json.name()).isEqualTo(yaml.name());
    assertThat(Serialization.asJson(json.spec())).isEqualTo(Serialization.asJson(yaml.spec()));
  }

  @Test
  void supervisesTheTrainingWorkflowToTheEnd() throws Exception {
    String out = train(List.of());
    assertThat(out).contains("[first] hello", "[left] left", "step right attempt 2 exited with code 0",
        "step last attempt 1 exited with code 0", "workflow aot-training Succeeded", "final status written");
  }

  /** As the build runs it: the stand-in speaks HTTPS, and the supervisor trusts it through a CA file. */
  @Test
  void overHttpsWithTheBuildsKeystore() throws Exception {
    String out = train(List.of(), keystore(dir).toString());
    assertThat(out).contains("workflow aot-training Succeeded", "final status written", "https://127.0.0.1:")
        .doesNotContain("cannot write the status");
  }

  /** A keystore as the build makes it for the training: a key and certificate for 127.0.0.1. */
  static Path keystore(Path dir) throws Exception {
    Path keystore = dir.resolve("aot-training.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "api", "-keyalg", "EC", "-dname", "CN=kubernetes", "-ext", "san=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-storepass", AotTraining.KEYSTORE_PASSWORD,
        "-keystore", keystore.toString()).redirectErrorStream(true).start();
    String keytoolOutput = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(keytoolOutput).isZero();
    return keystore;
  }

  /**
   * What the training loads is what every supervisor loads from the cache: none of the YAML
   * parser, the JDK's HTTP client or server, Jackson's generator or java.time's formatter, which
   * supervise has no use for (each was there once, through one innocent-looking reference).
   */
  @Test
  void theSuperviseCacheHoldsNothingSuperviseDoesNotUse() throws Exception {
    Path classes = dir.resolve("classes.log");
    train(List.of("-Xlog:class+load=info:file=" + classes), keystore(dir).toString());
    List<String> loaded = Files.readAllLines(classes).stream().map(l -> l.split(" ")[1]).toList();
    assertThat(loaded).as("classes loaded").hasSizeGreaterThan(1000)
        .contains("dev.shepherd.supervisor.report.ApiConnection", "sun.security.ssl.SSLSocketImpl")
        .noneMatch(c -> c.startsWith("org.yaml.snakeyaml.") || c.startsWith("com.fasterxml.jackson.dataformat.yaml.")
            || c.startsWith("java.net.http.") || c.startsWith("jdk.internal.net.http.")
            || c.startsWith("com.sun.net.httpserver.") || c.startsWith("java.time.format.")
            || c.equals("com.fasterxml.jackson.core.JsonGenerator"));
  }

  private String train(List<String> jvmOptions, String... keystore) throws Exception {
    Path output = dir.resolve("out.txt");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, Main.class.getName(), "aot-training",
        Path.of("src/main/launcher/aot-training.json").toAbsolutePath().toString()));
    command.addAll(List.of(keystore));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(output.toFile()).directory(dir.toFile());
    builder.environment().put("_JAVA_SR_SIGNUM", "39");
    builder.environment().remove("KUBECONFIG");
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String out = Files.readString(output);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
