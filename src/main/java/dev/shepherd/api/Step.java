package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/** One node of the DAG: a command, the steps it waits for, and how it is retried and timed out. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
// No CEL rule in the schema for items against itemsFrom and maxParallel: the API server's CEL has
// no
// field for a list of untyped items ("undefined field 'items'"), so SpecValidation has them.
public class Step {
  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("Unique name of the step, a DNS-1123 label.")
  public String name;

  @JsonPropertyDescription("Container image; defaults to spec.image.")
  public String image;

  @JsonPropertyDescription("Entrypoint; the image's entrypoint when empty.")
  public List<String> command;

  @JsonPropertyDescription("Arguments to the entrypoint.")
  public List<String> args;

  @JsonPropertyDescription("Environment variables of the step, added after the workflow's params.")
  public List<EnvVar> env;

  @JsonPropertyDescription("Working directory of the step.")
  public String workingDir;

  @JsonPropertyDescription("Compute resources of the step's container.")
  public ResourceRequirements resources;

  @JsonPropertyDescription("Steps that must succeed before this one starts.")
  public List<String> depends;

  @JsonPropertyDescription("Retries of a failed attempt.")
  public Retry retry;

  @Min(1)
  @Max(31_536_000)
  @JsonPropertyDescription(
      "Time limit of one attempt, in seconds. A timed out attempt fails with reason DeadlineExceeded.")
  public Long timeoutSeconds;

  @JsonPropertyDescription(
      "If true, the step's failure (after its retries) is recorded but does not fail the workflow,"
          + " and its dependents run.")
  public Boolean allowFailure;

  @JsonPropertyDescription(
      "A CEL expression (see Expressions): when false, the step is Skipped with reason"
          + " ConditionFalse and its dependents run as if it had succeeded.")
  public String when;

  @JsonPropertyDescription(
      "Runs the step once per item, each instance seeing item and itemIndex (and SHEPHERD_ITEM,"
          + " SHEPHERD_ITEM_INDEX). Strings, numbers or objects.")
  @SchemaFrom(type = AnyItems.class)
  public List<Object> items;

  @JsonPropertyDescription(
      "A CEL expression giving the list to run the step over, like items, e.g."
          + " fromJSON(steps.list.outputs.files).")
  public String itemsFrom;

  @Min(1)
  @JsonPropertyDescription("How many instances of a loop step (items, itemsFrom) run at once.")
  public Integer maxParallel;

  @JsonPropertyDescription(
      "Mounts of spec.podTemplate.volumes (or of the workspace, as volume \"workspace\") into"
          + " the step's container.")
  public List<VolumeMount> volumeMounts;

  @JsonPropertyDescription(
      "Runs the steps of a WorkflowTemplate here, named <step>-<template step>, instead of a"
          + " command of its own; the step then sets only name, depends and template.")
  public StepTemplateCall template;

  public Step() {}

  /** The schema of {@link #items}: a list of anything JSON holds. */
  private static final class AnyItems
      extends java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode> {}

  public Step(String name, String... depends) {
    this.name = name;
    this.depends = depends.length == 0 ? null : List.of(depends);
  }

  /** A copy of every field; the lists and objects in it are shared. */
  public Step copy() {
    Step c = new Step();
    c.name = name;
    c.image = image;
    c.command = command;
    c.args = args;
    c.env = env;
    c.workingDir = workingDir;
    c.resources = resources;
    c.depends = depends;
    c.retry = retry;
    c.timeoutSeconds = timeoutSeconds;
    c.allowFailure = allowFailure;
    c.when = when;
    c.items = items;
    c.itemsFrom = itemsFrom;
    c.maxParallel = maxParallel;
    c.volumeMounts = volumeMounts;
    c.template = template;
    return c;
  }

  /** {@link #allowFailure}, false when unset. */
  public boolean allowsFailure() {
    return Boolean.TRUE.equals(allowFailure);
  }

  /** A loop step: it runs once per item of {@link #items} or {@link #itemsFrom}. */
  @JsonIgnore
  public boolean isLoop() {
    return items != null || itemsFrom != null;
  }

  public List<String> dependsOrEmpty() {
    return depends == null ? List.of() : depends;
  }
}
