package dev.shepherd.operator.ui;

import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Cancel, suspend, resume and retry: merge patches of the Workflow's spec, the same ones {@code
 * kubectl patch} makes (README, "Cancel and suspend" and retry), so the operator needs nothing of
 * the UI to act on them.
 */
final class WorkflowActions {
  static final List<String> NAMES = List.of("cancel", "suspend", "resume", "retry");

  private final KubernetesClient client;

  WorkflowActions(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Applies {@code action} and returns the patch it sent.
   *
   * @throws IllegalArgumentException for an action not in {@link #NAMES}
   * @throws NoSuchElementException when there is no such Workflow
   */
  String apply(String namespace, String name, String action) {
    if (!NAMES.contains(action)) {
      throw new IllegalArgumentException("No action \"" + action + "\".");
    }
    Resource<Workflow> workflow =
        client.resources(Workflow.class).inNamespace(namespace).withName(name);
    if (workflow.get() == null) {
      throw new NoSuchElementException("No Workflow " + namespace + "/" + name + ".");
    }
    String patch =
        switch (action) {
          case "cancel" -> "{\"spec\":{\"cancel\":true}}";
          case "suspend" -> "{\"spec\":{\"suspend\":true}}";
          case "resume" -> "{\"spec\":{\"suspend\":false}}";
          default -> "{\"spec\":{\"retryGeneration\":" + nextRetry(stored(namespace, name)) + "}}";
        };
    workflow.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return patch;
  }

  /** The stored object as it is, with the fields this operator's model may not know. */
  private GenericKubernetesResource stored(String namespace, String name) {
    return client
        .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(Workflow.class))
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  /** One more than the generation of the last retry in the status (0 when none). */
  static long nextRetry(GenericKubernetesResource workflow) {
    if (workflow == null) {
      return 1;
    }
    Object status = workflow.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> s
        && s.get("retries") instanceof List<?> retries
        && !retries.isEmpty()
        && retries.getLast() instanceof Map<?, ?> last
        && last.get("generation") instanceof Number generation) {
      return generation.longValue() + 1;
    }
    return 1;
  }
}
