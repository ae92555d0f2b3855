package dev.shepherd.cli.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as kubectl finds it: {@code target/kubectl-shepherd} (what {@code mvn package} puts
 * next to shepherd.jar), run through a link on PATH as krew installs it, and the krew manifest's
 * files.
 */
class KubectlPluginIT {
  static final Path LAUNCHER = Path.of("target", "kubectl-shepherd").toAbsolutePath();

  private static String[] run(Path launcher, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String[] {Integer.toString(p.exitValue()), out};
  }

  @Test
  void theLauncherRunsThePluginThroughALinkAsKrewInstallsIt(@TempDir Path bin) throws Exception {
    Path link = Files.createSymbolicLink(bin.resolve("kubectl-shepherd"), LAUNCHER);

    String[] help = run(link, "--help");
    String[] lint = run(link, "lint", Path.of("examples/hello.yaml").toAbsolutePath().toString());
    String[] bad = run(link, "lint", "no-such-file.yaml");

    assertThat(help[0]).as(help[1]).isEqualTo("0");
    assertThat(help[1]).contains("usage: kubectl shepherd COMMAND");
    assertThat(lint[0]).as(lint[1]).isEqualTo("0");
    assertThat(lint[1]).endsWith("hello.yaml: 1 document, no problem found\n");
    assertThat(bad[0]).isEqualTo("2");
    assertThat(bad[1]).isEqualTo("no-such-file.yaml: no such file\n");
  }

  @Test
  void theKrewManifestInstallsTheLauncherAndTheJarThatMvnPackageBuilds() throws IOException {
    JsonNode manifest =
        new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy/krew/shepherd.yaml").toFile());

    assertThat(manifest.path("kind").asText()).isEqualTo("Plugin");
    for (JsonNode platform : manifest.path("spec").path("platforms")) {
      assertThat(platform.path("bin").asText()).isEqualTo("kubectl-shepherd");
      assertThat(platform.path("sha256").asText()).matches("[0-9a-f]{64}");
      for (JsonNode file : platform.path("files")) {
        assertThat(Path.of("target", file.path("from").asText())).isRegularFile();
      }
    }
  }
}
