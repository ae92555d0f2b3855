package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the CronWorkflow has done, as a CronJob's status says it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CronWorkflowStatus {
  @JsonPropertyDescription("The scheduled time of the last Workflow created (RFC 3339).")
  public String lastScheduleTime;

  @JsonPropertyDescription("When the last Workflow that succeeded finished (RFC 3339).")
  public String lastSuccessfulTime;

  @JsonPropertyDescription("The names of the Workflows created that have not ended yet.")
  public List<String> active = new ArrayList<>();

  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready (False with reason InvalidSpec for a schedule or time zone that can't be read) and"
          + " Stalled, as kstatus reads them.")
  public List<Condition> conditions = new ArrayList<>();
}
