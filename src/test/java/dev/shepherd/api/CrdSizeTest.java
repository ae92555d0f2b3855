package dev.shepherd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A CRD carries the full schemas of the Kubernetes types it embeds (affinity, volumes, a claim's
 * spec), so that the API server checks them at {@code kubectl apply} time. Client-side {@code
 * kubectl apply} stores the whole object as JSON in an annotation, and an object's annotations may
 * hold 256 KiB in all: each CRD keeps well under that, with room for the fields still to come.
 */
class CrdSizeTest {
  private static final int ANNOTATIONS_LIMIT = 256 * 1024;

  @Test
  void eachCrdFitsKubectlApplysLastAppliedAnnotationWithRoomToSpare() throws Exception {
    for (String name : CrdGeneration.FILE_NAMES) {
      CustomResourceDefinition crd =
          Serialization.unmarshal(
              Files.readString(java.nio.file.Path.of("crds", name)),
              CustomResourceDefinition.class);
      int bytes = Serialization.asJson(crd).getBytes(StandardCharsets.UTF_8).length;
      assertThat(bytes).as(name + " as compact JSON, in bytes").isLessThan(ANNOTATIONS_LIMIT / 4);
    }
  }
}
