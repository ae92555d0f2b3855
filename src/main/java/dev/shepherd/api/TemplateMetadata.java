package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/**
 * The labels and annotations of an object the operator makes from a template: every Pod of a
 * workflow ({@link PodTemplate#metadata}) or its workspace claim ({@link
 * WorkspaceClaimTemplate#metadata}). Not a whole ObjectMeta: a name, owner or namespace there is
 * the operator's.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class TemplateMetadata {
  @JsonPropertyDescription("Labels to add; the operator's own labels win over one of the same key.")
  public Map<String, String> labels;

  @JsonPropertyDescription("Annotations to add.")
  public Map<String, String> annotations;
}
