package dev.shepherd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.TestingCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example, end to end in pod mode: the real Operator on the mock API server, and a test
 * kubelet that runs each step Pod as a real process.
 */
class ExamplesPodModeIT {
  private static TestingCluster cluster;
  private static ShepherdOperator operator;
  private static TestKubelet kubelet;

  @BeforeAll
  static void start(@TempDir Path root) {
    cluster = new TestingCluster();
    operator = new ShepherdOperator(cluster.client, Clock.systemUTC(), o -> o
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.start();
    kubelet = new TestKubelet(cluster.client, Map.of(), Map.of(), root, System.out::println).start();
  }

  @AfterAll
  static void stop() {
    kubelet.close();
    operator.close();
    cluster.close();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleEndsInThePhaseItsHeaderStates(Path file) throws IOException {
    Example example = Example.read(file);
    Workflow w = example.workflow();
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    cluster.client.resource(w).create();

    Workflow done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.get(w.getMetadata().getName()),
            x -> x != null && x.getStatus() != null && x.getStatus().phase != null && x.getStatus().phase.isFinal());
    assertThat(done.getStatus().phase).as(done.getStatus().message).isEqualTo(example.ends());
    example.assertStepsConsistent(done);
  }

  @Test
  void deletingARunningWorkflowStopsItsProcesses() {
    Workflow w = Example.inline("""
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: endless}
        spec:
          image: busybox:1.36
          steps:
            - {name: forever, command: [sh, -c, 'sleep 300 & sleep 300; wait']}
        """);
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    cluster.client.resource(w).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> !TestKubelet.leftovers().isEmpty());
    cluster.client.resource(w).delete();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(TestKubelet.leftovers()).isEmpty());
    assertThat(cluster.pods("endless")).isEmpty();
  }
}
