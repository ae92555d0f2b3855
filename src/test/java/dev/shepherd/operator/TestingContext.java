package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.dependent.RecentOperationCacheFiller;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowCleanupResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * A JOSDK {@link Context} for one executor pass without a running Operator: the client talks to a
 * {@link TestingCluster}, and the informers are fakes the test controls. {@link #pods} holds what
 * the Pod informer has seen (nothing until the test says so) plus what the operator handed it after
 * a create, as JOSDK's event source does; {@link #written} holds what the operator handed to the
 * Workflow cache after a status write. The managed workflow (the supervisor's RBAC objects) is
 * counted, not run: the end-to-end tests create those objects.
 */
final class TestingContext implements Context<Workflow> {
  final KubernetesClient client;
  final PodInformer pods = new PodInformer();
  final List<Workflow> written = new ArrayList<>();
  int managedWorkflowRuns;
  private final ControllerEventSource<Workflow> controllerSource;
  private Workflow primary;

  TestingContext(KubernetesClient client) {
    this.client = client;
    this.controllerSource =
        new WorkflowCache(new Controller<>(new Idle(), CONFIGURATION, client), written);
  }

  /** This context for a pass over {@code workflow}. */
  TestingContext pass(Workflow workflow) {
    this.primary = workflow;
    return this;
  }

  @Override
  public Workflow getPrimaryResource() {
    return primary;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R> Set<R> getSecondaryResources(Class<R> type) {
    return type == Pod.class ? (Set<R>) pods.getSecondaryResources(primary) : Set.of();
  }

  @Override
  public <R> Optional<R> getSecondaryResource(Class<R> type, String eventSourceName) {
    return getSecondaryResources(type).stream().findFirst();
  }

  @Override
  public KubernetesClient getClient() {
    return client;
  }

  @Override
  public EventSourceRetriever<Workflow> eventSourceRetriever() {
    return new EventSourceRetriever<>() {
      @Override
      @SuppressWarnings("unchecked")
      public <R> EventSource<R, Workflow> getEventSourceFor(Class<R> type, String name) {
        if (type != Pod.class) {
          throw new IllegalArgumentException("no event source for " + type);
        }
        return (EventSource<R, Workflow>) pods;
      }

      @Override
      public <R> List<EventSource<R, Workflow>> getEventSourcesFor(Class<R> type) {
        return List.of(getEventSourceFor(type));
      }

      @Override
      public ControllerEventSource<Workflow> getControllerEventSource() {
        return controllerSource;
      }

      @Override
      public <R> EventSource<R, Workflow> dynamicallyRegisterEventSource(
          EventSource<R, Workflow> eventSource) {
        throw new UnsupportedOperationException();
      }

      @Override
      public <R> Optional<EventSource<R, Workflow>> dynamicallyDeRegisterEventSource(String name) {
        throw new UnsupportedOperationException();
      }

      @Override
      public EventSourceContext<Workflow> eventSourceContextForDynamicRegistration() {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Override
  public ManagedWorkflowAndDependentResourceContext managedWorkflowAndDependentResourceContext() {
    return new ManagedWorkflowAndDependentResourceContext() {
      @Override
      public WorkflowReconcileResult reconcileManagedWorkflow() {
        managedWorkflowRuns++;
        return WorkflowReconcileResult.EMPTY;
      }

      @Override
      public <T> Optional<T> get(Object key, Class<T> type) {
        return Optional.empty();
      }

      @Override
      public <T> T put(Object key, T value) {
        throw new UnsupportedOperationException();
      }

      @Override
      public <T> T getMandatory(Object key, Class<T> type) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Optional<WorkflowReconcileResult> getWorkflowReconcileResult() {
        return Optional.empty();
      }

      @Override
      public Optional<WorkflowCleanupResult> getWorkflowCleanupResult() {
        return Optional.empty();
      }

      @Override
      public WorkflowCleanupResult cleanupManageWorkflow() {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Override
  public ControllerConfiguration<Workflow> getControllerConfiguration() {
    return CONFIGURATION;
  }

  @Override
  public Optional<RetryInfo> getRetryInfo() {
    return Optional.empty();
  }

  @Override
  public ExecutorService getWorkflowExecutorService() {
    throw new UnsupportedOperationException();
  }

  @Override
  public IndexedResourceCache<Workflow> getPrimaryCache() {
    return controllerSource;
  }

  @Override
  public boolean isNextReconciliationImminent() {
    return false;
  }

  @Override
  public boolean isPrimaryResourceDeleted() {
    return false;
  }

  @Override
  public boolean isPrimaryResourceFinalStateUnknown() {
    return false;
  }

  /**
   * The Pod informer: the Pods it has seen ({@link #see}), overlaid with those the operator handed
   * it, which it keeps until it has seen them at that resourceVersion or later.
   */
  static final class PodInformer extends AbstractEventSource<Pod, Workflow>
      implements RecentOperationCacheFiller<Pod> {
    private final Map<String, Pod> seen = new LinkedHashMap<>();
    private final Map<String, Pod> recent = new LinkedHashMap<>();

    PodInformer() {
      super(Pod.class);
    }

    /** The informer receives {@code pod}, as from a watch event. */
    void see(Pod pod) {
      String name = pod.getMetadata().getName();
      seen.put(name, pod);
      Pod mine = recent.get(name);
      if (mine != null && version(pod) >= version(mine)) {
        recent.remove(name);
      }
    }

    @Override
    public Set<Pod> getSecondaryResources(Workflow workflow) {
      Map<String, Pod> all = new LinkedHashMap<>(seen);
      all.putAll(recent);
      Set<Pod> owned = new HashSet<>();
      for (Pod pod : all.values()) {
        if (SupervisorRbac.ownedBy(pod, workflow)) {
          owned.add(pod);
        }
      }
      return owned;
    }

    @Override
    public void handleRecentResourceCreate(ResourceID primary, Pod pod) {
      recent.put(pod.getMetadata().getName(), pod);
    }

    @Override
    public void handleRecentResourceUpdate(ResourceID primary, Pod pod, Pod previous) {
      recent.put(pod.getMetadata().getName(), pod);
    }

    private static long version(Pod pod) {
      return Long.parseLong(pod.getMetadata().getResourceVersion());
    }
  }

  /** JOSDK's Workflow cache, reduced to remembering what the operator handed it. */
  private static final class WorkflowCache extends ControllerEventSource<Workflow> {
    private final List<Workflow> written;

    WorkflowCache(Controller<Workflow> controller, List<Workflow> written) {
      super(controller);
      this.written = written;
    }

    @Override
    public void handleRecentResourceUpdate(ResourceID id, Workflow workflow, Workflow previous) {
      written.add(workflow);
    }

    @Override
    public void handleRecentResourceCreate(ResourceID id, Workflow workflow) {
      throw new UnsupportedOperationException("the operator never creates a Workflow");
    }

    /** The last Workflow the operator wrote under {@code id}: the pass's primary is not kept. */
    @Override
    public Optional<Workflow> get(ResourceID id) {
      for (Workflow w : written.reversed()) {
        if (ResourceID.fromResource(w).equals(id)) {
          return Optional.of(w);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A reconciler that only gives {@link WorkflowCache} the configuration of a Workflow controller.
   */
  @io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration(name = "testing")
  static final class Idle implements Reconciler<Workflow> {
    @Override
    public UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
      return UpdateControl.noUpdate();
    }
  }

  private static final ControllerConfiguration<Workflow> CONFIGURATION =
      new BaseConfigurationService().getConfigurationFor(new Idle());
}
