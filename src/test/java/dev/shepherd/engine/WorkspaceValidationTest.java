package dev.shepherd.engine;

import static dev.shepherd.engine.SpecValidationTest.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.PodTemplate;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import dev.shepherd.api.WorkspaceClaimTemplate;
import dev.shepherd.engine.SpecValidation.Target;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of {@link SpecValidation} about spec.workspace, spec.podTemplate.volumes and the steps'
 * volumeMounts: each names its field and step, for the targets that have it and no other.
 */
class WorkspaceValidationTest {
  private static final Set<Target> ALL = EnumSet.allOf(Target.class);
  private static final Set<Target> POD = EnumSet.of(Target.POD);
  private static final Set<Target> SUPERVISOR = EnumSet.of(Target.SUPERVISOR);
  private static final Set<Target> CONTAINERS = EnumSet.of(Target.POD, Target.SUPERVISOR);

  /**
   * Valid for every target: a workspace on an existing claim, a volume "cache", and steps "a" and
   * "b" that mount it at the same path.
   */
  private static WorkflowSpec valid() {
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    spec.workspace = new Workspace();
    spec.workspace.persistentVolumeClaim = new PersistentVolumeClaimVolumeSource("data", false);
    spec.podTemplate = new PodTemplate();
    spec.podTemplate.volumes = new ArrayList<>(List.of(volume("cache")));
    spec.steps = new ArrayList<>(List.of(step("a"), step("b", "a")));
    return spec;
  }

  private static Step step(String name, String... depends) {
    Step step = new Step(name, depends);
    step.command = List.of("true");
    step.volumeMounts = new ArrayList<>(List.of(mount("cache", "/cache")));
    return step;
  }

