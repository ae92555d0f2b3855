package dev.shepherd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.Executor;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.operator.TestingCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end: the real Operator on the mock API server, and a test kubelet that runs each Pod as
 * real processes. In pod mode every step Pod is a process; in supervisor mode the Pod's init
 * container copies the jlinked supervisor runtime that {@code mvn package} built, and its main
 * container is {@code shepherd supervise}, a real JVM talking to the mock API server.
 */
class ExamplesIT {
  static final Path RUNTIME = TestKubelet.RUNTIME;

  private static TestingCluster cluster;
  private static ShepherdOperator operator;
  private static TestKubelet kubelet;

  @BeforeAll
  static void start(@TempDir Path root) {
    assertThat(RUNTIME.resolve("bin/shepherd"))
        .as("the supervisor runtime (mvn package builds it)")
        .exists();
    cluster = new TestingCluster();
    startOperator();
    kubelet = TestKubelet.forExamples(cluster.client, cluster.port(), root).start();
  }

  static void startOperator() {
    operator =
        new ShepherdOperator(
            cluster.client,
            Clock.systemUTC(),
            o ->
                o.withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.start();
  }

  @AfterAll
  static void stop() {
    kubelet.close();
    operator.close();
    cluster.close();
  }

  static Stream<Arguments> examples() throws IOException {
    List<Path> files = Example.files();
    List<Arguments> cases = new ArrayList<>();
    for (Executor executor : Executor.values()) {
      files.forEach(f -> cases.add(Arguments.of(executor, f)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("examples")
  void exampleEndsInThePhaseItsHeaderStates(Executor executor, Path file) throws IOException {
    Example example = Example.read(file);
    Workflow w = example.workflow();
    String name = w.getMetadata().getName() + "-" + executor.name().toLowerCase();
    w.getMetadata().setName(name);
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    w.getSpec().executor = executor;
    example.createTemplates(cluster.client, TestingCluster.NAMESPACE);
    cluster.client.resource(w).create();

    Workflow done = awaitFinal(name, Duration.ofSeconds(90));
    assertThat(done.getStatus().phase).as(done.getStatus().message).isEqualTo(example.ends());
    example.assertStepsConsistent(done);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(kubelet.leftovers()).isEmpty());
  }

  /**
   * The outputs of examples/outputs.yaml reach the status: through the kubelet's termination
   * message in pod mode, through the supervisor's file per attempt in supervisor mode.
   */
  @ParameterizedTest
  @EnumSource(Executor.class)
  void theOutputsOfTheOutputsExampleAreInTheStatus(Executor executor) throws IOException {
    Workflow w = Example.read(Path.of("examples", "outputs.yaml")).workflow();
    String name = "outputs-status-" + executor.name().toLowerCase();
    w.getMetadata().setName(name);
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    w.getSpec().executor = executor;
    cluster.client.resource(w).create();

    Workflow done = awaitFinal(name, Duration.ofSeconds(90));
    assertThat(done.getStatus().phase)
        .as(done.getStatus().message)
        .isEqualTo(WorkflowPhase.Succeeded);
    assertThat(done.getStatus().step("version").outputs)
        .containsExactly(
            Map.entry("version", "1.4.2"), Map.entry("notes", "Faster start-up.\nFewer zombies."));
  }

  @ParameterizedTest
  @EnumSource(Executor.class)
  void deletingARunningWorkflowStopsItsProcesses(Executor executor) {
    String name = "endless-" + executor.name().toLowerCase();
    Workflow w = endless(name, executor);
    cluster.client.resource(w).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> kubelet.leftovers().stream().anyMatch(p -> p.contains("(sleep)")));
    cluster.client.resource(w).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(kubelet.leftovers()).isEmpty());
    assertThat(cluster.pods(name)).isEmpty();
  }

  @Test
  void aSupervisorKilledMidRunFailsTheWorkflowInsteadOfLeavingItRunning() {
    Workflow w = endless("killed", Executor.SUPERVISOR);
    cluster.client.resource(w).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Workflow x = cluster.get("killed");
              return x.getStatus() != null && x.getStatus().phase == WorkflowPhase.Running;
            });
    // The supervisor is the one JVM among the Pod's processes; the kernel names it after the file
    // it executed, the runtime's glibc loader (a name cut to 15 characters).
    String loader = Path.of(SupervisorPodBuilder.COMMAND.getFirst()).getFileName().toString();
    String comm = "(" + loader.substring(0, Math.min(15, loader.length())) + ")";
    List<String> javas = kubelet.leftovers().stream().filter(l -> l.contains(comm)).toList();
    assertThat(javas).as("the supervisor JVM").hasSize(1);
    long pid = Long.parseLong(javas.getFirst().split(" ")[0]);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: no chance to report

    Workflow done = awaitFinal("killed", Duration.ofSeconds(30));
    assertThat(done.getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(done.getStatus().step("forever").phase).isEqualTo(StepPhase.Failed);
    assertThat(done.getStatus().step("forever").reason).isNotBlank();
    assertThat(done.getStatus().step("after").phase).isEqualTo(StepPhase.Skipped);
    cluster.client.resource(done).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(kubelet.leftovers()).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(Executor.class)
  void anOperatorRestartedMidRunNeitherRerunsNorDuplicatesSteps(Executor executor)
      throws Exception {
    String name = "restart-" + executor.name().toLowerCase();
    Workflow w =
        workflow(
            name,
            executor,
            """
        - {name: a, command: [sh, -c, 'echo a']}
        - {name: b, depends: [a], command: [sh, -c, 'sleep 3']}
        - {name: c, depends: [b], command: [sh, -c, 'echo c']}
        """);
    cluster.client.resource(w).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Workflow x = cluster.get(name);
              return x.getStatus() != null
                  && x.getStatus().step("b") != null
                  && x.getStatus().step("b").phase == StepPhase.Running;
            });
    operator.close();
    Thread.sleep(500);
    startOperator();
    Workflow done = awaitFinal(name, Duration.ofSeconds(60));
    assertThat(done.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(done.getStatus().steps).allMatch(s -> s.attempts == 1);
    assertThat(cluster.pods(name)).hasSize(executor == Executor.POD ? 3 : 1);
  }

  /**
   * Retry in place with real processes: the steps that succeeded (and their outputs) are kept and
   * not run again; the failed one runs again, in a new Pod, from the stored status.
   */
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aFailedWorkflowRetriedInPlaceRunsOnlyItsFailedStepsAgain(Executor executor)
      throws IOException {
    // Not retry-<executor>: the example retry.yaml runs under those names.
    String name = "again-" + executor.name().toLowerCase();
    Path dir = Files.createTempDirectory(name);
    Workflow w =
        workflow(
            name,
            executor,
            """
        - {name: a, command: [sh, -c, 'echo run >> %1$s/a; echo "x=from-a" >> $SHEPHERD_OUTPUT']}
        - {name: b, depends: [a], command: [sh, -c, 'test -f %1$s/b || { touch %1$s/b; exit 3; }']}
        - {name: c, depends: [b], command: [sh, -c, 'echo "${{ steps.a.outputs.x }}" > %1$s/c']}
        """
                .formatted(dir));
    cluster.client.resource(w).create();
    Workflow failed = awaitFinal(name, Duration.ofSeconds(60));
    assertThat(failed.getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(failed.getStatus().step("b").exitCode).isEqualTo(3);

    cluster.patchSpec(name, "{\"retryGeneration\":1}");
    Workflow done =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> cluster.get(name), x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(Files.readAllLines(dir.resolve("a"))).as("a ran once").containsExactly("run");
    assertThat(Files.readString(dir.resolve("c")).strip()).isEqualTo("from-a");
    assertThat(done.getStatus().step("a").outputs).containsEntry("x", "from-a");
    assertThat(done.getStatus().step("b").attempts).isEqualTo(1);
    assertThat(done.getStatus().retries)
        .singleElement()
        .satisfies(r -> assertThat(r.rerun).isEqualTo(2));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(kubelet.leftovers()).isEmpty());
  }

  /**
   * spec.suspend set on a running Workflow, as {@code kubectl patch} does: the running step
   * finishes, the one after it does not start, the phase is Suspended; false resumes. In supervisor
   * mode the supervisor reads it from the API server while it runs.
   */
  @ParameterizedTest
  @EnumSource(Executor.class)
  void aSuspendedWorkflowStartsNoStepUntilResumed(Executor executor, @TempDir Path dir)
      throws IOException {
    String name = "pause-" + executor.name().toLowerCase();
    Path gate = dir.resolve("gate");
    Workflow w =
        workflow(
            name,
            executor,
            """
            - {name: a, command: [sh, -c, 'until [ -e %s ]; do sleep 0.1; done']}
            - {name: b, depends: [a], command: [sh, -c, 'echo b']}
            """
                .formatted(gate));
    cluster.client.resource(w).create();
    awaitStatus(name, x -> x.step("a") != null && x.step("a").phase == StepPhase.Running);

    cluster.patchSpec(name, "{\"suspend\":true}");
    awaitStatus(name, x -> x.phase == WorkflowPhase.Suspended);
    Files.createFile(gate);
    Workflow suspended =
        awaitStatus(
            name,
            x -> x.phase == WorkflowPhase.Suspended && x.step("a").phase == StepPhase.Succeeded);
    // The status that records a's end is written by the pass that would have started b.
    assertThat(suspended.getStatus().step("b").phase).isEqualTo(StepPhase.Pending);
    assertThat(suspended.getStatus().message)
        .isEqualTo("Suspended: no step starts until spec.suspend is false.");

    cluster.patchSpec(name, "{\"suspend\":false}");
    Workflow done = awaitFinal(name, Duration.ofSeconds(60));
    assertThat(done.getStatus().phase)
        .as(done.getStatus().message)
        .isEqualTo(WorkflowPhase.Succeeded);
    assertThat(done.getStatus().step("b").attempts).isEqualTo(1);
  }

  private static Workflow awaitStatus(String name, Predicate<WorkflowStatus> condition) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> cluster.get(name),
            x -> x != null && x.getStatus() != null && condition.test(x.getStatus()));
  }

  private static Workflow endless(String name, Executor executor) {
    return workflow(
        name,
        executor,
        """
        - {name: forever, command: [sh, -c, 'sleep 300 & sleep 300; wait']}
        - {name: after, depends: [forever], command: [sh, -c, 'echo never']}
        """);
  }

  /** A busybox Workflow in the test namespace, with the given executor and YAML list of steps. */
  private static Workflow workflow(String name, Executor executor, String steps) {
    return Example.workflow(name, TestingCluster.NAMESPACE, "busybox:1.36", executor, steps);
  }

  private static Workflow awaitFinal(String name, Duration within) {
    return await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> cluster.get(name),
            x ->
                x != null
                    && x.getStatus() != null
                    && x.getStatus().phase != null
                    && x.getStatus().phase.isFinal());
  }
}
