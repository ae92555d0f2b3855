package dev.shepherd.operator;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Abort;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Outcome;
import dev.shepherd.engine.Plan;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.Reason;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.engine.StepStart;
import dev.shepherd.engine.WorkflowRef;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code executor: pod}: one Pod per step attempt. Observe the step Pods, validate the spec, then
 * let the {@link Engine} decide and carry out its plan. All workflow semantics live in the engine;
 * this class only translates between Pods and the engine's vocabulary, and writes the status once
 * per pass, through the status subresource.
 */
final class PodExecutor {
  private final Clock clock;
  private final Engine engine;
  private final EventRecorder events;
  private final OperatorMetrics metrics;

  PodExecutor(Clock clock, Engine engine, EventRecorder events, OperatorMetrics metrics) {
    this.clock = clock;
    this.engine = engine;
    this.events = events;
    this.metrics = metrics;
  }

  UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
    WorkflowStatus current = workflow.getStatus();
    KubernetesClient client = context.getClient();
    KubernetesSerialization json = client.getKubernetesSerialization();
    WorkflowStatus status = current == null ? new WorkflowStatus() : json.clone(current);
    String before = json.asJson(status);
    boolean wasStarted = status.startedAt != null;
    WorkflowPhase phaseBefore = status.phase;

    RetryEvents.record(
        workflow, engine.retry(workflow.getSpec(), status, workflow.generationOrZero()), events);
    List<Problem> problems = SpecValidation.problems(workflow.getSpec(), SpecValidation.Target.POD);
    Plan plan = Plan.NOTHING;
    if (!problems.isEmpty()) {
      if (phaseBefore == null || !phaseBefore.isFinal()) {
        engine.reject(status, problems, workflow.generationOrZero());
        events.record(workflow, EventReason.InvalidSpec, status.message);
      }
    } else {
      Map<String, String> runningPods = observe(workflow, status, context);
      plan =
          engine.plan(
              new WorkflowRef(
                  workflow.getMetadata().getName(), workflow.getMetadata().getNamespace()),
              workflow.getSpec(),
              status,
              workflow.generationOrZero());
      problems = act(workflow, status, plan, runningPods, !wasStarted, context);
      if (!problems.isEmpty()) {
        refused(workflow, status, problems, context);
        plan = Plan.NOTHING;
      }
    }

