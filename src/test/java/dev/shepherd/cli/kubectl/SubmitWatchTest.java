package dev.shepherd.cli.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.e2e.TestKubelet;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.TestingCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit --watch} of an example, run to its end by the real Operator (pod mode) on the mock
 * API server, with the test kubelet running each step Pod as local processes.
 */
class SubmitWatchTest {
  private TestingCluster cluster;
  private ShepherdOperator operator;
  private TestKubelet kubelet;

  @TempDir Path root;

  @BeforeEach
  void start() {
    cluster = new TestingCluster();
    operator =
        new ShepherdOperator(cluster.client, Clock.systemUTC(), OperatorHarness.ON_MOCK_SERVER);
    operator.start();
    kubelet =
        new TestKubelet(cluster.client, Map.of(), Map.of(), root, System.out::println).start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    operator.close();
    cluster.close();
  }

  @Test
  void submitWatchOfAnExampleThatSucceedsExits0AndEndsWithTheTable() {
    Plugin.Result r =
        new Plugin(cluster.server::createClient)
            .run("submit", "examples/diamond.yaml", "--watch", "--param", "TARGET=moon");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .startsWith("workflow.shepherd.dev/diamond created\n")
        .contains("[fetch] started (attempt 1)", "[report] succeeded")
        .contains("workflow diamond Succeeded: ");
    assertThat(r.out().lines().dropWhile(l -> !l.startsWith("STEP")).toList())
        .hasSize(5)
        .allSatisfy(l -> assertThat(l).containsAnyOf("STEP", "Succeeded"));
    assertThat(cluster.get("diamond").getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(cluster.get("diamond").getSpec().params)
        .extracting(p -> p.value)
        .containsExactly("moon");
  }

  @Test
  void submitWatchOfAnExampleThatFailsExits3() {
    Plugin.Result r =
        new Plugin(cluster.server::createClient).run("submit", "-w", "examples/failing.yaml");

    assertThat(r.code).as(r.toString()).isEqualTo(3);
    assertThat(r.out()).contains(" Failed: ");
  }
}
