package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkspaceClaimTemplate;
import dev.shepherd.engine.Problem;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PersistentVolumeClaim of a workflow's workspace, made from {@code
 * spec.workspace.volumeClaimTemplate} once per workflow, before its first Pod (in both executors).
 * Its name is a function of the workflow's, so a repeated pass finds the claim it made; it is owned
 * by the Workflow, so the garbage collector deletes it with the Workflow, and not before: the files
 * of a finished workflow stay for a look until then.
 */
final class WorkspaceClaim {
  static final String SUFFIX = "-workspace";

  private WorkspaceClaim() {}

  /** {@code <workflow>-workspace}, shortened with a hash past 63 characters. */
  static String name(String workflow) {
    return StepPodBuilder.labelValue(workflow + SUFFIX);
  }

  static PersistentVolumeClaim build(Workflow workflow) {
    WorkspaceClaimTemplate template = workflow.getSpec().workspace.volumeClaimTemplate;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "shepherd");
    labels.put(
        StepPodBuilder.WORKFLOW_LABEL, StepPodBuilder.labelValue(workflow.getMetadata().getName()));
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name(workflow.getMetadata().getName()))
        .withNamespace(workflow.getMetadata().getNamespace())
        .withLabels(
            WorkflowPodTemplate.ownLast(
                template.metadata == null ? null : template.metadata.labels, labels))
        .withAnnotations(template.metadata == null ? null : template.metadata.annotations)
        .withOwnerReferences(StepPodBuilder.ownerReference(workflow))
        .endMetadata()
        .withSpec(template.spec)
        .build();
  }

  /**
   * Creates the claim if the workflow's workspace asks for one and it does not exist yet. A claim
   * of that name that the workflow does not own, and one the API server refuses as invalid, are
   * problems of the spec; any other failure is thrown, for the pass to be retried.
   */
  static Optional<Problem> ensure(Workflow workflow, KubernetesClient client) {
    if (workflow.getSpec().workspace == null
        || workflow.getSpec().workspace.volumeClaimTemplate == null) {
      return Optional.empty();
    }
    PersistentVolumeClaim claim = build(workflow);
    try {
      client.resource(claim).create();
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        PersistentVolumeClaim existing = client.resource(claim).get();
        if (existing == null) {
          throw e;
        }
        return SupervisorRbac.ownedBy(existing, workflow)
            ? Optional.empty()
            : Optional.of(
                new Problem(
                    "spec.workspace.volumeClaimTemplate",
                    null,
                    "PersistentVolumeClaim "
                        + claim.getMetadata().getName()
                        + " already exists and is not owned by this workflow; delete it or rename"
                        + " the workflow."));
      }
      if (!Invalid.is(e)) {
        throw e;
      }
      return Optional.of(
          Invalid.problem(e, claim, field -> "spec.workspace.volumeClaimTemplate." + field, null));
    }
  }
}