    if (!wasStarted && status.startedAt != null && problems.isEmpty()) {
      metrics.workflowStarted();
      events.record(
          workflow,
          EventReason.Started,
          "Started the workflow: " + status.steps.size() + " steps.");
    }
    if (status.phase != null && status.phase.isFinal() && status.phase != phaseBefore) {
      metrics.workflowFinished(status.phase);
      if (problems.isEmpty()) {
        events.record(
            workflow,
            status.phase == WorkflowPhase.Succeeded ? EventReason.Succeeded : EventReason.Failed,
            status.message);
      }
    }
    if (!json.asJson(status).equals(before)) {
      StatusWriter.replace(workflow, context, status);
    }
    UpdateControl<Workflow> control = UpdateControl.noUpdate();
    if (plan.wakeAt() != null) {
      Duration delay = Duration.between(clock.instant(), plan.wakeAt());
      control.rescheduleAfter(delay.isNegative() ? Duration.ZERO : delay.plusMillis(50));
    }
    return control;
  }

  /**
   * Reports to the engine each running step whose Pod has ended. Returns the Pod of every step that
   * was running, so that a step the plan stops can have its Pod deleted.
   */
  private Map<String, String> observe(
      Workflow workflow, WorkflowStatus status, Context<Workflow> context) {
    Map<String, Pod> pods = WorkflowPods.byName(context);
    Map<String, String> runningPods = new HashMap<>();
    for (RunStatus st : status.running()) {
      String podName =
          st.podName != null
              ? st.podName
              : StepPodBuilder.podName(
                  workflow.getMetadata().getName(),
                  st.name,
                  st.attemptsOrZero(),
                  status.runningRetry());
      runningPods.put(st.name, podName);
      Pod pod = pods.get(podName);
      Outcome outcome =
          pod == null
              ? new Outcome(
                  null, "PodDeleted", "Pod " + podName + " was deleted before the step finished.")
              : PodOutcome.of(pod).orElse(null);
      if (outcome != null
          && engine.finished(workflow.getSpec(), status, st.name, st.attemptsOrZero(), outcome)) {
        metrics.stepAttemptEnded(outcome.succeeded());
        if (!outcome.succeeded()) {
          events.record(workflow, EventReason.StepFailed, describeFailure(st));
        }
      }
    }
    return runningPods;
  }

  /**
   * Carries out the plan: stops what it stops, and starts its steps, the first of them after the
   * workspace's claim. Returns the problems of the spec that the API server found in the objects it
   * makes (empty when there are none), after which nothing more is created.
   */
  private List<Problem> act(
      Workflow workflow,
      WorkflowStatus status,
      Plan plan,
      Map<String, String> runningPods,
      boolean firstStart,
      Context<Workflow> context) {
    KubernetesClient client = context.getClient();
    String namespace = workflow.getMetadata().getNamespace();
    for (String step : plan.stop()) {
      String podName = runningPods.get(step);
      if (podName != null) {
        client.pods().inNamespace(namespace).withName(podName).delete();
      }
      RunStatus stopped = status.entry(step);
      if (stopped != null) { // else a loop instance's entry the status no longer keeps
        events.record(workflow, EventReason.StepFailed, describeFailure(stopped));
      }
    }
    if (firstStart && !plan.start().isEmpty()) {
      Optional<Problem> claim = WorkspaceClaim.ensure(workflow, client);
      if (claim.isPresent()) {
        return List.of(claim.get());
      }
    }
    for (StepStart start : plan.start()) {
      Pod pod =
          StepPodBuilder.build(
              workflow, start.step(), start.run(), start.attempt(), status.runningRetry());
      try {
        if (WorkflowPods.create(workflow, pod, context)) {
          metrics.podCreated();
        }
      } catch (WorkflowPods.Refused e) {
        return List.of(e.problem);
      }
      if (LoopStatus.indexOf(start.step()) < 0) {
        // A loop instance's Pod name is found from its name and attempt: at thousands of
        // instances, the status has no room for it.
        status.entry(start.step()).podName = pod.getMetadata().getName();
      }
    }
    return List.of();
  }

  /**
   * The API server refused an object made from the spec: the workflow fails with reason
   * InvalidSpec, as for a problem found before the start, and what runs already is stopped.
   */
  private void refused(
      Workflow workflow, WorkflowStatus status, List<Problem> problems, Context<Workflow> context) {
    String why = String.join(" ", problems.stream().map(Problem::message).toList());
    Abort abort =
        new Abort(
            Reason.InvalidSpec,
            Reason.InvalidSpec.name(),
            why,
            "Stopped: " + why,
            "Invalid spec: " + why,
            name -> true);
    Plan stop = engine.abort(workflow.getSpec(), status, abort, workflow.generationOrZero());
    for (String step : stop.stop()) {
      String podName = status.step(step).podName;
      if (podName != null) {
        context
            .getClient()
            .pods()
            .inNamespace(workflow.getMetadata().getNamespace())
            .withName(podName)
            .delete();
      }
    }
    events.record(workflow, EventReason.InvalidSpec, status.message);
  }

  private static String describeFailure(RunStatus st) {
    StringBuilder m =
        new StringBuilder("Step ")
            .append(st.name)
            .append(" attempt ")
            .append(st.attemptsOrZero())
            .append(" failed");
    if (st.exitCode != null) {
      m.append(" with exit code ").append(st.exitCode);
    }
    if (st.reason != null) {
      m.append(" (").append(st.reason).append(')');
    }
    m.append(st.phase == StepPhase.Retrying ? "; it will be retried." : ".");
    return m.toString();
  }
}
