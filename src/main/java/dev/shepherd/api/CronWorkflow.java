package dev.shepherd.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Workflow created on a cron schedule, as a CronJob creates Jobs. */
@Group(Workflow.GROUP)
@Version(Workflow.VERSION)
@Plural("cronworkflows")
@Singular("cronworkflow")
@ShortNames("cwf")
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule")
@AdditionalPrinterColumn(
    name = "Suspend",
    jsonPath = ".spec.suspend",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.active[*]")
@AdditionalPrinterColumn(
    name = "Last",
    jsonPath = ".status.lastScheduleTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "TimeZone", jsonPath = ".spec.timeZone", priority = 1)
public class CronWorkflow extends CustomResource<CronWorkflowSpec, CronWorkflowStatus>
    implements Namespaced {
  /** The label on every Workflow a CronWorkflow created: the CronWorkflow's name. */
  public static final String LABEL = "shepherd.dev/cron-workflow";

  /** The annotation on every Workflow a CronWorkflow created: the time it was scheduled for. */
  public static final String SCHEDULED_TIME = "shepherd.dev/scheduled-time";

  /** metadata.generation, or 0 before the API server has set one. */
  public long generationOrZero() {
    Long g = getMetadata() == null ? null : getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  @Override
  protected CronWorkflowStatus initStatus() {
    return new CronWorkflowStatus();
  }
}
