package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor runtime as a Pod runs it (its launcher, jlinked Java and AOT cache) speaks TLS to an
 * API server that its CA file vouches for, although it ships without the JDK's public CAs.
 */
class RuntimeTlsIT {
  static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  @TempDir Path dir;

  @Test
  void theRuntimeTrustsItsCaFileAndNoPublicCa() throws Exception {
    assertThat(RUNTIME.resolve("bin/shepherd")).as("the supervisor runtime (mvn package builds it)").exists();
    assertThat(RUNTIME.resolve("lib/security/cacerts")).as("no public CA list in the runtime").doesNotExist();
    Path output = dir.resolve("out.txt");
    ProcessBuilder builder = new ProcessBuilder(RUNTIME.resolve("bin/shepherd").toString(), "aot-training",
        Path.of("src/main/launcher/aot-training.json").toAbsolutePath().toString(),
        AotTrainingTest.keystore(dir).toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).directory(dir.toFile());
    builder.environment().remove("KUBECONFIG");
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String out = Files.readString(output);
    assertThat(process.exitValue()).as(out).isZero();
    assertThat(out).contains("status to https://127.0.0.1:", "workflow aot-training Succeeded", "final status written")
        .doesNotContain("cannot write the status");
  }
}
