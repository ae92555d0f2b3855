package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.PodTemplate;
import dev.shepherd.api.Step;
import dev.shepherd.api.TemplateMetadata;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.Workspace;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.podTemplate and spec.workspace on every Pod a workflow makes: each step Pod and the
 * supervisor Pod.
 */
class WorkflowPodTemplateTest {
  private static final Volume CACHE =
      new VolumeBuilder().withName("cache").withNewEmptyDir().endEmptyDir().build();

  private static Workflow templated(Executor executor) {
    Step build = step("build");
    build.volumeMounts = List.of(mount("cache", "/cache"));
    Step test = step("test", "build");
    test.volumeMounts = List.of(mount("cache", "/cache"), mount("workspace", "/src"));
    Workflow w = workflow("wf", build, test);
    w.getMetadata().setUid("uid-1");
    w.getSpec().executor = executor;
    PodTemplate t = new PodTemplate();
    t.metadata = new TemplateMetadata();
    t.metadata.labels =
        Map.of(
            "team",
            "data",
            StepPodBuilder.WORKFLOW_LABEL,
            "not-ours",
            "app.kubernetes.io/managed-by",
            "me");
    t.metadata.annotations = Map.of("cost-center", "42");
    t.nodeSelector = Map.of("disk", "ssd");
    Toleration toleration = new Toleration();
    toleration.setKey("dedicated");
    toleration.setOperator("Exists");
    t.tolerations = List.of(toleration);
    t.affinity = zoneAffinity("In", "a");
    t.imagePullSecrets = List.of(new LocalObjectReference("registry"));
    t.priorityClassName = "batch";
    t.runtimeClassName = "gvisor";
    t.volumes = List.of(CACHE);
    w.getSpec().podTemplate = t;
    Workspace workspace = WorkspaceClaimPassTest.claimed();
    workspace.mountPath = "/work";
    w.getSpec().workspace = workspace;
    return w;
  }

  /** Nodes whose label zone matches {@code operator} and {@code values}. */
  static Affinity zoneAffinity(String operator, String... values) {
    return new AffinityBuilder()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm()
        .addNewMatchExpression()
        .withKey("zone")
        .withOperator(operator)
        .withValues(values)
        .endMatchExpression()
        .endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity()
        .build();
  }

