package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor runtime as a Pod runs it (its launcher, jlinked Java and AOT cache) speaks TLS to an
 * API server that its CA file vouches for, although it ships without the JDK's public CAs: the
 * build's training run again ({@link AotTraining}), on the built runtime.
 */
class RuntimeTlsIT {
  static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  @TempDir Path dir;

  @Test
  void theRuntimeTrustsItsCaFileAndNoPublicCa() throws Exception {
    assertThat(RUNTIME.resolve("bin/shepherd")).as("the supervisor runtime (mvn package builds it)").exists();
    assertThat(RUNTIME.resolve("lib/security/cacerts")).as("no public CA list in the runtime").doesNotExist();
    String out = AotTrainingTest.harness(dir, List.of(RUNTIME.resolve("bin/shepherd").toString(), "supervise"));
    assertThat(out).contains("status to https://127.0.0.1:", "workflow aot-training Succeeded", "final status written")
        .doesNotContain("cannot write the status");
  }
}
