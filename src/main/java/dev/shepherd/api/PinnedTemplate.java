package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A WorkflowTemplate that a step calls, as it was read when the workflow started. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PinnedTemplate {
  @JsonPropertyDescription("The WorkflowTemplate's name.")
  public String name;

  @JsonPropertyDescription("Its resourceVersion when it was read.")
  public String resourceVersion;

  @JsonPropertyDescription("Its spec, as JSON.")
  public String spec;

  public PinnedTemplate() {}

  public PinnedTemplate(String name, String resourceVersion, String spec) {
    this.name = name;
    this.resourceVersion = resourceVersion;
    this.spec = spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PinnedTemplate p
        && java.util.Objects.equals(name, p.name)
        && java.util.Objects.equals(resourceVersion, p.resourceVersion)
        && java.util.Objects.equals(spec, p.spec);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(name, resourceVersion);
  }
}
