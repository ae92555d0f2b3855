package dev.shepherd.cli.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.Executor;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.e2e.TestKubelet;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.TestingCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example through the plugin, in both executors, run by the real Operator on the mock API
 * server and the test kubelet (real processes; in supervisor mode the jlinked runtime {@code mvn
 * package} built): {@code submit --watch} exits as the example's first line says it ends, and
 * {@code get} then shows every step with its phase.
 */
class KubectlExamplesIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static TestingCluster cluster;
  private static ShepherdOperator operator;
  private static TestKubelet kubelet;
  private static Plugin plugin;

  @TempDir static Path dir;

  @BeforeAll
  static void start(@TempDir Path root) {
    assertThat(TestKubelet.RUNTIME.resolve("bin/shepherd"))
        .as("the supervisor runtime (mvn package builds it)")
        .exists();
    cluster = new TestingCluster();
    operator =
        new ShepherdOperator(cluster.client, Clock.systemUTC(), OperatorHarness.ON_MOCK_SERVER);
    operator.start();
    kubelet = TestKubelet.forExamples(cluster.client, cluster.port(), root).start();
    plugin = new Plugin(cluster.server::createClient);
  }

  @AfterAll
  static void stop() {
    kubelet.close();
    operator.close();
    cluster.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dev.shepherd.e2e.ExamplesIT#examples")
  @SuppressWarnings("unchecked")
  void submitWatchExitsAsTheExampleEndsAndGetShowsEveryStep(Executor executor, Path file)
      throws IOException {
    String text = Files.readString(file);
    WorkflowPhase ends =
        WorkflowPhase.valueOf(
            text.lines().findFirst().orElseThrow().replace("# ends:", "").strip());
    // Each Workflow of the file under a name of this case, in this executor; templates as they are.
    String suffix = "-" + executor.name().toLowerCase(Locale.ROOT);
    List<String> names = new ArrayList<>();
    StringBuilder copy = new StringBuilder();
    for (Object doc : YAML.readerFor(Object.class).readValues(text).readAll()) {
      // A CronWorkflow is submitted as its Workflow, run once, of its name.
      if (doc instanceof Map<?, ?> m
          && ("Workflow".equals(m.get("kind")) || "CronWorkflow".equals(m.get("kind")))) {
        Map<String, Object> metadata = (Map<String, Object>) m.get("metadata");
        String name = metadata.get("name") + suffix;
        metadata.put("name", name);
        Map<String, Object> spec = (Map<String, Object>) m.get("spec");
        if ("CronWorkflow".equals(m.get("kind"))) {
          spec = (Map<String, Object>) spec.get("workflowSpec");
        }
        spec.put("executor", YAML.convertValue(executor, String.class));
        names.add(name);
      }
      if (doc != null) {
        copy.append(YAML.writeValueAsString(doc));
      }
    }
    Path submitted = dir.resolve(file.getFileName().toString().replace(".yaml", suffix + ".yaml"));
    Files.writeString(submitted, copy);

    Plugin.Result r = plugin.run("submit", submitted.toString(), "--watch");

    assertThat(r.code).as(r.toString()).isEqualTo(ends == WorkflowPhase.Succeeded ? 0 : 3);
    for (String name : names) {
      assertThat(r.out()).as(r.toString()).contains("workflow " + name + " " + ends + ":");
      Workflow done = cluster.get(name);
      Plugin.Result get = plugin.run("get", name);
      assertThat(get.code).as(get.toString()).isEqualTo(0);
      assertThat(get.out()).contains("Phase:     " + ends);
      for (StepStatus st : done.getStatus().steps) {
        assertThat(get.out().lines())
            .as(get.out())
            .anyMatch(
                l ->
                    l.matches(
                        "[│├└─ ]*"
                            + java.util.regex.Pattern.quote(st.name)
                            + " +"
                            + st.phase
                            + " .*"));
      }
    }
  }
}
