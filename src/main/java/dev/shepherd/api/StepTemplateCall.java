package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * A step's call of a WorkflowTemplate: the template's steps run in its place, inside the same
 * Workflow, named {@code <step>-<template step>}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class StepTemplateCall {
  @Required
  @JsonPropertyDescription("The WorkflowTemplate's name, in the Workflow's namespace.")
  public String name;

  @JsonPropertyDescription(
      "Values of the template's params (may use ${{ }} of the calling workflow); a param not"
          + " given takes the template's value.")
  public List<Param> params;

  public StepTemplateCall() {}

  public StepTemplateCall(String name, List<Param> params) {
    this.name = name;
    this.params = params;
  }
}
