package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** When to create Workflows, and what they run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CronWorkflowSpec {
  public static final int DEFAULT_SUCCESSFUL_HISTORY = 3;
  public static final int DEFAULT_FAILED_HISTORY = 1;

  @Required
  @JsonPropertyDescription(
      "When to run, in cron syntax as a CronJob takes it: five fields (minute hour day-of-month"
          + " month day-of-week), or @hourly, @daily (@midnight), @weekly, @monthly, @yearly"
          + " (@annually).")
  public String schedule;

  @JsonPropertyDescription(
      "The IANA time zone the schedule is read in, e.g. Europe/Berlin. UTC when unset.")
  public String timeZone;

  @Default("Allow")
  @JsonPropertyDescription(
      "When a run is due while an earlier one still runs: Allow starts it too, Forbid skips it,"
          + " Replace deletes the running ones and starts it.")
  public ConcurrencyPolicy concurrencyPolicy;

  @Min(0)
  @JsonPropertyDescription(
      "How late a run may still start, in seconds after its scheduled time (after the operator"
          + " was down, say). Unset: however late.")
  public Long startingDeadlineSeconds;

  @Default("false")
  @JsonPropertyDescription("True: no new run starts; running ones go on. False again resumes.")
  public Boolean suspend;

  @Min(0)
  @Default("3")
  @JsonPropertyDescription("How many succeeded Workflows to keep; older ones are deleted.")
  public Integer successfulJobsHistoryLimit;

  @Min(0)
  @Default("1")
  @JsonPropertyDescription("How many failed Workflows to keep; older ones are deleted.")
  public Integer failedJobsHistoryLimit;

  @Required
  @JsonPropertyDescription("The spec of every Workflow created, as a Workflow's spec.")
  public WorkflowSpec workflowSpec;

  public ConcurrencyPolicy concurrencyPolicyOrDefault() {
    return concurrencyPolicy == null ? ConcurrencyPolicy.Allow : concurrencyPolicy;
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public int successfulHistoryOrDefault() {
    return successfulJobsHistoryLimit == null
        ? DEFAULT_SUCCESSFUL_HISTORY
        : successfulJobsHistoryLimit;
  }

  public int failedHistoryOrDefault() {
    return failedJobsHistoryLimit == null ? DEFAULT_FAILED_HISTORY : failedJobsHistoryLimit;
  }
}
