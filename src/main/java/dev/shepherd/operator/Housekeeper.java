package dev.shepherd.operator;

import dev.shepherd.api.Executor;
import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.PodGC;
import dev.shepherd.api.PodGCStrategy;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Housekeeping;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link Housekeeping}'s decisions after each pass: deletes the Pods the workflow's
 * {@code podGC} lets go, and the Workflow once its time to live is up, and wakes the controller at
 * that time.
 *
 * <p>It decides on the status as written, never on a pass's unwritten one: a Pod deleted before the
 * status that records its end was stored would be found missing by the next pass, and its step
 * failed as PodDeleted.
 */
final class Housekeeper {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);

  private final Clock clock;
  private final Duration defaultTtl;

  /**
   * @param defaultTtl the time to live of a finished Workflow whose spec sets none; null for none
   */
  Housekeeper(Clock clock, Duration defaultTtl) {
    this.clock = clock;
    this.defaultTtl = defaultTtl;
  }

  /**
   * After a pass over {@code workflow} that returned {@code control}: what the pass wrote is in the
   * controller's cache, and that is what the housekeeping decides on.
   */
  UpdateControl<Workflow> afterPass(
      Workflow workflow, Context<Workflow> context, UpdateControl<Workflow> control) {
    Workflow latest =
        context.getPrimaryCache().get(ResourceID.fromResource(workflow)).orElse(workflow);
    if (!finished(latest) && supervisorPodEnded(latest, context)) {
      // The supervisor wrote the end itself, and the cache may not have seen it yet; no event of
      // a status write wakes the controller again, so the end is read where it is.
      Workflow stored = context.getClient().resource(latest).get();
      if (stored == null) {
        return control;
      }
      latest = stored;
    }
    WorkflowStatus status = latest.getStatus();
    switch (Housekeeping.ttl(latest.getSpec(), status, defaultTtl, clock.instant())) {
      case Housekeeping.Ttl.Delete d -> {
        delete(latest, context);
        return UpdateControl.noUpdate();
      }
      case Housekeeping.Ttl.WakeAt wake -> {
        Duration delay = Duration.between(clock.instant(), wake.at());
        if (control.getScheduleDelay().map(ms -> ms > delay.toMillis()).orElse(true)) {
          control.rescheduleAfter(delay);
        }
      }
      case Housekeeping.Ttl.Keep k -> {}
    }
    collectPods(latest, status, context);
    return control;
  }

  /**
   * In the background: the Workflow goes at once, and the garbage collector then deletes its Pods,
   * claims and the supervisor's ServiceAccount, Role and RoleBinding through their ownerReferences.
   * Only this Workflow: one created again under its name has another uid.
   */
  private static void delete(Workflow workflow, Context<Workflow> context) {
    LOG.info(
        "Workflow {}/{} finished at {}; its time to live is up, deleting it",
        workflow.getMetadata().getNamespace(),
        workflow.getMetadata().getName(),
        workflow.getStatus().finishedAt);
    context
        .getClient()
        .resource(workflow)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  private static void collectPods(
      Workflow workflow, WorkflowStatus status, Context<Workflow> context) {
    PodGCStrategy strategy =
        workflow.getSpec() == null
            ? PodGCStrategy.Never
            : PodGC.strategyOf(workflow.getSpec().podGC);
    if (strategy == PodGCStrategy.Never || status == null) {
      return;
    }
    boolean supervisor = workflow.getSpec().executorOrDefault() == Executor.SUPERVISOR;
    String supervisorPod =
        SupervisorPodBuilder.podName(workflow.getMetadata().getName(), status.runningRetry());
    for (Pod pod : WorkflowPods.byName(context).values()) {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      boolean mayGo;
      if (supervisor) {
        mayGo =
            pod.getMetadata().getName().equals(supervisorPod)
                && Housekeeping.supervisorPodMayGo(strategy, status, ended(pod));
      } else {
        String run = runName(pod.getMetadata().getLabels());
        Integer attempt = attempt(pod.getMetadata().getLabels());
        mayGo =
            run != null
                && attempt != null
                && Housekeeping.stepPodMayGo(
                    strategy, status, run, attempt, "Succeeded".equals(phase));
      }
      if (mayGo) {
        context.getClient().resource(pod).delete();
      }
    }
  }

  private static boolean finished(Workflow workflow) {
    WorkflowStatus status = workflow.getStatus();
    return status != null && status.phase != null && status.phase.isFinal();
  }

  /** Whether the supervisor Pod has ended, for a workflow with housekeeping to do at its end. */
  private boolean supervisorPodEnded(Workflow workflow, Context<Workflow> context) {
    if (workflow.getSpec() == null
        || workflow.getSpec().executorOrDefault() != Executor.SUPERVISOR
        || PodGC.strategyOf(workflow.getSpec().podGC) == PodGCStrategy.Never
            && workflow.getSpec().ttlSecondsAfterFinished == null
            && defaultTtl == null) {
      return false;
    }
    WorkflowStatus status = workflow.getStatus();
    long run = status == null ? 0 : status.runningRetry();
    Pod pod =
        WorkflowPods.byName(context)
            .get(SupervisorPodBuilder.podName(workflow.getMetadata().getName(), run));
    return pod != null && ended(pod);
  }

  private static boolean ended(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** The step or loop instance a step Pod ran, from its labels; null for another Pod. */
  private static String runName(Map<String, String> labels) {
    String step = labels == null ? null : labels.get(StepPodBuilder.STEP_LABEL);
    if (step == null) {
      return null;
    }
    String item = labels.get(StepPodBuilder.ITEM_LABEL);
    if (item == null) {
      return step;
    }
    Integer index = parse(item);
    return index == null ? null : LoopStatus.instanceName(step, index);
  }

  private static Integer attempt(Map<String, String> labels) {
    String attempt = labels == null ? null : labels.get(StepPodBuilder.ATTEMPT_LABEL);
    return attempt == null ? null : parse(attempt);
  }

  private static Integer parse(String number) {
    try {
      return Integer.parseInt(number);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