  private static VolumeMount mount(String name, String path) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).build();
  }

  /** Everything of the template, on a Pod of either executor. */
  private static void assertTemplated(Pod pod) {
    assertThat(pod.getMetadata().getLabels())
        .as("the template's labels, ours winning")
        .containsEntry("team", "data")
        .containsEntry(StepPodBuilder.WORKFLOW_LABEL, "wf")
        .containsEntry("app.kubernetes.io/managed-by", "shepherd");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("cost-center", "42");
    assertThat(pod.getSpec().getNodeSelector()).isEqualTo(Map.of("disk", "ssd"));
    assertThat(pod.getSpec().getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(
            pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .getFirst()
                .getMatchExpressions()
                .getFirst()
                .getKey())
        .isEqualTo("zone");
    assertThat(pod.getSpec().getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("registry");
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("batch");
    assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
    assertThat(pod.getSpec().getVolumes()).contains(CACHE);
    assertThat(pod.getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals(Workspace.VOLUME))
        .singleElement()
        .satisfies(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("wf-workspace"));
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
  }

  @Test
  void aStepPodGetsTheTemplateTheWorkspaceAndItsOwnMountsOnly() {
    Workflow w = templated(Executor.POD);
    Pod build = StepPodBuilder.build(w, w.getSpec().steps.get(0), 1);
    Pod test = StepPodBuilder.build(w, w.getSpec().steps.get(1), 1);

    assertTemplated(build);
    assertTemplated(test);
    assertThat(build.getMetadata().getLabels()).containsEntry(StepPodBuilder.STEP_LABEL, "build");
    Container c = test.getSpec().getContainers().getFirst();
    assertThat(c.getVolumeMounts())
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("workspace", "/work"),
            org.assertj.core.groups.Tuple.tuple("cache", "/cache"),
            org.assertj.core.groups.Tuple.tuple("workspace", "/src"));
    assertThat(build.getSpec().getContainers().getFirst().getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/work", "/cache");
    assertThat(env(c)).containsEntry(Workspace.VARIABLE, "/work");
  }

  @Test
  void theSupervisorPodGetsTheTemplateAndEveryStepsMountsOnceInItsMainContainer() {
    Workflow w = templated(Executor.SUPERVISOR);
    Pod pod = SupervisorPodBuilder.build(w, SupervisorPodBuilder.DEFAULT_IMAGE);

    assertTemplated(pod);
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(SupervisorPodBuilder.EXECUTOR_LABEL, SupervisorPodBuilder.EXECUTOR);
    assertThat(pod.getSpec().getVolumes())
        .extracting(Volume::getName)
        .containsExactly(
            SupervisorPodBuilder.VOLUME,
            SupervisorPodBuilder.OUTPUTS_VOLUME,
            Workspace.VOLUME,
            "cache");
    Container main = pod.getSpec().getContainers().getFirst();
    assertThat(main.getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly(
            SupervisorPodBuilder.RUNTIME_DIR,
            SupervisorPodBuilder.OUTPUTS_DIR,
            "/work",
            "/cache",
            "/src");
    assertThat(env(main)).containsEntry(Workspace.VARIABLE, "/work");
    assertThat(pod.getSpec().getInitContainers().getFirst().getVolumeMounts())
        .as("the init container only copies the runtime")
        .extracting(VolumeMount::getMountPath)
        .containsExactly(SupervisorPodBuilder.RUNTIME_DIR);
  }

  @Test
  void theWorkspaceIsTheExistingClaimOrAnEmptyDirAtWorkspaceByDefault() {
    Workflow w = workflow("wf", step("a"));
    w.getSpec().workspace = new Workspace();
    w.getSpec().workspace.persistentVolumeClaim =
        new PersistentVolumeClaimVolumeSource("shared-data", false);
    Pod pod = StepPodBuilder.build(w, w.getSpec().steps.getFirst(), 1);
    assertThat(pod.getSpec().getVolumes())
        .singleElement()
        .satisfies(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("shared-data"));
    Container c = pod.getSpec().getContainers().getFirst();
    assertThat(c.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/workspace"));
    assertThat(env(c)).containsEntry(Workspace.VARIABLE, "/workspace");

    w.getSpec().executor = Executor.SUPERVISOR;
    w.getSpec().workspace = new Workspace();
    Pod supervisor = SupervisorPodBuilder.build(w, SupervisorPodBuilder.DEFAULT_IMAGE);
    assertThat(supervisor.getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals(Workspace.VOLUME))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isEqualTo(new EmptyDirVolumeSource()));
  }

  @Test
  void withoutATemplateOrWorkspaceAPodHasNoVolumesAndNoWorkspaceVariable() {
    Workflow w = workflow("wf", step("a"));
    Pod pod = StepPodBuilder.build(w, w.getSpec().steps.getFirst(), 1);
    assertThat(pod.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().getFirst().getVolumeMounts()).isNullOrEmpty();
    assertThat(env(pod.getSpec().getContainers().getFirst())).doesNotContainKey(Workspace.VARIABLE);
    assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  /** A field the API server names in a Pod is traced back to the Workflow's field it came from. */
  @Test
  void aPodFieldIsTracedToTheWorkflowFieldItCameFrom() {
    Workflow w = templated(Executor.POD);
    Pod test = StepPodBuilder.build(w, w.getSpec().steps.get(1), 1);
    int cache = test.getSpec().getVolumes().indexOf(CACHE);
    int workspace = cache == 0 ? 1 : 0;

    assertThat(
            WorkflowPodTemplate.workflowField(
                w,
                test,
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                    + ".nodeSelectorTerms[0].matchExpressions[0].operator"))
        .isEqualTo(
            "spec.podTemplate.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                + ".nodeSelectorTerms[0].matchExpressions[0].operator");
    assertThat(WorkflowPodTemplate.workflowField(w, test, "metadata.labels"))
        .isEqualTo("spec.podTemplate.metadata.labels");
    assertThat(WorkflowPodTemplate.workflowField(w, test, "spec.tolerations[0].effect"))
        .isEqualTo("spec.podTemplate.tolerations[0].effect");
    assertThat(WorkflowPodTemplate.workflowField(w, test, "spec.volumes[" + cache + "].emptyDir"))
        .isEqualTo("spec.podTemplate.volumes[0].emptyDir");
    assertThat(WorkflowPodTemplate.workflowField(w, test, "spec.volumes[" + workspace + "]"))
        .isEqualTo("spec.workspace");
    assertThat(
            WorkflowPodTemplate.workflowField(
                w, test, "spec.containers[0].volumeMounts[2].mountPath"))
        .isEqualTo("spec.steps[1].volumeMounts[1].mountPath");
    assertThat(WorkflowPodTemplate.workflowField(w, test, "spec.containers[0].image")).isNull();
  }
}
