package dev.shepherd.operator;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Engine;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Workflow controller: it watches Workflows and the Pods they own, acknowledges edits of
 * finished workflows, and hands every other pass to the executor the spec names: {@link
 * PodExecutor} (one Pod per step attempt) or {@link SupervisorExecutor} (one Pod per workflow,
 * whose supervisor writes the status itself).
 *
 * <p>The managed workflow holds the supervisor's ServiceAccount, Role and RoleBinding ({@link
 * SupervisorRbac}); it runs only when {@link SupervisorExecutor} starts a workflow, after the spec
 * was found valid, and its errors come back to the executor as the pass's result.
 */
@ControllerConfiguration(name = "workflow")
@io.javaoperatorsdk.operator.api.reconciler.Workflow(
    explicitInvocation = true,
    handleExceptionsInReconciler = true,
    dependents = {
      @Dependent(
          name = SupervisorRbac.SERVICE_ACCOUNT,
          type = SupervisorRbac.ServiceAccountDependent.class),
      @Dependent(
          name = SupervisorRbac.ROLE,
          type = SupervisorRbac.RoleDependent.class,
          dependsOn = SupervisorRbac.SERVICE_ACCOUNT),
      @Dependent(
          name = SupervisorRbac.ROLE_BINDING,
          type = SupervisorRbac.RoleBindingDependent.class,
          dependsOn = SupervisorRbac.ROLE)
    })
public class WorkflowReconciler implements Reconciler<Workflow> {
  private final EventRecorder events;
  private final PodExecutor pods;
  private final SupervisorExecutor supervisor;
  private final TemplateResolution templates;
  private final ConcurrencyGate gate;
  private final Housekeeper housekeeper;

  public WorkflowReconciler(Clock clock, EventRecorder events, OperatorMetrics metrics) {
    this(clock, events, metrics, SupervisorPodBuilder.imageFromEnvironment());
  }

  /**
   * @param shepherdImage the image of the supervisor Pods' init container
   */
  public WorkflowReconciler(
      Clock clock, EventRecorder events, OperatorMetrics metrics, String shepherdImage) {
    this(clock, events, metrics, shepherdImage, null);
  }

  /**
   * @param defaultTtl the time to live of a finished Workflow whose spec sets none; null for none
   */
  public WorkflowReconciler(
      Clock clock,
      EventRecorder events,
      OperatorMetrics metrics,
      String shepherdImage,
      Duration defaultTtl) {
    Engine engine = new Engine(clock);
    this.housekeeper = new Housekeeper(clock, defaultTtl);
    this.events = events;
    this.pods = new PodExecutor(clock, engine, events, metrics);
    this.supervisor = new SupervisorExecutor(clock, engine, events, metrics, shepherdImage);
    this.templates = new TemplateResolution(engine, events);
    this.gate = new ConcurrencyGate(engine);
  }

  @Override
  public List<EventSource<?, Workflow>> prepareEventSources(EventSourceContext<Workflow> context) {
    // Step and supervisor Pods map back to their Workflow through the controller ownerReference.
    // Only the Pod changes that can change a decision wake the Workflow (and a deletion, always):
    // a Pod that the operator itself just made, or one that goes Running, would cost a reconcile
    // that finds nothing to do, and those were two of every three.
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, Workflow.class)
            .withLabelSelector(StepPodBuilder.WORKFLOW_LABEL)
            .withOnAddFilter(pod -> false)
            .withOnUpdateFilter(WorkflowReconciler::decisive)
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  /** A Pod update that the executors act on: it ended, or a container waits for a (new) reason. */
  static boolean decisive(Pod newPod, Pod oldPod) {
    String phase = phase(newPod);
    if (("Succeeded".equals(phase) || "Failed".equals(phase)) && !phase.equals(phase(oldPod))) {
      return true;
    }
    return !waitingReasons(newPod).equals(waitingReasons(oldPod))
        && !waitingReasons(newPod).isEmpty();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static java.util.Set<String> waitingReasons(Pod pod) {
    java.util.Set<String> reasons = new java.util.TreeSet<>();
    if (pod.getStatus() != null) {
      for (var list :
          java.util.Arrays.asList(
              pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())) {
        if (list != null) {
          for (var c : list) {
            if (c.getState() != null
                && c.getState().getWaiting() != null
                && c.getState().getWaiting().getReason() != null) {
              reasons.add(c.getName() + "=" + c.getState().getWaiting().getReason());
            }
          }
        }
      }
    }
    return reasons;
  }

  @Override
  public UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
    return housekeeper.afterPass(workflow, context, pass(workflow, context));
  }

  private UpdateControl<Workflow> pass(Workflow workflow, Context<Workflow> context) {
    WorkflowStatus current = workflow.getStatus();
    if (current != null
        && current.phase != null
        && current.phase.isFinal()
        && !Engine.retryAsked(workflow.getSpec(), current)) {
      if (workflow.getSpec() != null
          && workflow.getSpec().executorOrDefault() == Executor.SUPERVISOR) {
        supervisor.recordEnd(workflow);
      }
      return acknowledgeLateEdit(
          workflow, context, context.getClient().getKubernetesSerialization().clone(current));
    }
    Optional<Workflow> resolved = templates.resolve(workflow, context);
    if (resolved.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    Optional<UpdateControl<Workflow>> held = gate.hold(resolved.get(), context);
    if (held.isPresent()) {
      return held.get();
    }
    Executor executor =
        workflow.getSpec() == null ? Executor.POD : workflow.getSpec().executorOrDefault();
    return switch (executor) {
      case POD -> pods.reconcile(resolved.get(), context);
      case SUPERVISOR -> supervisor.reconcile(resolved.get(), context);
    };
  }

  /**
   * A finished workflow never runs again, unless retried ({@code spec.retryGeneration}). A spec
   * edited afterwards (a GitOps tool re-applying a changed manifest, say) is acknowledged through
   * observedGeneration, so kstatus and Argo CD don't wait forever, and a Warning says that the
   * change was not run.
   */
  private UpdateControl<Workflow> acknowledgeLateEdit(
      Workflow workflow, Context<Workflow> context, WorkflowStatus status) {
    long generation = workflow.generationOrZero();
    if (status.observedGeneration != null && status.observedGeneration == generation) {
      return UpdateControl.noUpdate();
    }
    status.observedGeneration = generation;
    status.conditions.forEach(c -> c.setObservedGeneration(generation));
    events.record(
        workflow,
        EventReason.SpecIgnored,
        "The workflow already ended "
            + status.phase
            + "; the spec change of generation "
            + generation
            + " was not run. Create a new Workflow to run it, or retry this one (spec.retryGeneration).");
    StatusWriter.replace(workflow, context, status);
    return UpdateControl.noUpdate();
  }
}
