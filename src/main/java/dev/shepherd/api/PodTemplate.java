package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/**
 * What every Pod of a workflow gets, step Pods and the supervisor Pod alike: where it may run, how
 * its images are pulled, extra volumes for the steps' volumeMounts, and labels and annotations.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PodTemplate {
  @JsonPropertyDescription(
      "Labels and annotations of every Pod; the operator's own labels win over one of the same key.")
  public TemplateMetadata metadata;

  @JsonPropertyDescription("The Pods' nodeSelector.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription("The Pods' tolerations.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("The Pods' affinity.")
  public Affinity affinity;

  @JsonPropertyDescription("Secrets to pull the steps' images with.")
  public List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription("The Pods' PriorityClass.")
  public String priorityClassName;

  @JsonPropertyDescription("The Pods' RuntimeClass.")
  public String runtimeClassName;

  @JsonPropertyDescription("Volumes of every Pod, for the steps' volumeMounts.")
  public List<Volume> volumes;
}
