package dev.shepherd.supervisor.report;

import static dev.shepherd.supervisor.report.Statuses.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.CarriedManifest;
import dev.shepherd.cli.Main;
import dev.shepherd.engine.Conditions;
import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.operator.TestingCluster;
import dev.shepherd.supervisor.WorkflowRunner;
import dev.shepherd.testing.PidsCgroup;
import dev.shepherd.testing.Unshare;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shepherd supervise} end to end, as a real process: a child JVM running {@link Main} (never
 * a Supervisor in this JVM: see {@code SupervisorProcessTest}), its steps real shell commands, its
 * API server the mock server behind an {@link ApiProxy} that can play an outage.
 */
class SuperviseProcessTest {
  private static final String STATUS_PATH =
      "/apis/shepherd.dev/v1alpha1/namespaces/test/workflows/%s/status";

  @TempDir Path dir;
  private TestingCluster cluster;
  private ApiProxy proxy;
  private final List<Process> processes = new ArrayList<>();
  private final List<PidsCgroup> cgroups = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    cluster = new TestingCluster();
    proxy = new ApiProxy(cluster.port());
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    cgroups.forEach(PidsCgroup::close);
    proxy.close();
    cluster.close();
  }

  private static Step step(String name, String script, String... depends) {
    Step s = new Step(name, depends);
    s.command = List.of("sh", "-c", script);
    return s;
  }

  /** Creates the workflow as the controller would: then sets observedGeneration, its own field. */
  private void create(Workflow w) {
    cluster.create(w);
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName(w.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"observedGeneration\":1}}");
  }

  /** A running {@code shepherd supervise} and where its output goes. */
  private record Supervise(Process process, Path outputFile, Path terminationLog) {
    String output() throws IOException {
      return Files.readString(outputFile, StandardCharsets.UTF_8);
    }

    int awaitExit() throws Exception {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("shepherd supervise did not exit in 60 s; output:\n" + output());
      }
      return process.exitValue();
    }

    WorkflowStatus terminationMessage() throws IOException {
      return Statuses.JSON.readValue(Files.readString(terminationLog), WorkflowStatus.class);
    }
  }

  private Supervise supervise(String workflow, List<String> prefix) throws IOException {
    return supervise(workflow, prefix, Map.of());
  }

  private Supervise supervise(String workflow, List<String> prefix, Map<String, String> env)
      throws IOException {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dkubernetes.master=" + proxy.url(),
            "-Dkubernetes.auth.tryKubeConfig=false",
            "-Dkubernetes.auth.tryServiceAccount=false",
            "-Dkubernetes.namespace=" + TestingCluster.NAMESPACE,
            "-cp",
            classpath,
            Main.class.getName(),
            "supervise"));
    Path terminationLog = dir.resolve(workflow + ".termination-log");
    Path output = dir.resolve(workflow + ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .directory(dir.toFile());
    builder.environment().remove("KUBECONFIG");
    builder.environment().put("_JAVA_SR_SIGNUM", "39");
    builder.environment().put("SHEPHERD_WORKFLOW", workflow);
    builder.environment().put("SHEPHERD_NAMESPACE", TestingCluster.NAMESPACE);
    builder.environment().put("SHEPHERD_POD_NAME", workflow + "-supervisor");
    builder.environment().put("SHEPHERD_TERMINATION_LOG", terminationLog.toString());
    builder.environment().put("SHEPHERD_GRACE_SECONDS", "2");
    builder.environment().put("SHEPHERD_REPORT_TIMEOUT_SECONDS", "60");
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    return new Supervise(process, output, terminationLog);
  }

  private Supervise supervise(String workflow) throws IOException {
    return supervise(workflow, List.of());
  }

  private Workflow awaitWorkflow(String name, Supervise s, Predicate<WorkflowStatus> condition) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!s.process().isAlive() && !condition.test(statusOf(name))) {
                throw new AssertionError(
                    "supervise exited "
                        + s.process().exitValue()
                        + " first; output:\n"
                        + s.output());
              }
              return condition.test(statusOf(name));
            });
    return cluster.get(name);
  }

  private WorkflowStatus statusOf(String name) {
    Workflow w = cluster.get(name);
    return w.getStatus() == null ? new WorkflowStatus() : w.getStatus();
  }

  /**
   * Every request the supervisor made: only GET and PATCH of its own workflow's status subresource.
   */
  private List<RecordedRequest> supervisorRequests(String workflow) throws InterruptedException {
    List<RecordedRequest> found = new ArrayList<>();
    RecordedRequest r;
    while ((r = cluster.server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      String agent = r.getHeader("User-Agent");
      if (agent != null && agent.startsWith(WorkflowStatusApi.USER_AGENT)) {
        found.add(r);
      }
    }
    assertThat(found)
        .isNotEmpty()
        .allSatisfy(
            req -> {
              assertThat(req.getPath()).isEqualTo(STATUS_PATH.formatted(workflow));
              assertThat(req.getMethod()).isIn("GET", "PATCH");
            });
    return found;
  }

  @Test
  void threeStepsSucceed() throws Exception {
    create(
        workflow(
            "three",
            step("a", "echo hello from a"),
            step("b", "echo b saw $SHEPHERD_STEP", "a"),
            step("c", "echo c; exit 0", "b")));
    Supervise s = supervise("three");
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isZero();

    WorkflowStatus status = cluster.get("three").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.progress).isEqualTo("3/3");
    assertThat(status.finishedAt).isNotNull();
    assertThat(status.steps)
        .extracting(st -> st.name, st -> st.phase, st -> st.exitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", StepPhase.Succeeded, 0),
            org.assertj.core.groups.Tuple.tuple("b", StepPhase.Succeeded, 0),
            org.assertj.core.groups.Tuple.tuple("c", StepPhase.Succeeded, 0));
    assertThat(status.observedGeneration).as("the controller's field").isEqualTo(1L);
    assertThat(output)
        .contains("[a] hello from a", "[b] b saw b", "[c] c")
        .contains("step a attempt 1 exited with code 0", "step c attempt 1 exited with code 0");
    assertThat(s.terminationMessage().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(s.terminationMessage().steps).hasSize(3);
    List<RecordedRequest> requests = supervisorRequests("three");
    assertThat(requests.getFirst().getMethod()).isEqualTo("GET");
  }

  /**
   * The supervisor follows spec.suspend while it runs (it runs the spec it started with otherwise):
   * the running step finishes, the next does not start, the phase is Suspended at the generation it
   * read; false again resumes, and the workflow succeeds.
   */
  @Test
  void aSuspendSetWhileItRunsStartsNoStepUntilResumed() throws Exception {
    Path gate = dir.resolve("gate");
    create(
        workflow(
            "pause",
            step("a", "until [ -e " + gate + " ]; do sleep 0.1; done"),
            step("b", "echo b ran", "a")));
    Supervise s = supervise("pause");
    awaitWorkflow(
        "pause", s, st -> st.step("a") != null && st.step("a").phase == StepPhase.Running);

    cluster.patchSpec("pause", "{\"suspend\":true}");
    awaitWorkflow("pause", s, st -> st.phase == WorkflowPhase.Suspended);
    Files.createFile(gate);
    WorkflowStatus suspended =
        awaitWorkflow(
                "pause",
                s,
                st ->
                    st.phase == WorkflowPhase.Suspended
                        && st.step("a").phase == StepPhase.Succeeded)
            .getStatus();
    // The status that records a's end comes from the plan that would have started b.
    assertThat(suspended.step("b").phase).isEqualTo(StepPhase.Pending);
    assertThat(suspended.message)
        .isEqualTo("Suspended: no step starts until spec.suspend is false.");
    assertThat(Conditions.find(suspended, Conditions.RECONCILING).getObservedGeneration())
        .as("the generation of the spec that suspended it")
        .isEqualTo(2L);

    cluster.patchSpec("pause", "{\"suspend\":false}");
    assertThat(s.awaitExit()).as(s.output()).isZero();
    WorkflowStatus done = cluster.get("pause").getStatus();
    assertThat(done.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(done.step("b").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(s.output()).contains("spec.suspend is true (generation 2)", "[b] b ran");
    supervisorRequests("pause");
  }

  /**
   * A step's outputs, written to a file in {@code SHEPHERD_OUTPUTS_DIR}, reach the API server and
   * the termination message; the file is gone after the step.
   */
  @Test
  void outputsInTheOutputsDirectoryReachTheStatus() throws Exception {
    create(
        workflow(
            "outputs",
            step("a", "echo \"version=1.2\" >> \"$SHEPHERD_OUTPUT\""),
            step("b", "[ ! -e \"$OUTPUTS/a.1\" ] && [ -f \"$SHEPHERD_OUTPUT\" ]", "a")));
    Path outputs = Files.createDirectory(dir.resolve("outputs"));
    Supervise s =
        supervise(
            "outputs",
            List.of(),
            Map.of("SHEPHERD_OUTPUTS_DIR", outputs.toString(), "OUTPUTS", outputs.toString()));
    assertThat(s.awaitExit()).as(s.output()).isZero();

    WorkflowStatus status = cluster.get("outputs").getStatus();
    assertThat(status.phase).as(status.message).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.step("a").outputs).containsExactly(Map.entry("version", "1.2"));
    assertThat(s.terminationMessage().step("a").outputs)
        .containsExactly(Map.entry("version", "1.2"));
    try (var left = Files.list(outputs)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void theWorkflowThePodCarriesRunsWithoutAReadOfTheWorkflow() throws Exception {
    Workflow w = workflow("carried", step("a", "echo carried a"), step("b", "exit 4", "a"));
    create(w);
    Supervise s =
        supervise(
            "carried", List.of(), Map.of(CarriedManifest.ENV, SupervisorPodBuilder.manifest(w)));
    int code = s.awaitExit();
    assertThat(code).as(s.output()).isEqualTo(1);
    WorkflowStatus status = cluster.get("carried").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.step("b").exitCode).isEqualTo(4);
    assertThat(status.observedGeneration).as("the controller's field").isEqualTo(1L);
    assertThat(s.output())
        .contains("supervising workflow test/carried (from SHEPHERD_MANIFEST)", "[a] carried a");
    assertThat(supervisorRequests("carried"))
        .extracting(RecordedRequest::getMethod)
        .containsOnly("PATCH");
  }

  /**
   * The supervisor of a retry in place ({@value CarriedManifest#RETRY_ENV}) runs the carried spec
   * on from the stored status: the step that succeeded is not run again, and its outputs are read.
   */
  @Test
  void aRetrysSupervisorGoesOnFromTheStoredStatus() throws Exception {
    Workflow w =
        workflow(
            "again",
            step("a", "echo a ran"),
            step("b", "echo \"got ${{ steps.a.outputs.x }}\"", "a"));
    create(w);
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName("again")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            """
            {"status":{"phase":"Pending","startedAt":"2026-12-06T10:00:00Z","steps":[
              {"name":"a","phase":"Succeeded","attempts":1,"exitCode":0,"outputs":{"x":"kept"}},
              {"name":"b","phase":"Pending","attempts":0}],
             "retries":[{"generation":1,"time":"2026-12-06T10:05:00Z","rerun":1,"steps":["b"]}]}}
            """);
    Supervise s =
        supervise(
            "again",
            List.of(),
            Map.of(
                CarriedManifest.ENV,
                SupervisorPodBuilder.manifest(w),
                CarriedManifest.RETRY_ENV,
                "1"));
    assertThat(s.awaitExit()).as(s.output()).isZero();
    assertThat(s.output()).contains("[b] got kept").doesNotContain("a ran");
    WorkflowStatus status = cluster.get("again").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.step("a").outputs).containsEntry("x", "kept");
    assertThat(status.retries).as("the controller's field, left alone").hasSize(1);
  }

  /**
   * A Workflow whose manifest was too big to carry is read from the API server: it runs the spec of
   * the templates its status pinned (its workflowTemplateRef, laid over; a step's call, expanded),
   * as the controller resolved it.
   */
  @Test
  void aWorkflowReadFromTheApiServerRunsTheTemplatesItsStatusPinned() throws Exception {
    Workflow w = workflow("pinned", step("unused", "echo unused"));
    w.getSpec().steps = null;
    w.getSpec().workflowTemplateRef = new dev.shepherd.api.WorkflowTemplateRef("outer");
    create(w);
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName("pinned")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            """
            {"status":{"templateName":"outer",
              "templateSpec":"{\\"steps\\":[{\\"name\\":\\"first\\",\\"command\\":[\\"sh\\",\\"-c\\",\\"echo first\\"]},{\\"name\\":\\"call\\",\\"depends\\":[\\"first\\"],\\"template\\":{\\"name\\":\\"inner\\"}}]}",
              "stepTemplates":[{"name":"inner","resourceVersion":"1",
                "spec":"{\\"steps\\":[{\\"name\\":\\"hello\\",\\"command\\":[\\"sh\\",\\"-c\\",\\"echo inner hello\\"]}]}"}]}}
            """);
    Supervise s = supervise("pinned");
    assertThat(s.awaitExit()).as(s.output()).isZero();
    assertThat(s.output()).contains("[first] first", "[call-hello] inner hello");
    WorkflowStatus status = cluster.get("pinned").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.steps).extracting(x -> x.name).containsExactly("first", "call-hello");
  }

  @Test
  void aManifestOfAnotherWorkflowIsIgnoredAndTheWorkflowRead() throws Exception {
    Workflow mine = workflow("mine", step("a", "echo mine"));
    create(mine);
    Workflow other = workflow("other", step("a", "echo other"));
    Supervise s =
        supervise(
            "mine", List.of(), Map.of(CarriedManifest.ENV, SupervisorPodBuilder.manifest(other)));
    assertThat(s.awaitExit()).as(s.output()).isZero();
    assertThat(s.output())
        .contains("[a] mine", "does not hold workflow mine", "(read from the API server)")
        .doesNotContain("[a] other");
    assertThat(supervisorRequests("mine").getFirst().getMethod()).isEqualTo("GET");
  }

  @Test
  void aFailingStepFailsTheWorkflow() throws Exception {
    create(
        workflow(
            "fails",
            step("a", "true"),
            step("b", "echo about to fail; exit 3", "a"),
            step("c", "echo never", "b")));
    Supervise s = supervise("fails");
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isEqualTo(1);

    WorkflowStatus status = cluster.get("fails").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    StepStatus b = status.step("b");
    assertThat(b.phase).isEqualTo(StepPhase.Failed);
    assertThat(b.exitCode).isEqualTo(3);
    assertThat(status.step("c").phase).isEqualTo(StepPhase.Skipped);
    assertThat(output).contains("step b attempt 1 exited with code 3").doesNotContain("[c] never");
    assertThat(s.terminationMessage().phase).isEqualTo(WorkflowPhase.Failed);
    supervisorRequests("fails");
  }

  /**
   * The supervisor validates what it runs: a step without a command fails the workflow before any
   * starts.
   */
  @Test
  void aSpecThatCannotRunAsProcessesIsRejectedBeforeAnyStep() throws Exception {
    create(workflow("nocmd", step("a", "echo ran a"), new Step("b", "a")));
    Supervise s = supervise("nocmd");
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isEqualTo(1);

    WorkflowStatus status = cluster.get("nocmd").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message).startsWith("Invalid spec: Step \"b\" has no command;");
    assertThat(status.conditions)
        .filteredOn(c -> c.getType().equals("Failed"))
        .singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("InvalidSpec"));
    assertThat(status.steps).isEmpty();
    assertThat(output).doesNotContain("ran a");
    assertThat(s.terminationMessage().phase).isEqualTo(WorkflowPhase.Failed);
  }

  @Test
  void sigtermCancelsTheWorkflowAndLeavesNoStepProcess() throws Exception {
    // The step starts a grandchild and ignores SIGTERM: only the SIGKILL after the grace period
    // ends it.
    create(
        workflow(
            "term",
            step("a", "true"),
            step(
                "b", "trap '' TERM; sleep 300 & echo $! > b-child.pid; echo $$ > b.pid; wait", "a"),
            step("c", "true", "b")));
    Supervise s = supervise("term");
    awaitWorkflow("term", s, st -> st.step("b") != null && st.step("b").phase == StepPhase.Running);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("b.pid")));
    long stepPid = Long.parseLong(Files.readString(dir.resolve("b.pid")).strip());
    long childPid = Long.parseLong(Files.readString(dir.resolve("b-child.pid")).strip());
    assertThat(alive(stepPid)).isTrue();
    assertThat(alive(childPid)).isTrue();

    s.process().destroy(); // SIGTERM
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isEqualTo(143);
    WorkflowStatus status = cluster.get("term").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
    assertThat(status.message).contains("SIGTERM");
    assertThat(status.step("c").phase)
        .isNotEqualTo(StepPhase.Succeeded)
        .isNotEqualTo(StepPhase.Running);
    assertThat(status.step("b").phase).isNotEqualTo(StepPhase.Running);
    assertThat(alive(stepPid)).as("the step's shell").isFalse();
    assertThat(alive(childPid)).as("the step's grandchild").isFalse();
    assertThat(s.terminationMessage().phase).isEqualTo(WorkflowPhase.Cancelled);
    supervisorRequests("term");
  }

  @Test
  void sigintCancelsWithExitCode130() throws Exception {
    create(workflow("int", step("a", "echo started > a.started; sleep 300")));
    Supervise s = supervise("int");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("a.started")));
    kill("INT", s.process().pid());
    int code = s.awaitExit();
    assertThat(code).as(s.output()).isEqualTo(130);
    WorkflowStatus status = cluster.get("int").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
    assertThat(status.message).contains("SIGINT");
  }

  @Test
  void hupUsr1AndUsr2AreRelayedToTheSteps() throws Exception {
    // The step records every signal it gets and ends after USR2. It waits in a loop of builtins,
    // forking nothing: dash starts external commands with vfork, and a signal that lands while the
    // vforked child shares the shell's memory can lose the shell's pending trap (seen once in CI).
    create(
        workflow(
            "relay",
            step(
                "a",
                "trap 'echo HUP >> got' HUP; trap 'echo USR1 >> got' USR1;"
                    + " trap 'echo USR2 >> got; exit 0' USR2; echo ready > a.ready; while :; do :; done")));
    Supervise s = supervise("relay");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("a.ready")));
    Path got = dir.resolve("got");
    for (String signal : List.of("HUP", "USR1", "USR2")) {
      kill(signal, s.process().pid());
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Files.exists(got) && Files.readAllLines(got).contains(signal));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "the step never recorded SIG"
                + signal
                + "; got: "
                + (Files.exists(got) ? Files.readAllLines(got) : "nothing")
                + "; supervisor output:\n"
                + s.output(),
            e);
      }
    }
    int code = s.awaitExit();
    assertThat(code).as(s.output()).isZero();
    assertThat(Files.readAllLines(got)).containsExactly("HUP", "USR1", "USR2");
    assertThat(s.output()).contains("relaying SIGHUP", "relaying SIGUSR1", "relaying SIGUSR2");
    assertThat(cluster.get("relay").getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  private static void kill(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
  }

  @Test
  void anOutageMidWorkflowStillEndsWithTheFinalStatus() throws Exception {
    create(
        workflow(
            "outage",
            step("a", "true"),
            step("b", "while [ ! -e gate ]; do sleep 0.05; done; echo through", "a"),
            step("c", "echo c", "b")));
    Supervise s = supervise("outage");
    awaitWorkflow(
        "outage", s, st -> st.step("b") != null && st.step("b").phase == StepPhase.Running);

    proxy.refuse();
    Files.writeString(dir.resolve("gate"), "open");
    // The workflow ends while the API server is away: the termination message has it, the API
    // doesn't.
    // The supervisor rewrites the file in place (a kubelet reads it only after the container
    // ends), so a read can catch it half-written: such a read is retried.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                Files.exists(s.terminationLog())
                    && s.terminationMessage().phase == WorkflowPhase.Succeeded);
    Thread.sleep(500); // a few retries fail meanwhile
    assertThat(s.process().isAlive()).as("waits for the API server before exiting").isTrue();
    assertThat(cluster.get("outage").getStatus().phase).isEqualTo(WorkflowPhase.Running);

    proxy.forward();
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isZero();
    WorkflowStatus status = cluster.get("outage").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.steps).allMatch(st -> st.phase == StepPhase.Succeeded);
    assertThat(status.observedGeneration).isEqualTo(1L);
    assertThat(output).contains("cannot write the status yet", "final status written");
  }

  @Test
  void theApiServerAwayAtStartIsWaitedFor() throws Exception {
    create(workflow("late", step("a", "echo a")));
    proxy.refuse();
    Supervise s = supervise("late");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> s.output().contains("cannot read workflow late yet"));
    proxy.forward();
    int code = s.awaitExit();
    assertThat(code).as(s.output()).isZero();
    assertThat(cluster.get("late").getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  @Test
  void asPid1ItReapsOrphansAndLeavesNoZombie() throws Exception {
    String why = Unshare.problem();
    assumeTrue(why == null, () -> "cannot run as PID 1 in a new PID namespace: " + why);
    // Steps orphan children (they are reparented to PID 1, the supervisor); the last step, in the
    // same PID namespace, fails if it finds a zombie in /proc (mounted for the namespace).
    create(
        workflow(
            "init",
            step(
                "orphans",
                "for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 0.2 &) ; done; sleep 0.2 & exit 0"),
            step(
                "more",
                "sh -c 'sleep 0.3 & exit 0' & sh -c 'sleep 0.3 & exit 0' & wait",
                "orphans"),
            step(
                "check",
                "echo pid $$ parent $PPID; sleep 1.5; z=$(grep -l ') Z ' /proc/[0-9]*/stat);"
                    + " if [ -n \"$z\" ]; then echo ZOMBIES; cat $z; exit 1; fi; echo no zombies",
                "orphans",
                "more")));
    Supervise s =
        supervise("init", List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child"));
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isZero();
    assertThat(output)
        .contains("PID 1")
        .contains("[check] no zombies")
        .containsPattern("\\[check\\] pid \\d+ parent 1\\b");
    WorkflowStatus status = cluster.get("init").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  private static boolean alive(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    try {
      String text = Files.readString(stat);
      return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }

  private static final List<String> AS_PID1 =
      List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");

  /**
   * One argument over the kernel's limit for a single argument (MAX_ARG_STRLEN, 128 KiB): the step
   * cannot be started (E2BIG). The supervisor, as PID 1, records it as failed with the errno in
   * words, still runs the other step, reports the final status and exits 1.
   */
  @Test
  void aStepWhoseArgumentIsTooLongFailsWithTheErrnoInWords() throws Exception {
    String why = Unshare.problem();
    assumeTrue(why == null, () -> "cannot run as PID 1 in a new PID namespace: " + why);
    Step big = step("big", "echo never");
    big.args = List.of("x".repeat(200 * 1024));
    create(workflow("toolong", big, step("other", "echo other ran")));
    Supervise s = supervise("toolong", AS_PID1);
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isEqualTo(1);
    WorkflowStatus status = cluster.get("toolong").getStatus();
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.step("big").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("big").reason).isEqualTo(WorkflowRunner.START_FAILED_REASON);
    assertThat(status.step("big").message).contains("Argument list too long");
    assertThat(status.step("other").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(output)
        .contains("PID 1", "[other] other ran", "Argument list too long", "final status written")
        .doesNotContain("Exception");
    assertThat(s.terminationMessage().phase).isEqualTo(WorkflowPhase.Failed);
  }

  /**
   * A Pod out of PIDs: the supervisor, as PID 1 in a pids cgroup whose {@code pids.max} is reached,
   * cannot start the next step (posix_spawn fails with EAGAIN). It records the step as failed with
   * the errno in words, reports the final status and exits 1.
   */
  @Test
  void aStepStartedWhenThePodIsOutOfPidsFailsWithTheErrnoInWords() throws Exception {
    String why = Unshare.problem();
    assumeTrue(why == null, () -> "cannot run as PID 1 in a new PID namespace: " + why);
    PidsCgroup cgroup;
    try {
      cgroup = PidsCgroup.create("shepherd-supervise-test");
    } catch (PidsCgroup.Unavailable e) {
      System.out.println("skipped: no pids cgroup to run the supervisor in: " + e.getMessage());
      assumeTrue(false, "no pids cgroup to run the supervisor in: " + e.getMessage());
      return;
    }
    cgroups.add(cgroup);
    // The first step waits in a loop of shell builtins, which forks nothing, until the gate opens.
    create(
        workflow(
            "nopids",
            step("hold", "echo ready > hold.ready; while [ ! -e gate ]; do :; done"),
            step("next", "echo never", "hold")));
    List<String> inCgroup =
        new ArrayList<>(
            List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.procs().toString()));
    inCgroup.addAll(AS_PID1);
    Supervise s = supervise("nopids", inCgroup);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(dir.resolve("hold.ready")) || !s.process().isAlive());
    assertThat(s.process().isAlive()).as(s.output()).isTrue();
    // Below what the supervisor's threads and the first step hold: no task can be made, even after
    // the first step has ended and a few threads of the JVM have too.
    cgroup.max(Long.toString(Math.max(1, cgroup.current() - 3)));
    Files.writeString(dir.resolve("gate"), "open");

    Workflow failed =
        awaitWorkflow(
            "nopids",
            s,
            st -> st.step("next") != null && st.step("next").phase == StepPhase.Failed);
    StepStatus next = failed.getStatus().step("next");
    assertThat(next.reason).isEqualTo(WorkflowRunner.START_FAILED_REASON);
    assertThat(next.message).contains("Resource temporarily unavailable");
    assertThat(failed.getStatus().step("hold").phase).isEqualTo(StepPhase.Succeeded);
    cgroup.max("max");
    int code = s.awaitExit();
    String output = s.output();
    assertThat(code).as(output).isEqualTo(1);
    assertThat(cluster.get("nopids").getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(output)
        .contains("Resource temporarily unavailable", "final status written")
        .doesNotContain("Exception");
  }
}