  private static Volume volume(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static VolumeMount mount(String name, String path) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).build();
  }

  private static Step b(WorkflowSpec spec) {
    return spec.steps.get(1);
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        rule(
            "two sources",
            ALL,
            s -> s.workspace.emptyDir = new EmptyDirVolumeSource(),
            "spec.workspace",
            null,
            "spec.workspace has emptyDir and persistentVolumeClaim; it takes one volume source."),
        rule(
            "a relative mount path",
            ALL,
            s -> s.workspace.mountPath = "work",
            "spec.workspace.mountPath",
            null,
            "spec.workspace.mountPath is \"work\"; it must be an absolute path other than /."),
        rule(
            "the workspace over the supervisor's runtime",
            SUPERVISOR,
            s -> s.workspace.mountPath = "/shepherd/work",
            "spec.workspace.mountPath",
            null,
            "spec.workspace.mountPath is /shepherd/work; with executor supervisor /shepherd holds"
                + " the supervisor's runtime."),
        rule(
            "a claim without a name",
            ALL,
            s -> s.workspace.persistentVolumeClaim.setClaimName(""),
            "spec.workspace.persistentVolumeClaim.claimName",
            null,
            "spec.workspace.persistentVolumeClaim has no claimName."),
        rule(
            "a claim template without a spec",
            ALL,
            s -> {
              s.workspace.persistentVolumeClaim = null;
              s.workspace.volumeClaimTemplate = new WorkspaceClaimTemplate();
            },
            "spec.workspace.volumeClaimTemplate.spec",
            null,
            "spec.workspace.volumeClaimTemplate has no spec."),
        rule(
            "an emptyDir workspace in pod mode",
            POD,
            s -> {
              s.workspace.persistentVolumeClaim = null;
              s.workspace.emptyDir = new EmptyDirVolumeSource();
            },
            "spec.workspace.emptyDir",
            null,
            "spec.workspace.emptyDir can't be shared with executor pod: each step runs in a Pod of"
                + " its own, and an emptyDir lives and dies with its Pod; use"
                + " spec.workspace.volumeClaimTemplate or persistentVolumeClaim, or executor"
                + " supervisor."),
        rule(
            "a workspace without a source in pod mode",
            POD,
            s -> s.workspace.persistentVolumeClaim = null,
            "spec.workspace",
            null,
            "spec.workspace has no volume source; executor pod shares it between the step Pods"
                + " through a PersistentVolumeClaim: give spec.workspace.volumeClaimTemplate or"
                + " persistentVolumeClaim."),
        rule(
            "a volume without a name",
            CONTAINERS,
            s -> s.podTemplate.volumes.add(new Volume()),
            "spec.podTemplate.volumes[1].name",
            null,
            "spec.podTemplate.volumes[1] has no name."),
        rule(
            "a volume named like the workspace's",
            CONTAINERS,
            s -> s.podTemplate.volumes.add(volume("workspace")),
            "spec.podTemplate.volumes[1].name",
            null,
            "spec.podTemplate.volumes[1] is named \"workspace\", the name of the workspace's volume;"
                + " rename it."),
        rule(
            "a volume named like the supervisor's runtime",
            SUPERVISOR,
            s -> s.podTemplate.volumes.add(volume("shepherd")),
            "spec.podTemplate.volumes[1].name",
            null,
            "spec.podTemplate.volumes[1] is named \"shepherd\", the name of the volume that holds"
                + " the supervisor's runtime; rename it."),
        rule(
            "a volume twice",
            CONTAINERS,
            s -> s.podTemplate.volumes.add(volume("cache")),
            "spec.podTemplate.volumes[1].name",
            null,
            "Volume \"cache\" is in spec.podTemplate.volumes more than once."),
        rule(
            "a mount without a name",
            CONTAINERS,
            s -> b(s).volumeMounts.add(mount(null, "/x")),
            "spec.steps[1].volumeMounts[1].name",
            "b",
            "Step \"b\": volumeMounts[1] has no name."),
        rule(
            "a mount of an unknown volume",
            CONTAINERS,
            s -> b(s).volumeMounts.add(mount("secrets", "/secrets")),
            "spec.steps[1].volumeMounts[1].name",
            "b",
            "Step \"b\": volumeMounts[1] mounts volume \"secrets\", which is neither in"
                + " spec.podTemplate.volumes nor the workspace."),
        rule(
            "a mount of the workspace without one",
            CONTAINERS,
            s -> {
              s.workspace = null;
              b(s).volumeMounts.add(mount("workspace", "/src"));
            },
            "spec.steps[1].volumeMounts[1].name",
            "b",
            "Step \"b\": volumeMounts[1] mounts volume \"workspace\", which is neither in"
                + " spec.podTemplate.volumes nor the workspace (spec.workspace is not set)."),
        rule(
            "a relative mount",
            CONTAINERS,
            s -> b(s).volumeMounts.add(mount("workspace", "src")),
            "spec.steps[1].volumeMounts[1].mountPath",
            "b",
            "Step \"b\": volumeMounts[1] has mountPath \"src\"; it must be an absolute path other"
                + " than /."),
        rule(
            "two mounts at one path of a container",
            CONTAINERS,
            s -> b(s).volumeMounts.add(mount("cache", "/workspace")),
            "spec.steps[1].volumeMounts[1].mountPath",
            "b",
            "Step \"b\": volumeMounts[1] mounts at /workspace, where the step already mounts a"
                + " volume."),
        rule(
            "a mount over the supervisor's runtime",
            SUPERVISOR,
            s -> b(s).volumeMounts.add(mount("cache", "/shepherd")),
            "spec.steps[1].volumeMounts[1].mountPath",
            "b",
            "Step \"b\": volumeMounts[1] mounts at /shepherd; with executor supervisor /shepherd"
                + " holds the supervisor's runtime."),
        rule(
            "two steps mounting other things at one path of the supervisor's container",
            SUPERVISOR,
            s -> b(s).volumeMounts.set(0, mount("workspace", "/cache")),
            "spec.steps[1].volumeMounts[0].mountPath",
            "b",
            "Step \"b\": volumeMounts[0] mounts at /cache other than step \"a\" does there; with"
                + " executor supervisor all steps run in one container, which has one mount per"
                + " path."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleNamesItsFieldAndStepForTheTargetsThatHaveIt(
      String what, Set<Target> targets, Consumer<WorkflowSpec> breakIt, Problem expected) {
    SpecValidationTest.assertRule(WorkspaceValidationTest::valid, targets, breakIt, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workspaces")
  void aWorkspaceOfOneSourceOrAnEmptyDirInTheSupervisorIsValid(
      String what, Consumer<Workspace> source, Set<Target> targets) {
    for (Target target : targets) {
      WorkflowSpec spec = valid();
      spec.workspace = new Workspace();
      source.accept(spec.workspace);
      assertThat(SpecValidation.problems(spec, target)).as("%s", target).isEmpty();
    }
  }

  static Stream<Arguments> workspaces() {
    return Stream.of(
        Arguments.of(
            "a claim template",
            (Consumer<Workspace>)
                w -> {
                  w.volumeClaimTemplate = new WorkspaceClaimTemplate();
                  w.volumeClaimTemplate.spec = new PersistentVolumeClaimSpec();
                },
            EnumSet.allOf(Target.class)),
        Arguments.of(
            "an emptyDir",
            (Consumer<Workspace>) w -> w.emptyDir = new EmptyDirVolumeSource(),
            EnumSet.of(Target.SUPERVISOR, Target.LOCAL)),
        Arguments.of(
            "no source",
            (Consumer<Workspace>) w -> {},
            EnumSet.of(Target.SUPERVISOR, Target.LOCAL)));
  }
}
