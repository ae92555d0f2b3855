package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import dev.shepherd.engine.Problem;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.RecentOperationCacheFiller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A workflow's Pods as the operator knows them: those its informer has seen, and those it created
 * itself, which the Pod event source keeps until the informer sees them too. So a pass never takes
 * a Pod made moments ago for a deleted one, and never asks the API server for a Pod.
 */
final class WorkflowPods {
  private static final Logger LOG = LoggerFactory.getLogger(WorkflowPods.class);

  private WorkflowPods() {}

  static Map<String, Pod> byName(Context<Workflow> context) {
    Map<String, Pod> pods = new HashMap<>();
    for (Pod pod : context.getSecondaryResources(Pod.class)) {
      pods.put(pod.getMetadata().getName(), pod);
    }
    return pods;
  }

  /** The API server refused a Pod as invalid: a problem of the spec ({@link Invalid}). */
  static final class Refused extends Exception {
    final transient Problem problem;

    Refused(Problem problem) {
      super(problem.message(), null, false, false);
      this.problem = problem;
    }
  }

  /**
   * Creates {@code pod} and hands it to the Pod event source. A Pod of that name that exists
   * already was made by an earlier pass that ended before its status write: it is adopted.
   *
   * @return whether the Pod was created (false: adopted)
   * @throws Refused if the API server refused the Pod as invalid
   */
  static boolean create(Workflow workflow, Pod pod, Context<Workflow> context) throws Refused {
    Pod created;
    try {
      created =
          context
              .getClient()
              .pods()
              .inNamespace(workflow.getMetadata().getNamespace())
              .resource(pod)
              .create();
    } catch (KubernetesClientException e) {
      if (Invalid.is(e)) {
        throw new Refused(
            Invalid.problem(
                e,
                pod,
                field -> WorkflowPodTemplate.workflowField(workflow, pod, field),
                pod.getMetadata().getLabels().get(StepPodBuilder.STEP_LABEL)));
      }
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.debug("Pod {} already exists; adopting it", pod.getMetadata().getName());
      return false;
    }
    cache(context).handleRecentResourceCreate(ResourceID.fromResource(workflow), created);
    return true;
  }

  @SuppressWarnings("unchecked")
  private static RecentOperationCacheFiller<Pod> cache(Context<Workflow> context) {
    return (RecentOperationCacheFiller<Pod>)
        context.eventSourceRetriever().getEventSourceFor(Pod.class);
  }
}
