package dev.shepherd.operator;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.StepInvocation;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Pod of one attempt of one step (pod executor). Its name is a function of workflow, step and
 * attempt, so a repeated reconcile finds the Pod it made instead of making another.
 */
public final class StepPodBuilder {
  public static final String WORKFLOW_LABEL = "shepherd.dev/workflow";
  public static final String STEP_LABEL = "shepherd.dev/step";
  public static final String ATTEMPT_LABEL = "shepherd.dev/attempt";
  public static final String ITEM_LABEL = "shepherd.dev/item";

  /** On the Pods of a retry in place: its {@code spec.retryGeneration}. */
  public static final String RETRY_LABEL = "shepherd.dev/retry";

  public static final String CONTAINER = "step";

  /**
   * The step's {@code SHEPHERD_OUTPUT}: the kubelet carries what the step writes there into the
   * container's termination message when it exits, so the outputs need no volume, no sidecar and no
   * API access from the step. On a failure without outputs the message is the log's last lines
   * instead (FallbackToLogsOnError).
   */
  public static final String OUTPUT_FILE = "/dev/termination-log";

  static final int MAX_NAME = 63;

  private StepPodBuilder() {}

  /** The Pod of attempt {@code attempt} of a step that is not a loop instance, in the first run. */
  public static Pod build(Workflow workflow, Step step, int attempt) {
    return build(workflow, step.name, step, attempt, 0);
  }

  /**
   * The Pod of attempt {@code attempt} run under {@code runName} (a step's name, or a loop
   * instance's, as {@link dev.shepherd.engine.StepStart#step} gives it), running {@code step}, in
   * the run of retry {@code retry} ({@link dev.shepherd.api.WorkflowStatus#runningRetry}).
   */
  public static Pod build(Workflow workflow, String runName, Step step, int attempt, long retry) {
    WorkflowSpec spec = workflow.getSpec();
    String name = podName(workflow.getMetadata().getName(), runName, attempt, retry);
    // The command and args stay apart, and valueFrom entries as they are: the kubelet resolves
    // them.
    StepInvocation invocation =
        StepInvocation.of(workflow.getMetadata().getName(), spec, step, attempt, OUTPUT_FILE);
    Container container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(step.image != null ? step.image : spec.image)
            .withCommand(invocation.command())
            .withArgs(invocation.args())
            .withWorkingDir(invocation.workingDir())
            .withResources(step.resources)
            .withEnv(invocation.env())
            .withTerminationMessagePath(OUTPUT_FILE)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(
                spec.securityContext != null ? spec.securityContext : restrictedContainer())
            .build();
    String sa = spec.serviceAccountName;
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(workflow.getMetadata().getNamespace())
            .withLabels(labels(workflow, runName, attempt, retry))
            .withOwnerReferences(ownerReference(workflow))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withActiveDeadlineSeconds(step.timeoutSeconds)
            .withServiceAccountName(sa)
            // A step without a ServiceAccount of its own gets no API token.
            .withAutomountServiceAccountToken(sa != null ? null : Boolean.FALSE)
            .withEnableServiceLinks(false)
            // The pause container becomes PID 1 and reaps the orphans a step's command leaves
            // behind.
            .withShareProcessNamespace(true)
            .withSecurityContext(
                spec.podSecurityContext != null ? spec.podSecurityContext : restrictedPod())
            .withContainers(container)
            .endSpec()
            .build();
    WorkflowPodTemplate.apply(workflow, pod, List.of(step));
    return pod;
  }

  /**
   * {@code <workflow>-<step>-<attempt>}, and for a loop instance {@code
   * <workflow>-<step>-<item>-<hash>-<attempt>}; when longer than 63 characters, the start of {@code
   * <workflow>-<step>} and a hash of all of it, so distinct steps never share a name.
   *
   * @param runName a step's name, or a loop instance's ({@link LoopStatus#instanceName})
   */
  public static String podName(String workflow, String runName, int attempt) {
    return podName(workflow, runName, attempt, 0);
  }

  /**
   * {@link #podName(String, String, int)}, with {@code -retry<retry>} at the end in a retry's run.
   * A name of the first run ends in a number, one of a retry's run in that word: the two can't be
   * the same.
   */
  public static String podName(String workflow, String runName, int attempt, long retry) {
    String suffix = "-" + attempt + (retry > 0 ? "-retry" + retry : "");
    String step = runName;
    int item = LoopStatus.indexOf(runName);
    if (item >= 0) {
      // A Pod name has no brackets; the hash keeps instance a[1] apart from a step named a-1.
      suffix = "-" + item + "-" + ShortHash.of(runName, 5) + suffix;
      step = LoopStatus.stepOf(runName);
    }
    String base = workflow + "-" + step;
    if (base.length() + suffix.length() <= MAX_NAME) {
      return base + suffix;
    }
    return shorten(base, MAX_NAME - suffix.length()) + suffix;
  }

  /** A label value may hold at most 63 characters; longer names are shortened with a hash. */
  public static String labelValue(String value) {
    return value.length() <= MAX_NAME ? value : shorten(value, MAX_NAME);
  }

  private static String shorten(String value, int max) {
    String hash = ShortHash.of(value, 5);
    String head = value.substring(0, max - hash.length() - 1);
    while (!head.isEmpty() && !Character.isLetterOrDigit(head.charAt(head.length() - 1))) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "-" + hash;
  }

  static Map<String, String> labels(Workflow workflow, String runName, int attempt, long retry) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "shepherd");
    labels.put(WORKFLOW_LABEL, labelValue(workflow.getMetadata().getName()));
    labels.put(STEP_LABEL, LoopStatus.stepOf(runName));
    int item = LoopStatus.indexOf(runName);
    if (item >= 0) {
      labels.put(ITEM_LABEL, Integer.toString(item));
    }
    labels.put(ATTEMPT_LABEL, Integer.toString(attempt));
    if (retry > 0) {
      labels.put(RETRY_LABEL, Long.toString(retry));
    }
    return labels;
  }

  /**
   * The controller reference to {@code owner} (a Workflow, or the CronWorkflow of a Workflow),
   * which the garbage collector follows.
   */
  static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  static PodSecurityContext restrictedPod() {
    return new PodSecurityContextBuilder()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }
}
