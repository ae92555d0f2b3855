package dev.shepherd.api.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.cli.run.WorkflowFile;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CarriedManifest}: what the operator writes into a supervisor Pod, the supervisor reads
 * back.
 */
class CarriedManifestTest {
  private static final String HEAD =
      "{\"apiVersion\":\"shepherd.dev/v1alpha1\",\"kind\":\"Workflow\",";

  @Test
  void aManifestIsBoundWithItsGeneration() throws Exception {
    Manifest manifest =
        CarriedManifest.read(
            HEAD
                + "\"metadata\":{\"name\":\"w\",\"namespace\":\"ns\",\"generation\":4},"
                + "\"spec\":{\"parallelism\":2,\"steps\":[{\"name\":\"a\",\"command\":[\"true\"],\"retry\":{\"limit\":2}}]}}");
    assertThat(manifest.name()).isEqualTo("w");
    assertThat(manifest.generation()).isEqualTo(4);
    assertThat(manifest.spec().parallelism).isEqualTo(2);
    assertThat(manifest.spec().steps)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.command).containsExactly("true");
              assertThat(s.retry.limit).isEqualTo(2);
            });
  }

  /**
   * Resources, a security context and valueFrom are beyond the quick path: Jackson binds them, to
   * the same spec.
   */
  @Test
  void whatOnlyJacksonBindsReadsBackAsWritten() throws Exception {
    Step a = new Step("a");
    a.command = List.of("sh", "-c", "echo $NODE");
    a.resources =
        new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("64Mi")).build();
    a.env =
        List.of(
            new EnvVarBuilder()
                .withName("NODE")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .build());
    Workflow workflow = new Workflow();
    workflow.setMetadata(
        new ObjectMetaBuilder().withName("w").withNamespace("ns").withGeneration(3L).build());
    workflow.setSpec(new WorkflowSpec());
    workflow.getSpec().steps.add(a);
    workflow.getSpec().securityContext = new SecurityContextBuilder().withRunAsUser(1000L).build();

    String json = CarriedManifest.write(workflow);
    assertThat(QuickBinder.bind(PlainJson.read(json))).as("not for the quick path").isNull();
    Manifest manifest = CarriedManifest.read(json);

    assertThat(Serialization.asJson(manifest.spec()))
        .isEqualTo(Serialization.asJson(workflow.getSpec()));
    assertThat(manifest.name()).isEqualTo("w");
    assertThat(manifest.generation()).isEqualTo(3);
  }

  @Test
  void whatThePlainReaderLeavesToJacksonIsReadAsInAFile() throws Exception {
    // A float is left to Jackson's tree reader and binding: the same result as the same text as a
    // file.
    String json =
        HEAD
            + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"parallelism\":2.0,"
            + "\"steps\":[{\"name\":\"a\",\"command\":[\"true\"]}]}}";
    Manifest manifest = CarriedManifest.read(json);
    assertThat(manifest.spec().parallelism)
        .isEqualTo(WorkflowFile.parse("M", json).getFirst().spec().parallelism)
        .isEqualTo(2);
  }

  @Test
  void aFieldTheModelDoesNotHaveIsAnErrorThatNamesIt() {
    assertThatThrownBy(
            () ->
                CarriedManifest.read(
                    HEAD
                        + "\"metadata\":{\"name\":\"w\"},"
                        + "\"spec\":{\"steps\":[{\"name\":\"a\",\"command\":[\"true\"],\"dependz\":[]}]}}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageStartingWith("SHEPHERD_MANIFEST: /spec/steps/0/dependz: ")
        .hasMessageContaining("\"dependz\"");
  }

  @ParameterizedTest
  @ValueSource(ints = {PlainJson.MAX_DEPTH + 1, 490, 20_000})
  void aManifestNestedDeeperThanTheLimitIsAnErrorNotAStackOverflow(int depth) {
    String deep =
        HEAD
            + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"steps\":"
            + "[".repeat(depth)
            + "]".repeat(depth)
            + "}}";
    assertThatThrownBy(() -> CarriedManifest.read(deep))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageStartingWith("SHEPHERD_MANIFEST: invalid JSON")
        .hasMessageContaining("nesting depth")
        .hasMessageContaining("(" + PlainJson.MAX_DEPTH);
  }

  @Test
  void badInputIsAnErrorThatSaysWhat() {
    assertThatThrownBy(() -> CarriedManifest.read("{\"kind\": "))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageStartingWith("SHEPHERD_MANIFEST: invalid JSON");
    assertThatThrownBy(() -> CarriedManifest.read(""))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessage("SHEPHERD_MANIFEST: no Workflow in it.");
    assertThatThrownBy(() -> CarriedManifest.read(HEAD + "\"spec\":{\"steps\":[]}} {}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessage("SHEPHERD_MANIFEST: more than one JSON value.");
    assertThatThrownBy(() -> CarriedManifest.read("[1]"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageContaining("not a JSON array");
    assertThatThrownBy(
            () -> CarriedManifest.read("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{}}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageContaining("kind is \"Pod\"");
    assertThatThrownBy(() -> CarriedManifest.read("{\"apiVersion\":\"v1\",\"kind\":3,\"spec\":{}}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageContaining("kind is \"3\"");
    assertThatThrownBy(
            () -> CarriedManifest.read("{\"apiVersion\":true,\"kind\":\"Workflow\",\"spec\":{}}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageContaining("apiVersion is \"true\"");
    assertThatThrownBy(() -> CarriedManifest.read(HEAD + "\"metadata\":{\"name\":\"w\"}}"))
        .isInstanceOf(CarriedManifest.Unreadable.class)
        .hasMessageContaining("has no spec");
  }
}
