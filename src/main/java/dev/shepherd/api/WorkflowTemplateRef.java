package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The WorkflowTemplate, in the Workflow's namespace, whose spec a Workflow runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkflowTemplateRef {
  @Required
  @JsonPropertyDescription("The WorkflowTemplate's name.")
  public String name;

  public WorkflowTemplateRef() {}

  public WorkflowTemplateRef(String name) {
    this.name = name;
  }
}
