package dev.shepherd.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A DAG of steps, run by the shepherd operator. */
@Group(Workflow.GROUP)
@Version(Workflow.VERSION)
@Plural("workflows")
@Singular("workflow")
@ShortNames("wf")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Executor", jsonPath = ".spec.executor", priority = 1)
public class Workflow extends CustomResource<WorkflowSpec, WorkflowStatus> implements Namespaced {
  public static final String GROUP = "shepherd.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** metadata.generation, or 0 before the API server has set one. */
  public long generationOrZero() {
    Long g = getMetadata() == null ? null : getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  @Override
  protected WorkflowStatus initStatus() {
    return new WorkflowStatus();
  }
}
