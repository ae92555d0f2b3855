package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.wire.CarriedManifest;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.cli.run.WorkflowFile;
import dev.shepherd.testing.KubeletEnv;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@value CarriedManifest#ENV}: the workflow the supervisor Pod runs, as {@code shepherd run} reads
 * it.
 */
class SupervisorManifestTest {
  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(all).isNotEmpty();
      return all;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleReadsBackAsTheSameWorkflow(Path example) throws Exception {
    for (WorkflowFile.Document doc :
        WorkflowFile.parse(example.toString(), Files.readString(example))) {
      Workflow workflow = new Workflow();
      workflow.setMetadata(
          new ObjectMetaBuilder(doc.manifest().metadata())
              .withNamespace("team-a")
              .withGeneration(7L)
              .build());
      workflow.setSpec(doc.spec());

      String json = SupervisorPodBuilder.manifest(workflow);

      assertThat(json).as(example.toString()).isNotNull().doesNotContain("\n");
      // As the supervisor reads it (JSON), and as shepherd run would (YAML): the same, but for
      // the podTemplate, which the Pod has and the manifest does not carry.
      Manifest d = CarriedManifest.read(json);
      WorkflowSpec carried = Serialization.clone(doc.spec()); // the spec that runs, resolved
      carried.podTemplate = null;
      assertThat(Serialization.asJson(d.spec())).isEqualTo(Serialization.asJson(carried));
      assertThat(d.metadata().getName()).isEqualTo(workflow.getMetadata().getName());
      assertThat(d.metadata().getNamespace()).isEqualTo("team-a");
      assertThat(d.metadata().getGeneration()).isEqualTo(7L);
      assertThat(WorkflowFile.parse(CarriedManifest.ENV, json))
          .singleElement()
          .satisfies(
              y ->
                  assertThat(Serialization.asJson(y.spec()))
                      .isEqualTo(Serialization.asJson(carried)));
      String value = env(workflow).get(CarriedManifest.ENV);
      assertThat(KubeletEnv.expand(value, env(workflow)))
          .as("what the supervisor reads")
          .isEqualTo(json);
    }
  }

  @Test
  void metadataHasOnlyNameNamespaceAndGenerationWhenSet() {
    Workflow w = workflow("wf", step("a"));
    w.getMetadata().setUid("uid-1");
    w.getMetadata().setLabels(Map.of("team", "a"));
    w.getMetadata().setResourceVersion("42");

    assertThat(SupervisorPodBuilder.manifest(w))
        .startsWith(
            "{\"apiVersion\":\"shepherd.dev/v1alpha1\",\"kind\":\"Workflow\","
                + "\"metadata\":{\"name\":\"wf\",\"namespace\":\""
                + TestingCluster.NAMESPACE
                + "\"},\"spec\":{");
    w.getMetadata().setGeneration(3L);
    assertThat(SupervisorPodBuilder.manifest(w))
        .contains(
            "\"metadata\":{\"name\":\"wf\",\"namespace\":\""
                + TestingCluster.NAMESPACE
                + "\",\"generation\":3},");
  }

  @Test
  void theContainerGetsTheManifestUnchangedByTheKubeletsExpansion() {
    Workflow w = workflow("wf", step("a"));
    w.getSpec().steps.getFirst().args =
        List.of("echo $$ $(SHEPHERD_WORKFLOW) $(date) ${X} $$$ $( $");
    String json = SupervisorPodBuilder.manifest(w);
    String value = SupervisorPodBuilder.env(w).getLast().getValue();
    Map<String, String> earlier = Map.of("SHEPHERD_WORKFLOW", "wf");

    assertThat(json).contains("echo $$ $(SHEPHERD_WORKFLOW)");
    assertThat(KubeletEnv.expand(json, earlier))
        .as("unescaped, the kubelet would change it")
        .isNotEqualTo(json);
    assertThat(KubeletEnv.expand(value, earlier)).isEqualTo(json);
  }

  @Test
  void aManifestOverTheLimitIsLeftOut() {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      Step s = step("step-" + i);
      s.args = List.of("echo " + "x".repeat(200) + " " + i);
      steps.add(s);
    }
    Workflow w = workflow("big", steps.toArray(Step[]::new));

    assertThat(SupervisorPodBuilder.manifest(w)).isNull();
    assertThat(SupervisorPodBuilder.env(w))
        .extracting(EnvVar::getName)
        .containsExactly(
            "SHEPHERD_WORKFLOW",
            "SHEPHERD_NAMESPACE",
            "SHEPHERD_POD_NAME",
            "SHEPHERD_OUTPUTS_DIR",
            "_JAVA_SR_SIGNUM");
  }

  @Test
  void theLimitIsOnTheEscapedUtf8Bytes() {
    Workflow w = workflow("edge", step("a"));
    String base = SupervisorPodBuilder.manifest(w);
    int room =
        SupervisorPodBuilder.MANIFEST_MAX_BYTES - base.getBytes(StandardCharsets.UTF_8).length;
    int value = room - ",\"workingDir\":\"\"".length();
    Step a = w.getSpec().steps.getFirst();
    a.workingDir = "é".repeat(value / 2) + "x".repeat(value % 2);
    assertThat(SupervisorPodBuilder.manifest(w)).as("exactly the limit").isNotNull();
    a.workingDir += "x";
    assertThat(SupervisorPodBuilder.manifest(w)).as("one byte over").isNull();
    a.workingDir = "$".repeat(value / 2 + 1);
    assertThat(SupervisorPodBuilder.manifest(w))
        .as("fits as JSON, not with every $ doubled")
        .isNull();
  }

  static Map<String, String> env(Workflow workflow) {
    Map<String, String> values = new java.util.LinkedHashMap<>();
    for (EnvVar e : SupervisorPodBuilder.env(workflow)) {
      values.put(e.getName(), e.getValue());
    }
    return values;
  }
}
