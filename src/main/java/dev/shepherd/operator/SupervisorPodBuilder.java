package dev.shepherd.operator;

import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import dev.shepherd.api.wire.CarriedManifest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one Pod of a workflow run by the supervisor executor.
 *
 * <p>The supervisor is injected into the user's image, as Argo's emissary and Tekton's entrypoint
 * are: an init container from the shepherd image copies a self-contained runtime (a jlinked Java
 * runtime, the shepherd jar and the {@code bin/shepherd} launcher; see
 * deploy/SUPERVISOR-RUNTIME.md) into an emptyDir at {@value #RUNTIME_DIR}, and the main container
 * runs {@code spec.image} with {@code /shepherd/bin/shepherd supervise} as its command, whatever
 * the image's entrypoint. The supervisor is then PID 1 of that container, runs every step as its
 * child, reaps every orphan, and writes the workflow's status itself (see {@link
 * SupervisorExecutor} for who owns which status field).
 *
 * <p>Step resources: all steps share the one container, so it gets, per resource, the largest
 * request and the largest limit of any step (parallel steps share them).
 *
 * <p>The main container carries the workflow it runs in {@value CarriedManifest#ENV}, a JSON
 * manifest as {@code shepherd run} reads a file (as Argo passes its template to its executor): the
 * supervisor starts its first step without waiting for the API server, and runs the spec the Pod
 * was created for. A manifest over {@link #MANIFEST_MAX_BYTES} is left out (Linux limits one
 * environment string to 128 KiB, etcd the Pod object); the supervisor then reads the Workflow from
 * the API server.
 */
public final class SupervisorPodBuilder {
  public static final String EXECUTOR_LABEL = "shepherd.dev/executor";
  public static final String EXECUTOR = "supervisor";

  /** The container that runs the supervisor and, under it, every step. */
  public static final String CONTAINER = "supervisor";

  public static final String INIT_CONTAINER = "install-shepherd";
  public static final String VOLUME = "shepherd";
  public static final String RUNTIME_DIR = "/shepherd";

  /**
   * An emptyDir for the files the steps write their outputs to (one per attempt, which the
   * supervisor reads and deletes at its end): the runtime's volume is read-only in the main
   * container, and the image's root may be too ({@code readOnlyRootFilesystem}), or have no /tmp at
   * all (scratch, distroless).
   */
  public static final String OUTPUTS_VOLUME = "shepherd-outputs";

  public static final String OUTPUTS_DIR = "/shepherd-outputs";

  /**
   * On a supervisor Pod made from a spec with {@code cancel: true}: its supervisor cancels the
   * workflow itself. A Pod without it runs a spec from before the cancel, so the controller stops
   * it (its supervisor cancels on SIGTERM).
   */
  public static final String CANCELLED_ANNOTATION = "shepherd.dev/cancel";

  /**
   * Whether the supervisor of {@code pod} knows of a cancel (see {@link #CANCELLED_ANNOTATION}).
   */
  static boolean runsCancel(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(CANCELLED_ANNOTATION));
  }

  /** Where the shepherd image keeps the runtime (deploy/Dockerfile). */
  public static final String IMAGE_RUNTIME_DIR = "/opt/shepherd/runtime";

  /**
   * Copies the runtime into the emptyDir. {@code -R}, not {@code -a}: the init container runs as
   * {@link #SHEPHERD_UID} with no capability, and the emptyDir's own directory belongs to root, so
   * preserving its times or mode fails (EPERM) on a real kubelet. The copies get the shepherd
   * user's default modes, readable and (where the source is) executable by every uid; the AOT
   * caches do not depend on the files' times.
   */
  public static final List<String> INIT_COMMAND =
      List.of("cp", "-R", IMAGE_RUNTIME_DIR + "/.", RUNTIME_DIR + "/");

  /** The glibc that the runtime brings (deploy/SUPERVISOR-RUNTIME.md): its loader and libraries. */
  public static final String GLIBC_DIR = RUNTIME_DIR + "/glibc";

  /**
   * The supervisor, started by the runtime's own glibc loader on its own Java, with the JVM options
   * of {@code lib/shepherd.args} and the supervise AOT cache (what {@code bin/shepherd supervise}
   * does, without a shell): nothing of the user's image is needed to start it, so it runs in musl,
   * static and shell-less images too. The loader's library path is an argument, not the
   * environment, so the steps run with the image's own libraries.
   */
  public static final List<String> COMMAND =
      List.of(
          GLIBC_DIR + "/ld-linux-x86-64.so.2",
          "--library-path",
          GLIBC_DIR,
          RUNTIME_DIR + "/bin/java",
          "@" + RUNTIME_DIR + "/lib/shepherd.args",
          "-XX:AOTCache=" + RUNTIME_DIR + "/shepherd-supervise.aot",
          "-cp",
          RUNTIME_DIR + "/shepherd.jar",
          "dev.shepherd.cli.Main",
          "supervise");

  /**
   * HotSpot's suspend/resume signal, moved off SIGUSR2, which the supervisor relays to the steps
   * (bin/shepherd exports the same).
   */
  static final EnvVar SUSPEND_RESUME_SIGNAL = new EnvVar("_JAVA_SR_SIGNUM", "39", null);

  public static final String DEFAULT_IMAGE = "ghcr.io/shepherd-dev/shepherd:0.1.0";

  /** The operator's environment variable that names the shepherd image of the init container. */
  public static final String IMAGE_ENV = "SHEPHERD_IMAGE";

  /**
   * The Pod's activeDeadlineSeconds is the workflow's plus this, so that the supervisor, which
   * enforces the workflow deadline itself, stops the steps and reports before the kubelet kills it.
   */
  public static final long DEADLINE_GRACE_SECONDS = 60;

  /** The largest {@value CarriedManifest#ENV} value, in UTF-8 bytes, as stored in the Pod. */
  public static final int MANIFEST_MAX_BYTES = 64 * 1024;

  /** The uid of the shepherd image's user; the init container always runs as it. */
  static final long SHEPHERD_UID = 65532;

  private SupervisorPodBuilder() {}

  /** The shepherd image from {@value #IMAGE_ENV}, or {@value #DEFAULT_IMAGE}. */
  public static String imageFromEnvironment() {
    String image = System.getenv(IMAGE_ENV);
    return image == null || image.isBlank() ? DEFAULT_IMAGE : image.strip();
  }

  /**
   * {@code <workflow>-supervisor}, shortened with a hash past 63 characters; the name of the Pod,
   * and of its ServiceAccount, Role and RoleBinding.
   */
  public static String name(String workflow) {
    return StepPodBuilder.labelValue(workflow + "-" + EXECUTOR);
  }

  /**
   * The supervisor Pod of a workflow's run: {@link #name} for the first, with {@code -retry<retry>}
   * for the run of a retry in place, so that it never meets the Pod of an earlier run.
   */
  public static String podName(String workflow, long retry) {
    return retry > 0
        ? StepPodBuilder.labelValue(workflow + "-" + EXECUTOR + "-retry" + retry)
        : name(workflow);
  }

  /** The supervisor Pod of the first run. */
  public static Pod build(Workflow workflow, String shepherdImage) {
    return build(workflow, shepherdImage, 0);
  }

  /**
   * The supervisor Pod of the run of retry {@code retry} (0: the first run). A retry's supervisor
   * starts from the stored status ({@value CarriedManifest#RETRY_ENV}), where the steps to run
   * again are Pending.
   */
  public static Pod build(Workflow workflow, String shepherdImage, long retry) {
    WorkflowSpec spec = workflow.getSpec();
    String name = name(workflow.getMetadata().getName());
    String podName = podName(workflow.getMetadata().getName(), retry);
    Container init =
        new ContainerBuilder()
            .withName(INIT_CONTAINER)
            .withImage(shepherdImage)
            .withCommand(INIT_COMMAND)
            .withVolumeMounts(
                new VolumeMountBuilder().withName(VOLUME).withMountPath(RUNTIME_DIR).build())
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(initSecurityContext())
            .withNewResources()
            .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("32Mi")))
            .withLimits(Map.of("memory", new Quantity("128Mi")))
            .endResources()
            .build();
    Container main =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(spec.image)
            .withCommand(COMMAND)
            .withEnv(env(workflow, retry))
            .withResources(resources(spec))
            .withVolumeMounts(
                new VolumeMountBuilder()
                    .withName(VOLUME)
                    .withMountPath(RUNTIME_DIR)
                    .withReadOnly(true)
                    .build(),
                new VolumeMountBuilder()
                    .withName(OUTPUTS_VOLUME)
                    .withMountPath(OUTPUTS_DIR)
                    .build())
            // The supervisor writes its last status there; the controller reads it if the Pod dies.
            .withTerminationMessagePath("/dev/termination-log")
            .withTerminationMessagePolicy("File")
            .withSecurityContext(
                spec.securityContext != null
                    ? spec.securityContext
                    : StepPodBuilder.restrictedContainer())
            .build();
    Long deadline =
        spec.activeDeadlineSeconds == null
            ? null
            : spec.activeDeadlineSeconds + DEADLINE_GRACE_SECONDS;
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(workflow.getMetadata().getNamespace())
            .withLabels(labels(workflow))
            .withAnnotations(
                workflow.getSpec().cancelRequested() ? Map.of(CANCELLED_ANNOTATION, "true") : null)
            .withOwnerReferences(StepPodBuilder.ownerReference(workflow))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withActiveDeadlineSeconds(deadline)
            // Its own ServiceAccount, allowed only to read and patch this workflow's status.
            .withServiceAccountName(name)
            .withAutomountServiceAccountToken(true)
            .withEnableServiceLinks(false)
            .withSecurityContext(
                spec.podSecurityContext != null
                    ? spec.podSecurityContext
                    : StepPodBuilder.restrictedPod())
            .withInitContainers(init)
            .withContainers(main)
            .addNewVolume()
            .withName(VOLUME)
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .addNewVolume()
            .withName(OUTPUTS_VOLUME)
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    // The workspace, the extra volumes and every step's volumeMounts go to the one container.
    WorkflowPodTemplate.apply(workflow, pod, spec.allSteps());
    return pod;
  }

  static Map<String, String> labels(Workflow workflow) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "shepherd");
    labels.put(
        StepPodBuilder.WORKFLOW_LABEL, StepPodBuilder.labelValue(workflow.getMetadata().getName()));
    labels.put(EXECUTOR_LABEL, EXECUTOR);
    return labels;
  }

  /**
   * What the supervisor needs to find its workflow, and the workflow itself when it is small
   * enough. Params, step env and the rest are applied by the supervisor to each step, as in every
   * executor; the JVM options are in {@link #COMMAND}.
   */
  static List<EnvVar> env(Workflow workflow) {
    return env(workflow, 0);
  }

  static List<EnvVar> env(Workflow workflow, long retry) {
    List<EnvVar> env =
        new ArrayList<>(
            List.of(
                new EnvVar("SHEPHERD_WORKFLOW", workflow.getMetadata().getName(), null),
                new EnvVarBuilder()
                    .withName("SHEPHERD_NAMESPACE")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("metadata.namespace")
                    .endFieldRef()
                    .endValueFrom()
                    .build(),
                new EnvVarBuilder()
                    .withName("SHEPHERD_POD_NAME")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("metadata.name")
                    .endFieldRef()
                    .endValueFrom()
                    .build(),
                new EnvVar("SHEPHERD_OUTPUTS_DIR", OUTPUTS_DIR, null),
                SUSPEND_RESUME_SIGNAL));
    Workspace workspace = workflow.getSpec().workspace;
    if (workspace != null) {
      // Where the Pod mounts it; the supervisor hands the steps this path (SuperviseCommand).
      env.add(new EnvVar(Workspace.VARIABLE, workspace.mountPathOrDefault(), null));
    }
    if (retry > 0) {
      env.add(new EnvVar(CarriedManifest.RETRY_ENV, Long.toString(retry), null));
    }
    String manifest = manifest(workflow);
    if (manifest != null) {
      env.add(new EnvVar(CarriedManifest.ENV, escapeForKubelet(manifest), null));
    }
    return List.copyOf(env);
  }

  /**
   * The workflow as {@link CarriedManifest} writes it; null when its value in the Pod (see {@link
   * #escapeForKubelet}) would be over {@link #MANIFEST_MAX_BYTES}.
   */
  public static String manifest(Workflow workflow) {
    String json = CarriedManifest.write(workflow);
    return escapeForKubelet(json).getBytes(StandardCharsets.UTF_8).length > MANIFEST_MAX_BYTES
        ? null
        : json;
  }

  /**
   * The kubelet expands {@code $(VAR)} in env values and reduces {@code $$} to {@code $}; with
   * every {@code $} doubled, the container gets {@code value} unchanged (a script's {@code $$} or
   * {@code $(date)} stays as written).
   */
  static String escapeForKubelet(String value) {
    return value.replace("$", "$$");
  }

  /** Per resource name, the largest request and the largest limit over the steps; null if none. */
  static ResourceRequirements resources(WorkflowSpec spec) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    for (Step step : spec.allSteps()) {
      if (step.resources != null) {
        max(requests, step.resources.getRequests());
        max(limits, step.resources.getLimits());
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return null;
    }
    ResourceRequirements r = new ResourceRequirements();
    r.setRequests(requests.isEmpty() ? null : requests);
    r.setLimits(limits.isEmpty() ? null : limits);
    return r;
  }

  private static void max(Map<String, Quantity> into, Map<String, Quantity> from) {
    if (from == null) {
      return;
    }
    from.forEach(
        (name, q) ->
            into.merge(
                name,
                q,
                (a, b) -> a.getNumericalAmount().compareTo(b.getNumericalAmount()) >= 0 ? a : b));
  }

  /**
   * The init container only copies files into the emptyDir: it runs as the shepherd image's user
   * whatever the Pod's securityContext says (so a Pod running its steps as root still passes
   * runAsNonRoot here), with a read-only root and nothing else.
   */
  static SecurityContext initSecurityContext() {
    return new SecurityContextBuilder(StepPodBuilder.restrictedContainer())
        .withRunAsNonRoot(true)
        .withRunAsUser(SHEPHERD_UID)
        .withRunAsGroup(SHEPHERD_UID)
        .withReadOnlyRootFilesystem(true)
        .build();
  }
}
