package dev.shepherd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.Workspace;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.testing.ImageCase;
import dev.shepherd.testing.SpecPatch;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-cluster tier: shepherd as a user installs it, on a real API server, scheduler, garbage
 * collector and kubelet (kind, any cluster, or {@code ../shared/kube-real} on the project's
 * machines). It runs only when a cluster is named, and is skipped, saying why, otherwise:
 *
 * <ul>
 *   <li>{@code SHEPHERD_E2E_KUBECONFIG}: the kubeconfig of the cluster (required);
 *   <li>{@code SHEPHERD_E2E_IMAGE}: the shepherd image, already in the cluster or pullable by it
 *       (default {@value SupervisorPodBuilder#DEFAULT_IMAGE}, the name deploy/ uses);
 *   <li>{@code SHEPHERD_E2E_SUPERVISOR_IMAGE}: if set, the image that supervisor-mode examples run
 *       in instead of their own ({@code busybox:1.36});
 *   <li>{@code SHEPHERD_E2E_TEST_IMAGES}: if {@code 1}, the images of src/test/images are in the
 *       cluster (import-kube-real.sh), and supervisor mode runs in each: static busybox only, musl,
 *       no shell;
 *   <li>{@code SHEPHERD_E2E_POD_SECURITY}: if set, the Pod Security level ({@code privileged},
 *       {@code baseline}) that the operator's and the test's namespaces enforce instead of
 *       deploy/'s {@code restricted}; for clusters whose admission changes every Pod (kube-real
 *       puts every Pod on the host network, which {@code restricted} refuses).
 * </ul>
 *
 * <p>It installs deploy/ with {@code kubectl apply -k} (the operator as a real Pod, restarted so
 * that it runs the image just built), runs every example in both executors in a namespace of its
 * own and checks the phase each file states, reads a supervisor Pod's log, and deletes running
 * workflows and waits for their Pods to go. The namespace (and the volumes offered to workspace
 * claims, {@link #offerVolumes}) is deleted at the end; the operator stays installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterIT {
  static final String NAMESPACE = "shepherd-e2e";
  static final String OPERATOR_NAMESPACE = "shepherd-system";
  static final String DEPLOYMENT = "shepherd-operator";
  static final String POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce";
  static final Duration WORKFLOW_TIMEOUT = Duration.ofMinutes(4);
  static final String OFFERED_VOLUME_LABEL = "shepherd.dev/e2e-volume";

  private static Path kubeconfig;
  private static String image;
  private static String supervisorImage;
  private static KubernetesClient client;

  /** The example workflows, created at once so that they run side by side: name to example. */
  private static final Map<String, Example> created = new LinkedHashMap<>();

  @BeforeAll
  static void install() throws Exception {
    String config = System.getenv("SHEPHERD_E2E_KUBECONFIG");
    if (config == null || config.isBlank()) {
      String why =
          "SHEPHERD_E2E_KUBECONFIG is not set: no cluster is named for the real-cluster tier"
              + " (README, \"Tests on a real cluster\")";
      System.out.println("RealClusterIT skipped: " + why);
      assumeTrue(false, why);
    }
    kubeconfig = Path.of(config);
    assertThat(kubeconfig).as("SHEPHERD_E2E_KUBECONFIG").isReadable();
    image = env("SHEPHERD_E2E_IMAGE", SupervisorPodBuilder.DEFAULT_IMAGE);
    supervisorImage = env("SHEPHERD_E2E_SUPERVISOR_IMAGE", null);
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();

    kubectl("apply", "-k", "deploy/");
    String podSecurity = System.getenv("SHEPHERD_E2E_POD_SECURITY");
    if (podSecurity != null && !podSecurity.isBlank()) {
      kubectl(
          "label",
          "namespace",
          OPERATOR_NAMESPACE,
          POD_SECURITY_LABEL + "=" + podSecurity.strip(),
          "--overwrite");
    }
    if (!image.equals(SupervisorPodBuilder.DEFAULT_IMAGE)) {
      kubectl(
          "-n",
          OPERATOR_NAMESPACE,
          "set",
          "image",
          "deployment/" + DEPLOYMENT,
          "operator=" + image);
      kubectl(
          "-n",
          OPERATOR_NAMESPACE,
          "set",
          "env",
          "deployment/" + DEPLOYMENT,
          SupervisorPodBuilder.IMAGE_ENV + "=" + image);
    }
    // A new operator Pod, so that it runs the image as it is now even when its tag did not change.
    kubectl("-n", OPERATOR_NAMESPACE, "rollout", "restart", "deployment/" + DEPLOYMENT);
    kubectl(
        "-n",
        OPERATOR_NAMESPACE,
        "rollout",
        "status",
        "deployment/" + DEPLOYMENT,
        "--timeout=180s");

    recreateNamespace(podSecurity);
    offerVolumes();
    for (Executor executor : Executor.values()) {
      for (Path file : exampleFiles()) {
        Example example = Example.read(file);
        Workflow w = example.workflow();
        String name = w.getMetadata().getName() + "-" + executor.name().toLowerCase();
        w.getMetadata().setName(name);
        w.getMetadata().setNamespace(NAMESPACE);
        w.getSpec().executor = executor;
        if (executor == Executor.SUPERVISOR && supervisorImage != null) {
          w.getSpec().image = supervisorImage;
        }
        example.createTemplates(client, NAMESPACE);
        client.resource(w).create();
        created.put(name, example);
      }
    }
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      client.namespaces().withName(NAMESPACE).delete();
      client.persistentVolumes().withLabel(OFFERED_VOLUME_LABEL).delete();
      client.close();
    }
  }

  /**
   * A cluster without a default StorageClass (kube-real has no provisioner) makes no volume for the
   * claim of a workspace: the tier offers one hostPath PersistentVolume of no class for each claim
   * that the examples make, which a claim of no class binds to. Where a default StorageClass
   * provisions volumes, the claims get their own and these stay unused. All go at the end.
   */
  private static void offerVolumes() throws IOException {
    client.persistentVolumes().withLabel(OFFERED_VOLUME_LABEL).delete();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                client
                    .persistentVolumes()
                    .withLabel(OFFERED_VOLUME_LABEL)
                    .list()
                    .getItems()
                    .isEmpty());
    int claims = 0;
    for (Path file : exampleFiles()) {
      Workspace workspace = Example.read(file).spec().workspace;
      if (workspace != null && workspace.volumeClaimTemplate != null) {
        claims += Executor.values().length;
      }
    }
    for (int i = 0; i < claims; i++) {
      String name = "shepherd-e2e-workspace-" + i;
      client
          .persistentVolumes()
          .resource(
              new PersistentVolumeBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .addToLabels(OFFERED_VOLUME_LABEL, "true")
                  .endMetadata()
                  .withNewSpec()
                  .withCapacity(Map.of("storage", new Quantity("1Gi")))
                  .withAccessModes("ReadWriteOnce")
                  .withPersistentVolumeReclaimPolicy("Retain")
                  .withNewHostPath()
                  .withPath("/tmp/" + name)
                  .withType("DirectoryOrCreate")
                  .endHostPath()
                  .endSpec()
                  .build())
          .create();
    }
  }

  static Stream<Arguments> examples() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (Executor executor : Executor.values()) {
      for (Path file : exampleFiles()) {
        cases.add(Arguments.of(executor, file));
      }
    }
    return cases.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("examples")
  void exampleEndsInThePhaseItsHeaderStates(Executor executor, Path file) throws IOException {
    String name =
        Example.read(file).workflow().getMetadata().getName() + "-" + executor.name().toLowerCase();
    Example example = created.get(name);
    Workflow done = awaitFinal(name, WORKFLOW_TIMEOUT);
    assertThat(done.getStatus().phase)
        .as("%s: %s", name, done.getStatus().message)
        .isEqualTo(example.ends());
    example.assertStepsConsistent(done);
    assertThat(done.getStatus().observedGeneration).isEqualTo(done.getMetadata().getGeneration());
  }

  /**
   * The supervisor writes each step's output to the Pod's log, each line prefixed with the step.
   */
  @Order(2)
  @Test
  void aSupervisorPodsLogHoldsItsStepsOutputPrefixedWithTheStepName() {
    Workflow done = awaitFinal("hello-supervisor", WORKFLOW_TIMEOUT);
    assertThat(done.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    String log = supervisorLog("hello-supervisor");
    assertThat(log).contains("[hello] hello from shepherd");
  }

  /**
   * The reason shepherd exists, on a real kubelet: a step leaves 2,000 orphans behind, the
   * supervisor (PID 1 of the Pod's container) reaps them, and a later step in the same container
   * finds no zombie in /proc (it waits for that fact for at most 10 s, then fails with the count).
   */
  @Order(2)
  @Test
  void aSupervisorPodReapsTwoThousandOrphansOfAStep() {
    String name = "orphans-supervisor";
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            supervisorImage != null ? supervisorImage : "busybox:1.36",
            Executor.SUPERVISOR,
            """
            - name: storm
              command: [sh, -c, 'i=0; while [ $i -lt 2000 ]; do sh -c "sleep 0.1 &"; i=$((i+1)); done; echo left 2000 orphans']
            - name: check
              depends: [storm]
              command:
                - sh
                - -c
                - |
                  t=0
                  while [ $t -lt 100 ]; do
                    z=$(grep -l '^State:[[:space:]]*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
                    if [ "$z" -eq 0 ]; then echo "no zombie"; exit 0; fi
                    sleep 0.1; t=$((t+1))
                  done
                  echo "$z zombies left"; exit 1
            """);
    client.resource(w).create();

    Workflow done = awaitFinal(name, WORKFLOW_TIMEOUT);

    String log = supervisorLog(name);
    assertThat(done.getStatus().phase)
        .as("%s%n%s", done.getStatus().message, log)
        .isEqualTo(WorkflowPhase.Succeeded);
    assertThat(log).contains("[storm] left 2000 orphans", "[check] no zombie");
  }

  static List<ImageCase> imageCases() {
    return ImageCase.ALL;
  }

  /**
   * Supervisor mode in an image with only a static busybox, in a musl one and in one without a
   * shell: the supervisor starts through the runtime's own glibc loader, the steps run with the
   * image's own libraries, and exit codes are exact.
   */
  @Order(2)
  @ParameterizedTest(name = "{0}")
  @MethodSource("imageCases")
  void supervisorModeRunsInAnImageWithoutGlibcOrAShell(ImageCase image) {
    assumeTrue(
        "1".equals(System.getenv("SHEPHERD_E2E_TEST_IMAGES")),
        "SHEPHERD_E2E_TEST_IMAGES is not 1: the images of src/test/images are not in the cluster"
            + " (src/test/images/import-kube-real.sh)");
    String name = "image-" + image.image();
    client
        .resource(
            Example.workflow(
                name, NAMESPACE, image.imageName(), Executor.SUPERVISOR, image.steps()))
        .create();

    Workflow done = awaitFinal(name, WORKFLOW_TIMEOUT);
    assertThat(done.getStatus().phase.name())
        .as("%s: %s", name, done.getStatus().message)
        .isEqualTo(image.ends());

    String log = supervisorLog(name);
    assertThat(done.getStatus().step("b").exitCode).isEqualTo(image.exitCode());
    assertThat(log).contains(image.lines()).doesNotContain("leaked:");
  }

  /**
   * Deleting a running Workflow deletes its Pods (the garbage collector, through ownerReferences).
   */
  @Order(3)
  @ParameterizedTest
  @EnumSource(Executor.class)
  void deletingARunningWorkflowDeletesItsPods(Executor executor) {
    String name = "endless-" + executor.name().toLowerCase();
    String image =
        executor == Executor.SUPERVISOR && supervisorImage != null
            ? supervisorImage
            : "busybox:1.36";
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            image,
            executor,
            """
            - {name: forever, command: [sh, -c, 'sleep 300 & sleep 300; wait']}
            - {name: after, depends: [forever], command: [sh, -c, 'echo never']}
            """);
    client.resource(w).create();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Workflow x = get(name);
              return x != null
                  && x.getStatus() != null
                  && x.getStatus().step("forever") != null
                  && x.getStatus().step("forever").phase == StepPhase.Running
                  && pods(name).stream().anyMatch(p -> "Running".equals(p.getStatus().getPhase()));
            });

    client.resource(w).delete();

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(pods(name)).isEmpty());
    assertThat(get(name)).isNull();
  }

  /**
   * spec.cancel on a running workflow, as {@code kubectl patch --type merge} sets it: the running
   * step is stopped, the finally step still runs, and the workflow ends Cancelled, in both
   * executors (in supervisor mode through SIGTERM to the supervisor).
   */
  @Order(3)
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aCancelStopsTheRunningStepAndRunsTheFinallyStep(Executor executor) {
    String name = "cancel-" + executor.name().toLowerCase();
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            "busybox:1.36",
            executor,
            """
            - {name: long, command: [sh, -c, 'sleep 300']}
            - {name: after, depends: [long], command: [sh, -c, 'echo never']}
            """);
    Step report = new Step("report");
    report.command = List.of("sh", "-c", "echo ended ${{ workflow.phase }}");
    w.getSpec().finallySteps = new java.util.ArrayList<>(List.of(report));
    client.resource(w).create();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Workflow x = get(name);
              return x != null
                  && x.getStatus() != null
                  && x.getStatus().step("long") != null
                  && x.getStatus().step("long").phase == StepPhase.Running;
            });

    SpecPatch.merge(client, NAMESPACE, name, "{\"cancel\":true}");

    Workflow done = awaitFinal(name, WORKFLOW_TIMEOUT);
    assertThat(done.getStatus().phase)
        .as(done.getStatus().message)
        .isEqualTo(WorkflowPhase.Cancelled);
    assertThat(done.getStatus().step("long").phase).isEqualTo(StepPhase.Failed);
    assertThat(done.getStatus().step("after").phase).isEqualTo(StepPhase.Skipped);
    assertThat(done.getStatus().step("report").phase).isEqualTo(StepPhase.Succeeded);
  }

  /**
   * Retry in place on a real kubelet: the spec fixed (a param) and spec.retryGeneration set in one
   * patch; the failed step and its dependent run again in new Pods, the succeeded step's outputs
   * are kept and read.
   */
  @Order(3)
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aFailedWorkflowRetriedInPlaceRunsOnlyItsFailedStepsAgain(Executor executor) {
    String name = "again-" + executor.name().toLowerCase(); // retry-* are retry.yaml's
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            "busybox:1.36",
            executor,
            """
            - {name: a, command: [sh, -c, 'echo "x=$(date +%s%N)" >> $SHEPHERD_OUTPUT']}
            - {name: b, depends: [a], command: [sh, -c, 'test "$FIX" = yes']}
            - {name: c, depends: [b], command: [sh, -c, 'echo "got=${{ steps.a.outputs.x }}" >> $SHEPHERD_OUTPUT']}
            """);
    w.getSpec().params = List.of(new dev.shepherd.api.Param("FIX", "no"));
    client.resource(w).create();
    Workflow failed = awaitFinal(name, WORKFLOW_TIMEOUT);
    assertThat(failed.getStatus().phase)
        .as(failed.getStatus().message)
        .isEqualTo(WorkflowPhase.Failed);
    String x = failed.getStatus().step("a").outputs.get("x");

    SpecPatch.merge(
        client,
        NAMESPACE,
        name,
        "{\"params\":[{\"name\":\"FIX\",\"value\":\"yes\"}],\"retryGeneration\":1}");

    Workflow done =
        await()
            .atMost(WORKFLOW_TIMEOUT)
            .pollInterval(Duration.ofMillis(500))
            .until(() -> get(name), y -> y.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(done.getStatus().step("a").startedAt)
        .as("a did not run again")
        .isEqualTo(failed.getStatus().step("a").startedAt);
    assertThat(done.getStatus().step("c").outputs).containsEntry("got", x);
    assertThat(done.getStatus().retries)
        .singleElement()
        .satisfies(r -> assertThat(r.steps).containsExactly("b", "c"));
    if (executor == Executor.SUPERVISOR) {
      assertThat(client.pods().inNamespace(NAMESPACE).withName(name + "-supervisor-retry1").get())
          .isNotNull();
    } else {
      assertThat(done.getStatus().step("b").podName).isEqualTo(name + "-b-1-retry1");
    }
  }

  /**
   * spec.ttlSecondsAfterFinished on a real API server: the finished Workflow is deleted, and its
   * Pods go with it through their ownerReferences (the real garbage collector).
   */
  @Order(3)
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aFinishedWorkflowIsDeletedWhenItsTimeToLiveIsUp(Executor executor) {
    String name = "ttl-" + executor.name().toLowerCase();
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            "busybox:1.36",
            executor,
            """
            - {name: a, command: [sh, -c, 'echo a']}
            """);
    w.getSpec().ttlSecondsAfterFinished = 1L;
    client.resource(w).create();
    await()
        .atMost(WORKFLOW_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> get(name) == null);
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> pods(name).isEmpty());
  }

  /**
   * A Pod the cluster refuses at creation (an admission plugin: no PriorityClass of that name)
   * fails the workflow with reason InvalidSpec, its message the API server's, in both executors.
   */
  @Order(3)
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aPodTheClusterRefusesFailsTheWorkflowAsAnInvalidSpec(Executor executor) {
    String name = "refused-" + executor.name().toLowerCase();
    Workflow w =
        Example.workflow(
            name,
            NAMESPACE,
            "busybox:1.36",
            executor,
            """
            - {name: a, command: [sh, -c, 'echo never']}
            """);
    w.getSpec().podTemplate = new dev.shepherd.api.PodTemplate();
    w.getSpec().podTemplate.priorityClassName = "no-such-priority-class";
    client.resource(w).create();

    Workflow done = awaitFinal(name, WORKFLOW_TIMEOUT);

    assertThat(done.getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(done.getStatus().message)
        .startsWith("Invalid spec: The API server refused Pod ")
        .contains("no-such-priority-class");
    assertThat(pods(name)).isEmpty();
  }

  /**
   * The log of a workflow's supervisor container, once the kubelet has reported that it ended (the
   * supervisor may report the workflow's end before the kubelet reports the container's).
   */
  private static String supervisorLog(String workflow) {
    String pod = SupervisorPodBuilder.name(workflow);
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> client.pods().inNamespace(NAMESPACE).withName(pod).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && p.getStatus().getContainerStatuses() != null
                    && p.getStatus().getContainerStatuses().stream()
                        .anyMatch(
                            c ->
                                SupervisorPodBuilder.CONTAINER.equals(c.getName())
                                    && c.getState() != null
                                    && c.getState().getTerminated() != null));
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(pod)
        .inContainer(SupervisorPodBuilder.CONTAINER)
        .getLog();
  }

  private static Workflow awaitFinal(String name, Duration within) {
    return await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> get(name),
            x ->
                x != null
                    && x.getStatus() != null
                    && x.getStatus().phase != null
                    && x.getStatus().phase.isFinal());
  }

  private static Workflow get(String name) {
    return client.resources(Workflow.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static List<Pod> pods(String workflow) {
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(StepPodBuilder.WORKFLOW_LABEL, workflow)
        .list()
        .getItems();
  }

  private static void recreateNamespace(String podSecurity) {
    if (client.namespaces().withName(NAMESPACE).get() != null) {
      client.namespaces().withName(NAMESPACE).delete();
      client
          .namespaces()
          .withName(NAMESPACE)
          .waitUntilCondition(ns -> ns == null, 3, TimeUnit.MINUTES);
    }
    NamespaceBuilder ns =
        new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata();
    if (podSecurity != null && !podSecurity.isBlank()) {
      ns.editMetadata().addToLabels(POD_SECURITY_LABEL, podSecurity.strip()).endMetadata();
    }
    client.namespaces().resource(ns.build()).create();
  }

  private static List<Path> exampleFiles() throws IOException {
    return Example.files();
  }

  private static String env(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? otherwise : value.strip();
  }

  /** kubectl with the named cluster's kubeconfig; fails the tier with its output when it fails. */
  private static void kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s ends", command).isTrue();
    assertThat(p.exitValue()).as("%s:%n%s", String.join(" ", command), out).isZero();
  }
}
