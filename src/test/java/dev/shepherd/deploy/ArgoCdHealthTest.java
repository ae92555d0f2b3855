package dev.shepherd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.deploy.ArgoCdHealth.Health;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/argocd/health.lua, run as Argo CD runs it ({@link ArgoCdHealth}). The Workflows are built
 * from the Java model and serialized, so a field renamed in the model breaks this test.
 */
class ArgoCdHealthTest {
  private static String script;

  @BeforeAll
  static void load() throws Exception {
    script = Files.readString(ArgoCdHealth.WORKFLOW);
  }

  @Test
  void noStatusIsProgressing() {
    Workflow wf = workflow(1L);
    wf.setStatus(null);
    assertEquals(new Health("Progressing", "Waiting for the controller"), health(wf));
  }

  @Test
  void statusWithoutPhaseIsProgressing() {
    Workflow wf = workflow(1L);
    wf.setStatus(new WorkflowStatus());
    assertEquals(new Health("Progressing", "Waiting for the controller"), health(wf));
  }

  @Test
  void observedGenerationBehindIsProgressingEvenWhenTheOldStatusSaysSucceeded() {
    Workflow wf = workflow(3L);
    WorkflowStatus s = status(WorkflowPhase.Succeeded, "2/2", null, 2L);
    s.conditions.add(condition("Complete", "True", "Succeeded", "All 2 steps succeeded", 2L));
    wf.setStatus(s);
    Health h = health(wf);
    assertEquals("Progressing", h.status());
    assertTrue(h.message().contains("generation 3"), h.message());
  }

  @Test
  void observedGenerationCurrentIsNotHeldBack() {
    Workflow wf = workflow(3L);
    wf.setStatus(status(WorkflowPhase.Succeeded, "2/2", null, 3L));
    assertEquals("Healthy", health(wf).status());
  }

  @Test
  void pendingIsProgressingWithTheProgressWhenThereIsNoMessage() {
    Workflow wf = workflow(1L);
    WorkflowStatus s = status(WorkflowPhase.Pending, "0/2", null, 1L);
    s.conditions.add(condition("Reconciling", "True", "Pending", null, 1L));
    wf.setStatus(s);
    assertEquals(new Health("Progressing", "Pending: 0/2 steps finished"), health(wf));
  }

  @Test
  void runningIsProgressingWithTheStatusMessage() {
    Workflow wf = workflow(1L);
    WorkflowStatus s = status(WorkflowPhase.Running, "1/2", "Running: build", 1L);
    s.conditions.add(condition("Reconciling", "True", "Running", "Running: build", 1L));
    wf.setStatus(s);
    assertEquals(new Health("Progressing", "Running: build"), health(wf));
  }

  @Test
  void suspendedIsSuspendedWithTheStatusMessage() {
    Workflow wf = workflow(1L);
    String message = "Suspended: no step starts until spec.suspend is false.";
    WorkflowStatus s = status(WorkflowPhase.Suspended, "1/2", message, 1L);
    s.conditions.add(condition("Reconciling", "True", "Suspended", message, 1L));
    wf.setStatus(s);
    assertEquals(new Health("Suspended", message), health(wf));
  }

  @Test
  void succeededIsHealthy() {
    Workflow wf = workflow(1L);
    WorkflowStatus s = status(WorkflowPhase.Succeeded, "2/2", null, 1L);
    s.conditions.add(condition("Reconciling", "False", "Succeeded", null, 1L));
    s.conditions.add(condition("Complete", "True", "Succeeded", null, 1L));
    wf.setStatus(s);
    assertEquals(new Health("Healthy", "Succeeded: 2/2 steps"), health(wf));
  }

  @Test
  void failedInvalidSpecIsDegradedWithTheStatusMessage() {
    Workflow wf = workflow(1L);
    String msg = "step build depends on unknown step fetsh";
    WorkflowStatus s = status(WorkflowPhase.Failed, "0/2", msg, 1L);
    s.conditions.add(condition("Reconciling", "False", "InvalidSpec", msg, 1L));
    s.conditions.add(condition("Stalled", "True", "InvalidSpec", msg, 1L));
    s.conditions.add(condition("Failed", "True", "InvalidSpec", msg, 1L));
    wf.setStatus(s);
    assertEquals(new Health("Degraded", msg), health(wf));
  }

  @Test
  void cancelledIsDegradedWithTheStatusMessage() {
    Workflow wf = workflow(1L);
    String msg = "The supervisor received SIGTERM.";
    WorkflowStatus s = status(WorkflowPhase.Cancelled, "1/3", msg, 1L);
    s.conditions.add(condition("Failed", "True", "Cancelled", msg, 1L));
    wf.setStatus(s);
    assertEquals(new Health("Degraded", msg), health(wf));
  }

  @Test
  void failedWithoutMessageTakesTheFailedCondition() {
    Workflow wf = workflow(1L);
    WorkflowStatus s = status(WorkflowPhase.Failed, "1/2", null, 1L);
    s.conditions.add(condition("Failed", "True", "StepFailed", "step test exited with 1", 1L));
    wf.setStatus(s);
    assertEquals(new Health("Degraded", "StepFailed: step test exited with 1"), health(wf));
  }

  @Test
  void unknownPhaseFallsBackToTheConditions() {
    Map<String, Object> failed = tree(workflow(1L));
    failed.put(
        "status",
        Map.of(
            "phase",
            "Exploded",
            "conditions",
            List.of(
                Map.of(
                    "type",
                    "Stalled",
                    "status",
                    "True",
                    "reason",
                    "DeadlineExceeded",
                    "message",
                    "activeDeadlineSeconds 60 exceeded"))));
    assertEquals(
        new Health("Degraded", "DeadlineExceeded: activeDeadlineSeconds 60 exceeded"),
        health(failed));

    Map<String, Object> unknown = tree(workflow(1L));
    unknown.put("status", Map.of("phase", "Exploded"));
    assertEquals(new Health("Unknown", "Unknown phase Exploded"), health(unknown));
  }

  // ---- helpers

  private static Workflow workflow(Long generation) {
    Workflow wf = new Workflow();
    wf.setMetadata(
        new ObjectMetaBuilder()
            .withName("diamond")
            .withNamespace("default")
            .withGeneration(generation)
            .build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    spec.steps.add(new Step("fetch"));
    spec.steps.add(new Step("build", "fetch"));
    wf.setSpec(spec);
    return wf;
  }

  private static WorkflowStatus status(
      WorkflowPhase phase, String progress, String message, Long observedGeneration) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = phase;
    s.progress = progress;
    s.message = message;
    s.observedGeneration = observedGeneration;
    return s;
  }

  private static Condition condition(
      String type, String status, String reason, String message, Long observedGeneration) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(observedGeneration)
        .withLastTransitionTime("2025-01-01T00:00:00Z")
        .build();
  }

  private static Map<String, Object> tree(Workflow wf) {
    return ArgoCdHealth.tree(wf);
  }

  private static Health health(Workflow wf) {
    return health(tree(wf));
  }

  private static Health health(Map<String, Object> obj) {
    return ArgoCdHealth.of(script, obj);
  }
}
