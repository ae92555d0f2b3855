package dev.shepherd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.CronWorkflowSpec;
import dev.shepherd.api.CronWorkflowStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.deploy.ArgoCdHealth.Health;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deploy/argocd/cronworkflow-health.lua, run as Argo CD runs it ({@link ArgoCdHealth}), on
 * CronWorkflows built from the Java model. {@code CronWorkflowTest} runs it on the statuses the
 * controller writes.
 */
class ArgoCdCronWorkflowHealthTest {
  private static final String NEXT = "Next run at 2026-12-07T01:00:00Z";

  @Test
  void noStatusIsProgressing() {
    assertEquals(
        new Health("Progressing", "Waiting for the controller"), health(cron(1L, null, false)));
  }

  @Test
  void observedGenerationBehindIsProgressing() {
    CronWorkflowStatus s = ready(NEXT);
    s.observedGeneration = 1L;
    Health h = health(cron(2L, s, false));
    assertEquals("Progressing", h.status());
    assertEquals(
        "Waiting for the controller to observe generation 2 (status is of generation 1)",
        h.message());
  }

  @Test
  void aScheduleThatCannotBeReadIsDegradedWithItsReason() {
    CronWorkflowStatus s = conditions("False", "InvalidSpec", "spec.schedule: \"61 * * * *\" ...");
    assertEquals(
        new Health("Degraded", "InvalidSpec: spec.schedule: \"61 * * * *\" ..."),
        health(cron(1L, s, false)));
  }

  @Test
  void anInvalidScheduleIsDegradedEvenWhileSuspended() {
    CronWorkflowStatus s = conditions("False", "InvalidSpec", "spec.timeZone: unknown");
    assertEquals("Degraded", health(cron(1L, s, true)).status());
  }

  @Test
  void suspendedIsSuspended() {
    CronWorkflowStatus s = ready("Suspended");
    s.lastScheduleTime = "2026-12-06T01:00:00Z"; // and it failed: suspend still says Suspended
    assertEquals(
        new Health("Suspended", "Suspended: no Workflow is created until spec.suspend is false"),
        health(cron(1L, s, true)));
  }

  @Test
  void neverRunIsHealthyWithTheNextRun() {
    assertEquals(new Health("Healthy", NEXT), health(cron(1L, ready(NEXT), false)));
  }

  @Test
  void aLastRunThatSucceededIsHealthy() {
    CronWorkflowStatus s = ready(NEXT);
    s.lastScheduleTime = "2026-12-06T01:00:00Z";
    s.lastSuccessfulTime = "2026-12-06T01:00:00.250Z"; // finished within the second it started
    assertEquals(new Health("Healthy", NEXT), health(cron(1L, s, false)));
  }

  @Test
  void aLastRunThatFailedIsDegradedAndNamesTheLastSuccess() {
    CronWorkflowStatus s = ready(NEXT);
    s.lastScheduleTime = "2026-12-06T01:00:00Z";
    s.lastSuccessfulTime = "2026-12-06T00:00:07Z";
    assertEquals(
        new Health(
            "Degraded",
            "The Workflow of 2026-12-06T01:00:00Z did not succeed;"
                + " the last success finished at 2026-12-06T00:00:07Z"),
        health(cron(1L, s, false)));
  }

  @Test
  void aFirstRunThatFailedIsDegraded() {
    CronWorkflowStatus s = ready(NEXT);
    s.lastScheduleTime = "2026-12-06T01:00:00Z";
    assertEquals(
        new Health("Degraded", "The Workflow of 2026-12-06T01:00:00Z did not succeed"),
        health(cron(1L, s, false)));
  }

  @Test
  void aRunStillActiveIsHealthyAndNamed() {
    CronWorkflowStatus s = ready(NEXT);
    s.lastScheduleTime = "2026-12-06T01:00:00Z";
    s.active = List.of("nightly-1796518800");
    assertEquals(new Health("Healthy", "Running nightly-1796518800"), health(cron(1L, s, false)));
  }

  // ---- helpers

  private static Health health(CronWorkflow cron) {
    return ArgoCdHealth.of(ArgoCdHealth.CRON_WORKFLOW, cron);
  }

  private static CronWorkflow cron(Long generation, CronWorkflowStatus status, boolean suspend) {
    CronWorkflow c = new CronWorkflow();
    c.setMetadata(
        new ObjectMetaBuilder()
            .withName("nightly")
            .withNamespace("default")
            .withGeneration(generation)
            .build());
    CronWorkflowSpec spec = new CronWorkflowSpec();
    spec.schedule = "@hourly";
    spec.suspend = suspend ? true : null;
    spec.workflowSpec = new WorkflowSpec();
    spec.workflowSpec.image = "busybox:1.36";
    spec.workflowSpec.steps.add(new Step("a"));
    c.setSpec(spec);
    c.setStatus(status);
    return c;
  }

  /** A status as the controller writes it for a schedule it can read. */
  private static CronWorkflowStatus ready(String message) {
    return conditions("True", "Scheduled", message);
  }

  /** Ready {@code ready}, Stalled the opposite, as the controller writes them. */
  private static CronWorkflowStatus conditions(String ready, String reason, String message) {
    CronWorkflowStatus s = new CronWorkflowStatus();
    s.observedGeneration = 1L;
    s.conditions.add(condition("Ready", ready, reason, message));
    s.conditions.add(
        condition("Stalled", ready.equals("True") ? "False" : "True", reason, message));
    return s;
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2026-12-06T00:00:00Z")
        .build();
  }
}
