package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.Executor;
import dev.shepherd.api.Param;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.wire.StatusPatch;
import dev.shepherd.engine.Conditions;
import dev.shepherd.engine.Engine;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * executor: supervisor through the real Operator and the mock API server; the test plays kubelet
 * and supervisor.
 */
class SupervisorExecutorTest {
  static final String NS = TestingCluster.NAMESPACE;
  static final ObjectMapper JSON = new ObjectMapper();

  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  /** The supervisor executor alone, on {@code cluster}, deciding by {@code clock}. */
  static SupervisorExecutor executor(TestingCluster cluster, Clock clock) {
    return new SupervisorExecutor(
        clock,
        new Engine(clock),
        new EventRecorder(cluster.client, clock),
        new OperatorMetrics(new SimpleMeterRegistry()),
        SupervisorPodBuilder.DEFAULT_IMAGE);
  }

  static Workflow supervised(String name) {
    Workflow w = workflow(name, step("a"), step("b", "a"));
    w.getSpec().executor = Executor.SUPERVISOR;
    w.getSpec().image = "debian:13-slim";
    return w;
  }

  @Test
  void createsTheServiceAccountRoleBindingAndOnePodWithTheSupervisorInjected() {
    Workflow wf = supervised("sv");
    wf.getSpec().activeDeadlineSeconds = 100L;
    wf.getSpec().params = List.of(new Param("GREETING", "hi"));
    h.cluster.create(wf);
    Pod pod = h.awaitPod("sv-supervisor");
    Workflow w = h.awaitWorkflow("sv", x -> x.getStatus().observedGeneration != null);
    String uid = w.getMetadata().getUid();

    ServiceAccount sa =
        h.cluster.client.serviceAccounts().inNamespace(NS).withName("sv-supervisor").get();
    Role role = h.cluster.client.rbac().roles().inNamespace(NS).withName("sv-supervisor").get();
    RoleBinding binding =
        h.cluster.client.rbac().roleBindings().inNamespace(NS).withName("sv-supervisor").get();
    for (var o : List.of(sa, role, binding, pod)) {
      assertThat(o.getMetadata().getOwnerReferences())
          .as(o.getKind())
          .singleElement()
          .satisfies(r -> ownedBy(r, uid));
    }
    for (var o : List.of(sa, role, binding)) {
      assertThat(o.getMetadata().getLabels())
          .as(o.getKind())
          .isEqualTo(SupervisorPodBuilder.labels(w));
      assertThat(o.getMetadata().getAnnotations())
          .as(o.getKind() + ": nothing but what shepherd sets")
          .isNullOrEmpty();
    }
    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("shepherd.dev");
              assertThat(r.getResources()).containsExactly("workflows/status");
              assertThat(r.getResourceNames()).containsExactly("sv");
              assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "patch");
            });
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo("sv-supervisor");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("sv-supervisor");
              assertThat(s.getNamespace()).isEqualTo(NS);
            });

    assertThat(pod.getMetadata().getLabels())
        .containsEntry("shepherd.dev/workflow", "sv")
        .containsEntry("shepherd.dev/executor", "supervisor");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("sv-supervisor");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getSpec().getActiveDeadlineSeconds())
        .isEqualTo(100L + SupervisorPodBuilder.DEADLINE_GRACE_SECONDS);
    assertThat(pod.getSpec().getShareProcessNamespace())
        .as("the supervisor must be PID 1")
        .isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    assertThat(pod.getSpec().getVolumes())
        .as("emptyDirs, as the restricted Pod Security level allows")
        .extracting(v -> v.getName(), v -> v.getEmptyDir() != null)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("shepherd", true),
            org.assertj.core.groups.Tuple.tuple("shepherd-outputs", true));
    Container init = pod.getSpec().getInitContainers().getFirst();
    assertThat(pod.getSpec().getInitContainers()).hasSize(1);
    assertThat(init.getImage()).isEqualTo(SupervisorPodBuilder.DEFAULT_IMAGE);
    assertThat(init.getCommand())
        .containsExactly("cp", "-R", "/opt/shepherd/runtime/.", "/shepherd/");
    assertThat(init.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/shepherd"));
    assertThat(init.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(init.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();

    Container main = pod.getSpec().getContainers().getFirst();
    assertThat(pod.getSpec().getContainers()).hasSize(1);
    assertThat(main.getName()).isEqualTo("supervisor");
    assertThat(main.getImage()).isEqualTo("debian:13-slim");
    assertThat(main.getCommand())
        .containsExactly(
            "/shepherd/glibc/ld-linux-x86-64.so.2",
            "--library-path",
            "/shepherd/glibc",
            "/shepherd/bin/java",
            "@/shepherd/lib/shepherd.args",
            "-XX:AOTCache=/shepherd/shepherd-supervise.aot",
            "-cp",
            "/shepherd/shepherd.jar",
            "dev.shepherd.cli.Main",
            "supervise");
    assertThat(main.getArgs()).isEmpty();
    assertThat(main.getTerminationMessagePolicy()).isEqualTo("File");
    assertThat(main.getVolumeMounts())
        .as("the runtime read-only; the steps' outputs files writable")
        .extracting(m -> m.getMountPath(), m -> Boolean.TRUE.equals(m.getReadOnly()))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/shepherd", true),
            org.assertj.core.groups.Tuple.tuple("/shepherd-outputs", false));
    assertThat(main.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(main.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(main.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly(
            "SHEPHERD_WORKFLOW",
            "SHEPHERD_NAMESPACE",
            "SHEPHERD_POD_NAME",
            "SHEPHERD_OUTPUTS_DIR",
            "_JAVA_SR_SIGNUM",
            "SHEPHERD_MANIFEST");
    assertThat(main.getEnv().get(0).getValue()).isEqualTo("sv");
    assertThat(main.getEnv().get(1).getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(main.getEnv().get(2).getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(main.getEnv().get(3).getValue())
        .as("the outputs directory, the emptyDir's mount")
        .isEqualTo("/shepherd-outputs");
    assertThat(main.getEnv().get(4).getValue())
        .as("HotSpot's SR signal, off SIGUSR2")
        .isEqualTo("39");
    assertThat(main.getEnv().get(5).getValue())
        .as("the workflow as the controller saw it")
        .isEqualTo(SupervisorPodBuilder.escapeForKubelet(SupervisorPodBuilder.manifest(w)))
        .contains("\"metadata\":{\"name\":\"sv\",\"namespace\":\"" + NS + "\",\"generation\":1}")
        .contains("\"params\":[{\"name\":\"GREETING\",\"value\":\"hi\"}]");

    assertThat(w.getStatus().observedGeneration).isEqualTo(1L);
    assertThat(w.getStatus().phase)
        .as("the supervisor writes the phase, not the controller")
        .isNull();
    // The pass wrote observedGeneration after creating what it creates.
    assertThat(h.cluster.pods("sv")).as("nothing per step").hasSize(1);
  }

  @Test
  void theControllerNeverWritesTheSupervisorsFieldsWhileThePodLives() {
    h.cluster.create(supervised("own"));
    h.awaitPod("own-supervisor");
    h.awaitWorkflow("own", x -> x.getStatus().observedGeneration != null);

    String written =
        supervisorPatch(
            "own",
            """
        {"phase":"Running","progress":"0/2","startedAt":"2026-11-29T10:00:01Z","finishedAt":null,
         "message":"Running a.",
         "steps":[{"name":"a","phase":"Running","attempts":1,"startedAt":"2026-11-29T10:00:01Z"},
                  {"name":"b","phase":"Pending","attempts":0}],
         "conditions":[{"type":"Reconciling","status":"True","reason":"Running","message":"Running a.",
                        "lastTransitionTime":"2026-11-29T10:00:01Z","observedGeneration":1}]}""");
    Workflow afterPatch = h.cluster.get("own");
    assertThat(afterPatch.getStatus().observedGeneration)
        .as("the supervisor's patch keeps the controller's field")
        .isEqualTo(1L);

    // Make the controller look: the Pod changes, and the spec changes (generation 2).
    kubelet(
        "own-supervisor",
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("supervisor")
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt("2026-11-29T10:00:00Z")
                    .endRunning()
                    .endState()
                    .build())
            .build());
    h.cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName("own")
        .edit(
            x -> {
              x.getSpec().params = List.of(new Param("X", "1"));
              return x;
            });
    Workflow w = h.awaitWorkflow("own", x -> x.getStatus().observedGeneration == 2L);
    h.advance("own", Duration.ofSeconds(30));
    w = h.cluster.get("own");
    assertThat(ownedFields(w)).isEqualTo(written);
    assertThat(w.getStatus().observedGeneration).isEqualTo(2L);
    assertThat(h.cluster.pods("own")).hasSize(1);
  }

  @Test
  void anOomKilledSupervisorFailsTheRunningStepAndTheWorkflow() {
    h.cluster.create(supervised("oom"));
    h.awaitPod("oom-supervisor");
    supervisorRunsA("oom");
    kubelet("oom-supervisor", terminated("Failed", null, null, 137, "OOMKilled", null));
    Workflow w = h.awaitWorkflow("oom", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").phase).isEqualTo(StepPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("OOMKilled");
    assertThat(OperatorHarness.step(w, "b").phase).isEqualTo(StepPhase.Skipped);
    assertThat(w.getStatus().message).contains("OOMKilled");
    assertThat(w.getStatus().progress).isEqualTo("2/2");
    assertThat(w.getStatus().finishedAt).isNotNull();
    assertThat(Conditions.isTrue(w.getStatus(), Conditions.FAILED)).isTrue();
    assertThat(Conditions.isTrue(w.getStatus(), Conditions.RECONCILING)).isFalse();
    awaitWarning("oom", "OOMKilled");
  }

  @Test
  void anEvictedPodFailsTheWorkflowWithReasonEvicted() {
    h.cluster.create(supervised("ev"));
    h.awaitPod("ev-supervisor");
    supervisorRunsA("ev");
    kubelet(
        "ev-supervisor",
        terminated(
            "Failed", "Evicted", "The node was low on resource: memory.", 137, "Error", null));
    Workflow w = h.awaitWorkflow("ev", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("Evicted");
    assertThat(OperatorHarness.step(w, "a").message).contains("low on resource");
    assertThat(OperatorHarness.step(w, "b").phase).isEqualTo(StepPhase.Skipped);
    awaitWarning("ev", "Evicted");
  }

  @Test
  void aDeletedPodFailsTheWorkflowWithReasonPodDeleted() {
    h.cluster.create(supervised("del"));
    h.awaitPod("del-supervisor");
    supervisorRunsA("del");
    h.cluster.client.pods().inNamespace(NS).withName("del-supervisor").delete();
    Workflow w = h.awaitWorkflow("del", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("PodDeleted");
    assertThat(OperatorHarness.step(w, "b").phase).isEqualTo(StepPhase.Skipped);
    awaitWarning("del", "PodDeleted");
    assertThat(h.cluster.pod("del-supervisor"))
        .as("not created again once the supervisor had reported")
        .isNull();
  }

  @Test
  void aPodDeletedBeforeTheSupervisorReportedIsCreatedAgain() {
    h.cluster.create(supervised("again"));
    String uid = h.awaitPod("again-supervisor").getMetadata().getUid();
    h.cluster.client.pods().inNamespace(NS).withName("again-supervisor").delete();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              Pod p = h.cluster.pod("again-supervisor");
              return p != null && !p.getMetadata().getUid().equals(uid);
            });
    assertThat(h.cluster.get("again").getStatus().phase).isNull();
  }

  @Test
  void anInvalidImageNameFailsTheWorkflowAtOnceAndDeletesThePod() {
    h.cluster.create(supervised("img"));
    h.awaitPod("img-supervisor");
    kubelet(
        "img-supervisor", waiting("InvalidImageName", "couldn't parse image name \"Bad:Image\""));
    Workflow w = h.awaitWorkflow("img", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").phase).isEqualTo(StepPhase.Skipped);
    assertThat(OperatorHarness.step(w, "a").message)
        .contains("InvalidImageName")
        .contains("Bad:Image");
    assertThat(w.getStatus().message).contains("InvalidImageName");
    awaitWarning("img", "InvalidImageName");
    await().atMost(Duration.ofSeconds(10)).until(() -> h.cluster.pod("img-supervisor") == null);
  }

  @Test
  void anImagePullBackOffFailsTheWorkflowOnlyAfterFiveMinutes() {
    h.cluster.create(supervised("pull"));
    h.awaitPod("pull-supervisor");
    Pod backingOff =
        kubelet(
            "pull-supervisor",
            waiting("ImagePullBackOff", "Back-off pulling image \"debian:13-slim\""));
    h.passes.awaitSeen("pull", backingOff);
    h.advance("pull", Duration.ofMinutes(4));
    assertThat(h.cluster.get("pull").getStatus().phase).isNull();
    assertThat(h.cluster.pod("pull-supervisor")).isNotNull();
    h.advance("pull", Duration.ofMinutes(1));
    Workflow w = h.awaitWorkflow("pull", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(w.getStatus().message).contains("ImagePullBackOff").contains("5 minutes");
    await().atMost(Duration.ofSeconds(10)).until(() -> h.cluster.pod("pull-supervisor") == null);
  }

  @Test
  void aNewerStateInTheTerminationMessageIsUsed() {
    h.cluster.create(supervised("tm"));
    h.awaitPod("tm-supervisor");
    supervisorRunsA("tm");
    String last =
        """
        {"phase":"Running","progress":"1/2","startedAt":"2026-11-29T10:00:01Z","message":"Running b.",
         "steps":[{"name":"a","phase":"Succeeded","exitCode":0,"attempts":1},
                  {"name":"b","phase":"Running","attempts":1}]}""";
    kubelet("tm-supervisor", terminated("Failed", null, null, 137, "OOMKilled", last));
    Workflow w = h.awaitWorkflow("tm", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(OperatorHarness.step(w, "b").phase).isEqualTo(StepPhase.Failed);
    assertThat(OperatorHarness.step(w, "b").reason).isEqualTo("OOMKilled");
    assertThat(w.getStatus().message).contains("Step b failed");
  }

  @Test
  void aFinalStateInTheTerminationMessageIsTheResult() {
    h.cluster.create(supervised("fin"));
    h.awaitPod("fin-supervisor");
    supervisorRunsA("fin");
    String last =
        """
        {"phase":"Succeeded","progress":"2/2","startedAt":"2026-11-29T10:00:01Z","finishedAt":"2026-11-29T10:00:09Z",
         "message":"All 2 steps succeeded.",
         "steps":[{"name":"a","phase":"Succeeded","exitCode":0,"attempts":1},
                  {"name":"b","phase":"Succeeded","exitCode":0,"attempts":1}]}""";
    kubelet("fin-supervisor", terminated("Succeeded", null, null, 0, "Completed", last));
    Workflow w =
        h.awaitWorkflow("fin", x -> x.getStatus().phase != null && x.getStatus().phase.isFinal());
    assertThat(w.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(w.getStatus().finishedAt).isEqualTo("2026-11-29T10:00:09Z");
    assertThat(w.getStatus().observedGeneration).isEqualTo(1L);
  }

  @Test
  void invalidSupervisorSpecsFailWithInvalidSpecAndCreateNothing() {
    Workflow noImage = supervised("noimg");
    noImage.getSpec().image = null;
    Workflow otherImage = supervised("otherimg");
    otherImage.getSpec().steps.get(1).image = "alpine:3";
    Workflow noCommand = supervised("nocmd");
    noCommand.getSpec().steps.getFirst().command = null;
    h.cluster.create(noImage);
    h.cluster.create(otherImage);
    h.cluster.create(noCommand);
    assertThat(invalid("noimg")).contains("spec.image is required");
    assertThat(invalid("otherimg"))
        .contains("Step \"b\" has image alpine:3")
        .contains("debian:13-slim");
    assertThat(invalid("nocmd")).contains("Step \"a\" has no command");
    // Failed is final: no later pass runs these workflows, and this one wrote it after creating
    // nothing.
    for (String name : List.of("noimg", "otherimg", "nocmd")) {
      assertThat(h.cluster.pods(name)).isEmpty();
      assertThat(
              h.cluster
                  .client
                  .serviceAccounts()
                  .inNamespace(NS)
                  .withName(name + "-supervisor")
                  .get())
          .isNull();
    }
    assertThat(h.cluster.events())
        .filteredOn(e -> e.getReason().equals("InvalidSpec"))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }

  @Test
  void aServiceAccountOfTheSameNameNotOwnedByTheWorkflowIsNotUsed() {
    h.cluster
        .client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("theirs-supervisor")
                .withNamespace(NS)
                .endMetadata()
                .build())
        .create();
    h.cluster.create(supervised("theirs"));
    Workflow w = h.awaitWorkflow("theirs", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(w.getStatus().message).contains("ServiceAccount theirs-supervisor already exists");
    assertThat(h.cluster.pods("theirs")).isEmpty();
  }

  // ---- the test's supervisor and kubelet

  private String invalid(String name) {
    Workflow w = h.awaitWorkflow(name, x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("InvalidSpec");
    return w.getStatus().message;
  }

  private void supervisorRunsA(String workflow) {
    supervisorPatch(
        workflow,
        """
        {"phase":"Running","progress":"0/2","startedAt":"2026-11-29T10:00:01Z","message":"Running a.",
         "steps":[{"name":"a","phase":"Running","attempts":1,"startedAt":"2026-11-29T10:00:01Z"},
                  {"name":"b","phase":"Pending","attempts":0}]}""");
    h.awaitWorkflow(workflow, x -> x.getStatus().phase == WorkflowPhase.Running);
  }

  /**
   * Writes the status as the supervisor does: a merge patch of its own fields. Returns them as
   * stored.
   */
  private String supervisorPatch(String workflow, String owned) {
    h.cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName(workflow)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + owned + "}");
    return ownedFields(h.cluster.get(workflow));
  }

  private static String ownedFields(Workflow w) {
    JsonNode status = JSON.valueToTree(w.getStatus());
    var owned = JSON.createObjectNode();
    for (String f : StatusPatch.OWNED_FIELDS) {
      owned.set(f, status.get(f));
    }
    return owned.toString();
  }

  private void awaitWarning(String workflow, String text) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(h.cluster.events())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo(workflow);
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo("Failed");
                          assertThat(e.getMessage()).contains(text);
                        }));
  }

  private static void ownedBy(OwnerReference r, String uid) {
    assertThat(r.getKind()).isEqualTo("Workflow");
    assertThat(r.getUid()).isEqualTo(uid);
    assertThat(r.getController()).isTrue();
  }

  /**
   * A supervisor Pod's status whose supervisor container ended so (SupervisorTakeoverTest uses it
   * too).
   */
  static io.fabric8.kubernetes.api.model.PodStatus terminated(
      String phase,
      String podReason,
      String podMessage,
      int exitCode,
      String containerReason,
      String terminationMessage) {
    return new PodStatusBuilder()
        .withPhase(phase)
        .withReason(podReason)
        .withMessage(podMessage)
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("supervisor")
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(containerReason)
                .withMessage(terminationMessage)
                .endTerminated()
                .endState()
                .build())
        .build();
  }

  private io.fabric8.kubernetes.api.model.PodStatus waiting(String reason, String message) {
    List<ContainerStatus> containers = new ArrayList<>();
    containers.add(
        new ContainerStatusBuilder()
            .withName("supervisor")
            .withNewState()
            .withNewWaiting()
            .withReason(reason)
            .withMessage(message)
            .endWaiting()
            .endState()
            .build());
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withConditions(
            new PodConditionBuilder()
                .withType("PodScheduled")
                .withStatus("True")
                .withLastTransitionTime(h.clock.instant().toString())
                .build())
        .withContainerStatuses(containers)
        .build();
  }

  private Pod kubelet(String name, io.fabric8.kubernetes.api.model.PodStatus status) {
    Pod pod = h.cluster.pod(name);
    pod.setStatus(status);
    return h.cluster.client.pods().inNamespace(NS).resource(pod).updateStatus();
  }

  static List<PolicyRule> rules(Role role) {
    return role.getRules();
  }
}
