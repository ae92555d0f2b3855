package dev.shepherd.operator;

import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.StatusPatch;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code executor: supervisor}: one Pod per workflow ({@link SupervisorPodBuilder}), in which the
 * shepherd supervisor runs every step and writes the status itself.
 *
 * <h2>Who writes which status field</h2>
 *
 * Two writers share the status, so each owns fields and never writes the other's:
 *
 * <ul>
 *   <li>The <b>supervisor</b> owns {@code phase, progress, startedAt, finishedAt, message, steps,
 *       abortReason, abortMessage, conditions} while its Pod lives. It writes them with a JSON
 *       merge patch of exactly those fields (through its own ServiceAccount, {@link
 *       SupervisorRbac}).
 *   <li>The <b>controller</b> owns {@code observedGeneration} and {@code retries} (the retry
 *       requests it takes or refuses) and writes each with a merge patch of that field alone. While
 *       the Pod lives it writes nothing else, and never the whole status.
 *   <li>Once the Pod is terminal (Succeeded, Failed or deleted), or can never start (an image that
 *       can't be pulled), and the status is not final, the controller takes the supervisor's fields
 *       over ({@link SupervisorTakeover}): it reads the Pod's termination message, ends every
 *       unfinished step with the Pod's reason, fails the workflow, and writes exactly those fields
 *       and observedGeneration. A workflow is never left Running forever.
 *   <li>Before the Pod exists (an invalid spec) the controller writes everything, as in pod mode.
 * </ul>
 *
 * Merge patches carry no resourceVersion, so the two never conflict; since they touch disjoint
 * fields, neither undoes the other.
 *
 * <p>A Pod deleted before the supervisor wrote any phase is created again (nothing ran that the
 * status knows of); one deleted later ends the workflow with reason PodDeleted.
 */
final class SupervisorExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisorExecutor.class);

  private final Clock clock;
  private final Engine engine;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final String shepherdImage;
  private final SupervisorTakeover takeover;
  private static final Duration RECENT_END = Duration.ofMinutes(10);

  SupervisorExecutor(
      Clock clock,
      Engine engine,
      EventRecorder events,
      OperatorMetrics metrics,
      String shepherdImage) {
    this.clock = clock;
    this.engine = engine;
    this.events = events;
    this.metrics = metrics;
    this.shepherdImage = shepherdImage;
    this.takeover = new SupervisorTakeover(engine);
  }

  UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
    if (retry(workflow, context)) {
      return UpdateControl.noUpdate();
    }
    WorkflowStatus status = workflow.getStatus();
    long run = status == null ? 0 : status.runningRetry();
    String podName = SupervisorPodBuilder.podName(workflow.getMetadata().getName(), run);
    Pod pod = WorkflowPods.byName(context).get(podName);
    // A phase the concurrency queue wrote (Pending, Queued) is not the supervisor's.
    boolean supervisorReported = status != null && status.phase != null && !Engine.queued(status);

    if (pod == null && !supervisorReported) {
      start(workflow, context, 0);
      return UpdateControl.noUpdate();
    }
    Optional<SupervisorPodOutcome> ending =
        pod == null
            ? Optional.of(SupervisorPodOutcome.deleted(podName))
            : SupervisorPodOutcome.of(pod, clock.instant());
    if (ending.isPresent()) {
      takeOver(workflow, context, ending.get(), podName);
      return UpdateControl.noUpdate();
    }
    writeObservedGeneration(workflow, context);
    if (workflow.getSpec().cancelRequested()
        && !SupervisorPodBuilder.runsCancel(pod)
        && pod.getMetadata().getDeletionTimestamp() == null) {
      // The supervisor runs a spec from before the cancel: SIGTERM (the Pod's deletion) has it
      // stop the running steps, skip the rest, run the finally steps and report Cancelled.
      context.getClient().pods().resource(pod).delete();
      events.record(
          workflow,
          EventReason.Cancelling,
          "Cancelling: spec.cancel is true; stopping supervisor Pod " + podName + ".");
    }
    UpdateControl<Workflow> control = UpdateControl.noUpdate();
    Instant pullDeadline = SupervisorPodOutcome.pullDeadline(pod);
    if (pullDeadline != null) {
      Duration delay = Duration.between(clock.instant(), pullDeadline);
      control.rescheduleAfter(delay.isNegative() ? Duration.ZERO : delay.plusMillis(50));
    }
    return control;
  }

  /**
   * Validates the spec, then creates the ServiceAccount, Role, RoleBinding, the workspace's claim
   * and the Pod, in that order. A claim or Pod that the API server refuses as invalid fails the
   * workflow as an invalid spec does.
   */
  private void start(Workflow workflow, Context<Workflow> context, long retry) {
    KubernetesClient client = context.getClient();
    List<Problem> problems =
        SpecValidation.problems(workflow.getSpec(), SpecValidation.Target.SUPERVISOR);
    if (problems.isEmpty()) {
      problems =
          SupervisorRbac.problems(
              context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow());
    }
    if (problems.isEmpty()) {
      problems = WorkspaceClaim.ensure(workflow, client).stream().toList();
    }
    Pod pod = null;
    if (problems.isEmpty()) {
      pod = SupervisorPodBuilder.build(workflow, shepherdImage, retry);
      try {
        if (WorkflowPods.create(workflow, pod, context)) {
          metrics.podCreated();
        }
      } catch (WorkflowPods.Refused e) {
        problems = List.of(e.problem);
      }
    }
    if (!problems.isEmpty()) {
      // No Pod: the controller owns the whole status.
      WorkflowStatus status =
          workflow.getStatus() == null
              ? new WorkflowStatus()
              : client.getKubernetesSerialization().clone(workflow.getStatus());
      engine.reject(status, problems, workflow.generationOrZero());
      events.record(workflow, EventReason.InvalidSpec, status.message);
      metrics.workflowFinished(status.phase);
      StatusWriter.replace(workflow, context, status);
      return;
    }
    if (retry > 0) {
      return; // the retry's Event says it
    }
    events.record(
        workflow,
        EventReason.Started,
        "Started the supervisor Pod "
            + pod.getMetadata().getName()
            + " for "
            + workflow.getSpec().steps.size()
            + " steps.");
    metrics.workflowStarted();
    writeObservedGeneration(workflow, context);
  }

  /**
   * A retry in place that the status has not recorded ({@code spec.retryGeneration}): the
   * controller takes or refuses it, as {@link Engine#retry} decides, and writes the record. A retry
   * it takes happens while no supervisor runs (the workflow ended): it writes the reset status (the
   * supervisor's fields too, which it owns then) and starts the supervisor of the retry's run,
   * which goes on from that status. Returns whether it took one.
   */
  private boolean retry(Workflow workflow, Context<Workflow> context) {
    WorkflowStatus stored = workflow.getStatus();
    if (!Engine.retryAsked(workflow.getSpec(), stored)) {
      return false;
    }
    KubernetesSerialization json = context.getClient().getKubernetesSerialization();
    WorkflowStatus status = json.clone(stored);
    RetryRecord record = engine.retry(workflow.getSpec(), status, workflow.generationOrZero());
    RetryEvents.record(workflow, record, events);
    Map<String, Object> fields = record.taken() ? fields(status, true) : new LinkedHashMap<>();
    Map<String, Object> tree = StatusWriter.tree(status);
    fields.put("retries", tree.get("retries"));
    Workflow written = StatusWriter.patch(workflow, context, fields);
    if (!record.taken()) {
      return false;
    }
    Workflow retried = json.clone(workflow);
    retried.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    retried.setStatus(status);
    start(retried, context, record.generation);
    return true;
  }

  /**
   * The supervisor writes the end of a workflow itself; the controller sees it when the Pod ends
   * and records the Event then. Only for a recent end: after an operator restart, old workflows
   * would otherwise cost a request each.
   */
  void recordEnd(Workflow workflow) {
    WorkflowStatus status = workflow.getStatus();
    Instant finished = status.finishedAt == null ? null : Instant.parse(status.finishedAt);
    if (finished != null && finished.isAfter(clock.instant().minus(RECENT_END))) {
      events.record(
          workflow,
          status.phase == WorkflowPhase.Succeeded ? EventReason.Succeeded : EventReason.Failed,
          status.message);
    }
  }

  private void takeOver(
      Workflow cached, Context<Workflow> context, SupervisorPodOutcome ending, String podName) {
    KubernetesClient client = context.getClient();
    String namespace = cached.getMetadata().getNamespace();
    // Decide on the latest status, not the informer's copy: the supervisor may have just finished.
    Workflow workflow =
        client
            .resources(Workflow.class)
            .inNamespace(namespace)
            .withName(cached.getMetadata().getName())
            .get();
    if (workflow == null) {
      return;
    }
    WorkflowStatus stored = workflow.getStatus();
    if (stored == null || stored.phase == null || !stored.phase.isFinal()) {
      KubernetesSerialization json = client.getKubernetesSerialization();
      WorkflowStatus status =
          takeover.takeOver(
              TemplateResolution.pinned(workflow, json),
              stored,
              ending,
              workflow.generationOrZero(),
              json);
      status.observedGeneration = workflow.generationOrZero();
      StatusWriter.patch(cached, context, fields(status, true));
      LOG.info(
          "Workflow {}/{}: supervisor Pod {} ended ({}) before the workflow did; it is {} now",
          namespace,
          workflow.getMetadata().getName(),
          podName,
          ending.reason(),
          status.phase);
      if (status.phase != null && status.phase.isFinal()) {
        metrics.workflowFinished(status.phase);
        events.record(
            workflow,
            status.phase == WorkflowPhase.Succeeded ? EventReason.Succeeded : EventReason.Failed,
            status.message);
      }
    }
    if (ending.podLives()) {
      client.pods().inNamespace(namespace).withName(podName).delete();
    }
  }

  private void writeObservedGeneration(Workflow workflow, Context<Workflow> context) {
    long generation = workflow.generationOrZero();
    WorkflowStatus status = workflow.getStatus();
    if (status != null
        && status.observedGeneration != null
        && status.observedGeneration == generation) {
      return;
    }
    StatusWriter.patch(workflow, context, Map.of(StatusPatch.OBSERVED_GENERATION, generation));
  }

  /**
   * The supervisor's fields of {@code status} (absent ones as null, to remove them), and maybe
   * observedGeneration.
   */
  static Map<String, Object> fields(WorkflowStatus status, boolean withGeneration) {
    Map<String, Object> fields = StatusPatch.owned(StatusWriter.tree(status));
    if (withGeneration) {
      fields.put(StatusPatch.OBSERVED_GENERATION, status.observedGeneration);
    }
    return fields;
  }
}
