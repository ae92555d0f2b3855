package dev.shepherd.operator.ui;

import dev.shepherd.api.Workflow;
import dev.shepherd.view.Controls;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Cancel, suspend, resume and retry from the UI's buttons: the merge patches of the Workflow's spec
 * that {@link Controls} makes for the kubectl plugin too, so the operator needs nothing of the UI
 * to act on them.
 */
final class WorkflowActions {
  static final List<String> NAMES =
      Arrays.stream(Controls.Action.values()).map(Controls.Action::verb).toList();

  private final KubernetesClient client;

  WorkflowActions(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Applies {@code action} and returns the patch it sent.
   *
   * @throws IllegalArgumentException for an action not in {@link #NAMES}
   * @throws NoSuchElementException when there is no such Workflow
   * @throws Controls.Refused when the Workflow can't take it now (a retry of one that did not fail)
   */
  String apply(String namespace, String name, String action) throws Controls.Refused {
    Controls.Action a = Controls.Action.of(action);
    if (a == null) {
      throw new IllegalArgumentException("No action \"" + action + "\".");
    }
    // The stored object as it is, with the fields this operator's model may not know.
    GenericKubernetesResource stored =
        client
            .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(Workflow.class))
            .inNamespace(namespace)
            .withName(name)
            .get();
    if (stored == null) {
      throw new NoSuchElementException("No Workflow " + namespace + "/" + name + ".");
    }
    Object status = stored.getAdditionalProperties().get("status");
    String patch =
        "{\"spec\":"
            + Controls.specPatch(a, name, status instanceof Map<?, ?> m ? m : Map.of())
            + "}";
    client
        .resources(Workflow.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return patch;
  }
}
