package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.wire.CarriedManifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The supervisor runtime as a Pod runs it (its launcher, jlinked Java, AOT cache and its own jar,
 * which holds {@code supervise} and {@code run} without the operator's libraries).
 */
class SupervisorRuntimeIT {
  static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  @TempDir Path dir;

  /**
   * It speaks TLS to an API server that its CA file vouches for, although it ships without the
   * JDK's public CAs: the build's training run again ({@link AotTraining}), on the built runtime.
   */
  @Test
  void theRuntimeTrustsItsCaFileAndNoPublicCa() throws Exception {
    assertThat(RUNTIME.resolve("bin/shepherd"))
        .as("the supervisor runtime (mvn package builds it)")
        .exists();
    assertThat(RUNTIME.resolve("lib/security/cacerts"))
        .as("no public CA list in the runtime")
        .doesNotExist();
    String out =
        AotTrainingTest.harness(
            dir, List.of(RUNTIME.resolve("bin/shepherd").toString(), "supervise"));
    assertThat(out)
        .contains(
            "status to https://127.0.0.1:",
            "workflow aot-training Succeeded",
            "final status written")
        .doesNotContain("cannot write the status");
  }

  /**
   * A Workflow that the Pod does not carry (too large for its environment) is read with a GET and
   * bound by fabric8's model, which the runtime's jar keeps for that.
   */
  @Test
  void aWorkflowNotCarriedIsReadFromTheApiServer() throws Exception {
    String out =
        AotTrainingTest.harness(
            dir,
            List.of(
                "env",
                "-u",
                CarriedManifest.ENV,
                RUNTIME.resolve("bin/shepherd").toString(),
                "supervise"));
    assertThat(out)
        .contains(
            "(read from the API server)",
            "workflow aot-training Succeeded",
            "final status written");
  }

  /**
   * A carried manifest nested too deep (a runtime thread has 256 KB of stack and 40 KB shadow
   * zones): the supervisor says it cannot read it, naming the depth, and reads its Workflow from
   * the API server, rather than dying of a StackOverflowError. Both died before session 6: 30,000
   * deep in the hand-written reader, 490 (under Jackson's own limit) in Jackson's binding.
   */
  @ParameterizedTest
  @ValueSource(ints = {490, 30_000})
  void aManifestNestedThousandsDeepIsSetAsideNotAStackOverflow(int depth) throws Exception {
    String deep =
        "{\"apiVersion\":\"shepherd.dev/v1alpha1\",\"kind\":\"Workflow\",\"metadata\":{\"name\":"
            + "\"aot-training\"},\"spec\":{\"steps\":"
            + "[".repeat(depth)
            + "]".repeat(depth)
            + "}}";
    String out =
        AotTrainingTest.harness(
            dir,
            List.of(
                "env",
                CarriedManifest.ENV + "=" + deep,
                RUNTIME.resolve("bin/shepherd").toString(),
                "supervise"));
    assertThat(out)
        .contains(
            "cannot be read",
            "nesting depth",
            "(read from the API server)",
            "workflow aot-training Succeeded")
        .doesNotContain("StackOverflowError");
  }

  /**
   * The runtime's modules are those its own jars need (shepherd's, and the expression language's),
   * as jdeps finds them in them, with jdk.crypto.ec for TLS, and what they require: none that only
   * the operator's jar needs (the JDK's HTTP client and server were there, when the list came from
   * the full jar).
   */
  @Test
  void theRuntimeHoldsTheModulesItsJarNeedsAndNoMore() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        ToolProvider.findFirst("jdeps")
            .orElseThrow()
            .run(
                new PrintWriter(out),
                new PrintWriter(err),
                "--print-module-deps",
                "--ignore-missing-deps",
                "--multi-release",
                "25",
                Path.of("target", "shepherd-runtime.jar").toString(),
                Path.of("target", "shepherd-cel.jar").toString());
    assertThat(code).as(err.toString()).isZero();
    Set<String> roots = new HashSet<>(Arrays.asList(out.toString().strip().split(",")));
    roots.add("jdk.crypto.ec");
    Set<String> needed =
        Configuration.empty()
            .resolve(ModuleFinder.ofSystem(), ModuleFinder.of(), roots)
            .modules()
            .stream()
            .map(ResolvedModule::name)
            .collect(Collectors.toSet());
    String release =
        Files.readAllLines(RUNTIME.resolve("release")).stream()
            .filter(l -> l.startsWith("MODULES="))
            .findFirst()
            .orElseThrow();
    Set<String> shipped =
        Set.of(release.substring("MODULES=".length()).replace("\"", "").split(" "));
    assertThat(shipped)
        .as("the runtime's modules (supervisor.runtime.modules in pom.xml); jdeps: " + roots)
        .isEqualTo(needed)
        .doesNotContain("java.net.http", "jdk.httpserver");
  }

  /**
   * The runtime's jar has no operator, and says where it is instead of failing on a missing class.
   */
  @Test
  void theOperatorIsNotInTheRuntimeAndItSaysSo() throws Exception {
    Process process =
        new ProcessBuilder(RUNTIME.resolve("bin/shepherd").toString(), "operator")
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isEqualTo(2);
    assertThat(out)
        .contains("this is the supervisor runtime", "/opt/shepherd/shepherd.jar")
        .doesNotContain("Exception");
  }

  /** `shepherd run` of every example on the runtime: it ends as the example's first line says. */
  @ParameterizedTest
  @MethodSource("dev.shepherd.cli.RunCommandTest#examples")
  void everyExampleRunsOnTheRuntime(Path file) throws Exception {
    RunCommandTest.assumeRunCanRead(file);
    String ends = Files.readAllLines(file).getFirst().replace("# ends:", "").strip();
    Process process =
        new ProcessBuilder(
                RUNTIME.resolve("bin/shepherd").toString(), "run", file.toString(), "--plain")
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out)
        .containsPattern("(?m)^workflow \\S+ " + ends + "\\b")
        .doesNotContain("Exception");
    assertThat(process.exitValue()).as(out).isEqualTo(ends.equals("Succeeded") ? 0 : 1);
  }
}
