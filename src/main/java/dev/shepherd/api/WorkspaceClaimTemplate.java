package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;

/**
 * The PersistentVolumeClaim the operator makes once per workflow for its workspace ({@link
 * Workspace#volumeClaimTemplate}), as a StatefulSet's volumeClaimTemplates or Argo's: the name and
 * owner are the operator's.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class WorkspaceClaimTemplate {
  @JsonPropertyDescription("Labels and annotations of the claim.")
  public TemplateMetadata metadata;

  @Required
  @JsonPropertyDescription(
      "The claim's spec (accessModes, resources.requests.storage, storageClassName, ...).")
  public PersistentVolumeClaimSpec spec;
}
