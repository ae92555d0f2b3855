package dev.shepherd.testing;

import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/** A Workflow's spec changed as {@code kubectl patch --type merge -p '{"spec": ...}'} does it. */
public final class SpecPatch {
  private SpecPatch() {}

  /** Merges {@code spec}, a JSON object, into the spec: no resourceVersion, so no conflict. */
  public static Workflow merge(
      KubernetesClient client, String namespace, String name, String spec) {
    return client
        .resources(Workflow.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + spec + "}");
  }
}
