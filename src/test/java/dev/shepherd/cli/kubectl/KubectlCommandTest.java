package dev.shepherd.cli.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each command of {@code kubectl shepherd} against the mock API server: effect, output, exit. */
class KubectlCommandTest {
  private static final String NS = TestingCluster.NAMESPACE;

  private final TestingCluster cluster = new TestingCluster();
  private final Plugin plugin = new Plugin(cluster.server::createClient);

  @TempDir Path dir;

  @AfterEach
  void close() {
    cluster.close();
  }

  private Path file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private static final String TWO_STEPS =
      """
      apiVersion: shepherd.dev/v1alpha1
      kind: Workflow
      metadata: {name: two}
      spec:
        image: busybox:1.36
        params: [{name: TARGET, value: world}]
        steps:
          - {name: a, command: [sh, -c, 'echo a']}
          - {name: b, depends: [a], command: [sh, -c, 'echo b']}
      """;

  @Test
  void submitCreatesTheWorkflowOfTheFileWithTheParamsGiven() throws IOException {
    Plugin.Result r =
        plugin.run(
            "submit",
            file("two.yaml", TWO_STEPS).toString(),
            "-p",
            "TARGET=moon",
            "--param=MORE=1");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).isEqualTo("workflow.shepherd.dev/two created\n");
    Workflow w = cluster.get("two");
    assertThat(w.getSpec().steps).extracting(s -> s.name).containsExactly("a", "b");
    assertThat(w.getSpec().params)
        .extracting(p -> p.name + "=" + p.value)
        .containsExactly("TARGET=moon", "MORE=1");
  }

  /** A WorkflowTemplate, then the start of a Workflow: its metadata and spec follow. */
  private static final String TEMPLATE_THEN =
      """
      apiVersion: shepherd.dev/v1alpha1
      kind: WorkflowTemplate
      metadata: {name: build}
      spec:
        image: busybox:1.36
        steps:
          - {name: compile, command: [sh, -c, 'echo compile']}
      ---
      apiVersion: shepherd.dev/v1alpha1
      kind: Workflow
      """;

  @Test
  void submitCreatesTheTemplatesBeforeTheWorkflowAndUpdatesThemTheNextTime() throws IOException {
    Path f =
        file(
            "template.yaml",
            TEMPLATE_THEN
                + """
            metadata: {generateName: build-}
            spec:
              workflowTemplateRef: {name: build}
            """);

    Plugin.Result first = plugin.run("submit", f.toString());
    Plugin.Result second = plugin.run("submit", f.toString());

    assertThat(first.code).as(first.toString()).isEqualTo(0);
    assertThat(first.out().lines().toList())
        .first()
        .isEqualTo("workflowtemplate.shepherd.dev/build created");
    assertThat(second.out().lines().toList())
        .first()
        .isEqualTo("workflowtemplate.shepherd.dev/build configured");
    WorkflowTemplate t =
        cluster.client.resources(WorkflowTemplate.class).inNamespace(NS).withName("build").get();
    assertThat(t.getSpec().steps).extracting(s -> s.name).containsExactly("compile");
    List<Workflow> made =
        cluster.client.resources(Workflow.class).inNamespace(NS).list().getItems();
    assertThat(made).hasSize(2);
    assertThat(made)
        .allSatisfy(w -> assertThat(w.getSpec().workflowTemplateRef.name).isEqualTo("build"));
    // The template was there before the Workflow that names it.
    List<String> posts =
        cluster.requests().stream().filter(q -> q.startsWith("POST /apis/shepherd.dev")).toList();
    assertThat(posts.getFirst()).endsWith("/workflowtemplates");
  }

  @Test
  void submitOfAnInvalidFileCreatesNothingAndExits2NamingTheField() throws IOException {
    Path f = file("bad.yaml", TWO_STEPS.replace("depends: [a]", "dependz: [a]"));

    Plugin.Result r = plugin.run("submit", f.toString());

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            f
                + ": document 1, line 9: unknown field \"dependz\" in step \"b\" (did you mean"
                + " \"depends\"?).\n");
    assertThat(cluster.client.resources(Workflow.class).inNamespace(NS).list().getItems())
        .isEmpty();
  }

  @Test
  void lintOfABadFileExits2NamingTheFieldAndOfAGoodOneExits0() throws IOException {
    Path cycle =
        file(
            "cycle.yaml",
            TWO_STEPS.replace("{name: a, command", "{name: a, depends: [b], command"));

    Plugin.Result bad = plugin.run("lint", cycle.toString());
    Plugin.Result good = plugin.run("lint", file("two.yaml", TWO_STEPS).toString());

    assertThat(bad.code).isEqualTo(2);
    assertThat(bad.err()).startsWith(cycle + ": document 1, line ").contains("cycle");
    assertThat(good.code).as(good.toString()).isEqualTo(0);
    assertThat(good.out()).isEqualTo(dir.resolve("two.yaml") + ": 1 document, no problem found\n");
  }

  /**
   * A template alone may lack what a Workflow gives it (an image, say): it is checked where a
   * Workflow of the file runs it, as the operator resolves it.
   */
  @Test
  void lintChecksAWorkflowTemplateWhereAWorkflowOfTheFileRunsIt() throws IOException {
    String template =
        """
        apiVersion: shepherd.dev/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: t}
        spec:
          executor: supervisor
          steps:
            - {name: a, command: [sh, -c, 'echo a']}
        """;
    Path alone = file("t.yaml", template);
    Path run =
        file(
            "run.yaml",
            template
                + """
                ---
                apiVersion: shepherd.dev/v1alpha1
                kind: Workflow
                metadata: {name: w}
                spec:
                  executor: supervisor
                  workflowTemplateRef: {name: t}
                """);

    Plugin.Result ok = plugin.run("lint", alone.toString());
    Plugin.Result r = plugin.run("lint", run.toString());

    assertThat(ok.code).as(ok.toString()).isEqualTo(0);
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err()).contains("document 2").contains("image");
  }

  @Test
  void lintPassesEveryExample() throws IOException {
    try (var files = Files.list(Path.of("examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Plugin.Result r = plugin.run("lint", f.toString());
        assertThat(r.code).as(f + ": " + r).isEqualTo(0);
      }
    }
  }

  /** A Workflow as the operator leaves it: a, then b and c under a, a loop, and a finally step. */
  private Workflow ended() {
    Step loop = OperatorHarness.step("shard", "a");
    loop.items = List.of("x", "y", "z");
    Workflow w =
        OperatorHarness.workflow(
            "tree",
            OperatorHarness.step("a"),
            OperatorHarness.step("b", "a"),
            OperatorHarness.step("c", "b"),
            loop);
    w.getSpec().finallySteps = new ArrayList<>(List.of(OperatorHarness.step("report")));
    w = cluster.create(w);
    WorkflowStatus st = new WorkflowStatus();
    st.phase = WorkflowPhase.Failed;
    st.progress = "5/5";
    st.message = "Step c failed with exit code 3 after 2 attempts.";
    st.startedAt = "2026-12-06T12:00:00Z";
    st.finishedAt = "2026-12-06T12:00:07Z";
    st.steps.add(ran("a", StepPhase.Succeeded, 1, 0, null, "12:00:00", "12:00:01"));
    st.steps.add(ran("b", StepPhase.Succeeded, 1, 0, null, "12:00:01", "12:00:03"));
    st.steps.add(ran("c", StepPhase.Failed, 2, 3, "Error", "12:00:03", "12:00:05.500"));
    StepStatus shard = ran("shard", StepPhase.Failed, 0, null, null, "12:00:01", "12:00:04");
    shard.loop = new LoopStatus(3);
    shard.loop.started = 3;
    shard.loop.succeeded = 2;
    shard.loop.failed = 1;
    RunStatus y = new RunStatus("shard[1]");
    y.phase = StepPhase.Failed;
    y.attempts = 1;
    y.exitCode = 1;
    y.reason = "Error";
    shard.loop.instances.add(y);
    st.steps.add(shard);
    st.steps.add(ran("report", StepPhase.Succeeded, 1, 0, null, "12:00:06", "12:00:07"));
    w.setStatus(st);
    return cluster.client.resource(w).updateStatus();
  }

  private static StepStatus ran(
      String name,
      StepPhase phase,
      int attempts,
      Integer exit,
      String reason,
      String from,
      String to) {
    StepStatus s = new StepStatus(name);
    s.phase = phase;
    s.attempts = attempts;
    s.exitCode = exit;
    s.reason = reason;
    s.startedAt = "2026-12-06T" + from + "Z";
    s.finishedAt = "2026-12-06T" + to + "Z";
    return s;
  }

  @Test
  void getDrawsTheStepsAsATreeWithLoopCountsAndFinallyApart() {
    ended();

    Plugin.Result r = plugin.run("get", "tree");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .isEqualTo(
            """
            Name:      tree
            Namespace: test
            Executor:  pod
            Phase:     Failed
            Progress:  5/5
            Started:   2026-12-06T12:00:00Z
            Duration:  7.0s
            Message:   Step c failed with exit code 3 after 2 attempts.

            STEP            PHASE      ATTEMPTS  DURATION  EXIT  REASON
            a               Succeeded  1         1.0s      0
            ├─ b            Succeeded  1         2.0s      0
            │  └─ c         Failed     2         2.5s      3     Error
            └─ shard        Failed     0         3.0s      -     2/3 succeeded, 1 failed
               └─ shard[1]  Failed     1         -         1     Error

            FINALLY  PHASE      ATTEMPTS  DURATION  EXIT  REASON
            report   Succeeded  1         1.0s      0
            """);
  }

  @Test
  void getPrintsTheWorkflowAsJsonOrYamlAndRefusesOtherFormats() {
    ended();

    Plugin.Result json = plugin.run("get", "tree", "-o", "json");
    Plugin.Result yaml = plugin.run("get", "-o=yaml", "tree");
    Plugin.Result wide = plugin.run("get", "tree", "-o", "wide");

    Workflow fromJson = Serialization.unmarshal(json.out(), Workflow.class);
    assertThat(fromJson.getStatus().step("c").exitCode).isEqualTo(3);
    Workflow fromYaml = Serialization.unmarshal(yaml.out(), Workflow.class);
    assertThat(fromYaml.getMetadata().getName()).isEqualTo("tree");
    assertThat(wide.code).isEqualTo(2);
    assertThat(wide.err()).contains("error: unable to match a printer").contains("json,yaml");
  }

  @Test
  void aWorkflowThatIsNotThereIsNotFoundAsKubectlSaysIt() {
    for (String command :
        List.of("get", "cancel", "suspend", "resume", "retry", "resubmit", "logs", "watch")) {
      Plugin.Result r = plugin.run(command, "nope");
      assertThat(r.code).as(command).isEqualTo(1);
      assertThat(r.err())
          .as(command)
          .isEqualTo("Error from server (NotFound): workflows.shepherd.dev \"nope\" not found\n");
    }
  }

  @Test
  void cancelSuspendAndResumeSetTheirSpecFields() {
    cluster.create(OperatorHarness.workflow("ctl", OperatorHarness.step("a")));

    Plugin.Result suspend = plugin.run("suspend", "ctl");
    assertThat(cluster.get("ctl").getSpec().suspend).isTrue();
    Plugin.Result resume = plugin.run("resume", "ctl");
    assertThat(cluster.get("ctl").getSpec().suspend).isFalse();
    Plugin.Result cancel = plugin.run("cancel", "-n", NS, "ctl");
    assertThat(cluster.get("ctl").getSpec().cancel).isTrue();

    assertThat(suspend.out()).isEqualTo("workflow.shepherd.dev/ctl suspended\n");
    assertThat(resume.out()).isEqualTo("workflow.shepherd.dev/ctl resumed\n");
    assertThat(cancel.out()).isEqualTo("workflow.shepherd.dev/ctl cancelled\n");
    assertThat(List.of(suspend.code, resume.code, cancel.code)).containsOnly(0);
    assertThat(cluster.requests()).filteredOn(q -> q.startsWith("PATCH")).hasSize(3);
  }

  @Test
  void theNamespaceFlagNamesWhereTheWorkflowIs() {
    cluster.create(OperatorHarness.workflow("ctl", OperatorHarness.step("a")));

    Plugin.Result elsewhere = plugin.run("cancel", "ctl", "--namespace", "other");

    assertThat(elsewhere.code).isEqualTo(1);
    assertThat(cluster.get("ctl").getSpec().cancel).isNull();
  }

  private GenericKubernetesResource generic(String name) {
    return cluster
        .client
        .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
        .inNamespace(NS)
        .withName(name)
        .get();
  }

  private void setStatus(String name, Map<String, Object> status) {
    GenericKubernetesResource g = generic(name);
    g.setAdditionalProperty("status", status);
    cluster
        .client
        .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
        .inNamespace(NS)
        .resource(g)
        .updateStatus();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> spec(String name) {
    return (Map<String, Object>) generic(name).getAdditionalProperties().get("spec");
  }

  @Test
  void retrySetsTheNextRetryGenerationAndUncancels() {
    Workflow w = OperatorHarness.workflow("again", OperatorHarness.step("a"));
    w.getSpec().cancel = true;
    cluster.create(w);
    setStatus(
        "again",
        Map.of(
            "phase",
            "Cancelled",
            "retries",
            List.of(Map.of("generation", 1), Map.of("generation", 2))));

    Plugin.Result r = plugin.run("retry", "again");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).isEqualTo("workflow.shepherd.dev/again retried (retryGeneration 3)\n");
    assertThat(spec("again")).containsEntry("retryGeneration", 3).containsEntry("cancel", false);
  }

  @Test
  void theFirstRetryIsGeneration1() {
    cluster.create(OperatorHarness.workflow("once", OperatorHarness.step("a")));
    setStatus("once", Map.of("phase", "Failed"));

    Plugin.Result r = plugin.run("retry", "once");

    assertThat(r.code).isEqualTo(0);
    assertThat(spec("once")).containsEntry("retryGeneration", 1);
  }

  @Test
  void retryRefusesAWorkflowThatDidNotFail() {
    cluster.create(OperatorHarness.workflow("busy", OperatorHarness.step("a")));
    setStatus("busy", Map.of("phase", "Running"));

    Plugin.Result r = plugin.run("retry", "busy");

    assertThat(r.code).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: workflow busy is Running: only a Failed or Cancelled workflow can be"
                + " retried\n");
    assertThat(spec("busy")).doesNotContainKey("retryGeneration");
  }

  @Test
  void resubmitMakesANewWorkflowOfTheOldSpecWithoutItsControlFields() {
    Workflow w = OperatorHarness.workflow("nightly", OperatorHarness.step("a"));
    w.getSpec().cancel = true;
    w.getSpec().suspend = true;
    w.getSpec().params = new ArrayList<>(List.of(new dev.shepherd.api.Param("ENV", "dev")));
    w.getMetadata().setLabels(Map.of("team", "data"));
    cluster.create(w);

    Plugin.Result r = plugin.run("resubmit", "nightly", "--param", "ENV=prod");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    List<Workflow> all = cluster.client.resources(Workflow.class).inNamespace(NS).list().getItems();
    Workflow fresh =
        all.stream()
            .filter(x -> !x.getMetadata().getName().equals("nightly"))
            .findFirst()
            .orElseThrow();
    assertThat(r.out())
        .isEqualTo("workflow.shepherd.dev/" + fresh.getMetadata().getName() + " created\n");
    assertThat(fresh.getMetadata().getGenerateName()).isEqualTo("nightly-");
    assertThat(fresh.getMetadata().getLabels()).containsEntry("team", "data");
    assertThat(fresh.getSpec().cancel).isNull();
    assertThat(fresh.getSpec().suspend).isNull();
    assertThat(fresh.getSpec().steps).extracting(s -> s.name).containsExactly("a");
    assertThat(fresh.getSpec().params).extracting(p -> p.value).containsExactly("prod");
    assertThat(cluster.get("nightly").getSpec().params)
        .extracting(p -> p.value)
        .containsExactly("dev");
  }

  @Test
  void watchFollowsTheStatusUntilTheEndAndExits3WhenItFailed() {
    Workflow w = cluster.create(OperatorHarness.workflow("w", OperatorHarness.step("a")));
    Plugin.Result r = new Plugin.Result();
    CompletableFuture<Integer> code =
        CompletableFuture.supplyAsync(() -> plugin.run(r, "watch", "w"));

    WorkflowStatus running = new WorkflowStatus();
    running.phase = WorkflowPhase.Running;
    StepStatus a = new StepStatus("a");
    a.phase = StepPhase.Running;
    a.attempts = 1;
    a.startedAt = "2026-12-06T12:00:00Z";
    running.steps.add(a);
    w = cluster.get("w");
    w.setStatus(running);
    cluster.client.resource(w).updateStatus();
    await().atMost(Duration.ofSeconds(10)).until(() -> r.out().contains("[a] started (attempt 1)"));
    assertThat(code).isNotDone();

    WorkflowStatus failed = new WorkflowStatus();
    failed.phase = WorkflowPhase.Failed;
    failed.message = "Step a failed with exit code 3 after 1 attempt.";
    failed.steps.add(ran("a", StepPhase.Failed, 1, 3, "Error", "12:00:00", "12:00:02"));
    w = cluster.get("w");
    w.setStatus(failed);
    cluster.client.resource(w).updateStatus();

    assertThat(code).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(3);
    assertThat(r.out())
        .endsWith(
            """
            [a] failed after 1 attempt
            workflow w Failed: Step a failed with exit code 3 after 1 attempt.
            STEP  PHASE   ATTEMPTS  DURATION  EXIT  REASON
            a     Failed  1         2.0s      3     Error
            """);
  }

  @Test
  void badArgumentsExit2AsKubectlSaysIt() {
    Plugin.Result unknown = plugin.run("frobnicate");
    Plugin.Result flag = plugin.run("cancel", "x", "--watch");
    Plugin.Result none = plugin.run();
    Plugin.Result two = plugin.run("get", "a", "b");

    assertThat(unknown.code).isEqualTo(2);
    assertThat(unknown.err())
        .startsWith("error: unknown command \"frobnicate\" for \"kubectl shepherd\"\n");
    assertThat(flag.code).isEqualTo(2);
    assertThat(flag.err()).startsWith("error: unknown flag for cancel: --watch");
    assertThat(none.code).isEqualTo(2);
    assertThat(two.code).isEqualTo(2);
    assertThat(two.err()).startsWith("error: too many arguments");
  }

  @Test
  void theKubeconfigFlagAndItsContextNameTheServerAndTheNamespace() throws IOException {
    // ...and the client it makes reads a status with fields this model does not know.
    Workflow w = OperatorHarness.workflow("elsewhere", OperatorHarness.step("a"));
    w.getMetadata().setNamespace("team");
    cluster.client.resource(w).create();
    Path kubeconfig =
        file(
            "kubeconfig",
            """
            apiVersion: v1
            kind: Config
            clusters:
              - name: mock
                cluster: {server: "http://localhost:%d"}
            users:
              - name: me
                user: {token: secret}
            contexts:
              - name: other
                context: {cluster: mock, user: me, namespace: nowhere}
              - name: team
                context: {cluster: mock, user: me, namespace: team}
            current-context: other
            """
                .formatted(cluster.port()));

    String[] flags = {"--kubeconfig", kubeconfig.toString(), "--context", "team"};
    GenericKubernetesResource g =
        cluster
            .client
            .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
            .inNamespace("team")
            .withName("elsewhere")
            .get();
    g.setAdditionalProperty("status", Map.of("phase", "Running", "fieldOfTheFuture", 1));
    cluster
        .client
        .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
        .resource(g)
        .updateStatus();

    String[] suspend = viaKubeconfig("suspend", "elsewhere", flags);
    String[] get = viaKubeconfig("get", "elsewhere", flags);

    assertThat(suspend[0]).as(suspend[1]).isEqualTo("0");
    assertThat(
            cluster
                .client
                .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
                .inNamespace("team")
                .withName("elsewhere")
                .get()
                .getAdditionalProperties()
                .get("spec"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("suspend", true);
    assertThat(get[0]).as(get[1]).isEqualTo("0");
    assertThat(get[1]).contains("Namespace: team").contains("Phase:     Running");
  }

  /** The exit code and stdout + stderr of a command connecting as the plugin does. */
  private static String[] viaKubeconfig(String command, String workflow, String... flags) {
    var out = new java.io.ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of(command, workflow));
    args.addAll(List.of(flags));
    int code =
        KubectlCommand.run(
            args.toArray(String[]::new),
            new java.io.PrintStream(out, true),
            new java.io.PrintStream(out, true),
            KubectlCommand::connect,
            java.time.Clock.systemUTC(),
            false);
    return new String[] {Integer.toString(code), out.toString()};
  }

  @Test
  void theCompletionScriptsAreValidShell() throws Exception {
    for (String shell : List.of("bash", "zsh")) {
      Plugin.Result r = plugin.run("completion", shell);
      assertThat(r.code).isEqualTo(0);
      assertThat(r.out()).contains("submit").contains("retry");
      if (Files.isExecutable(Path.of("/bin/" + shell))
          || Files.isExecutable(Path.of("/usr/bin/" + shell))) {
        Process p = new ProcessBuilder(shell, "-n").redirectErrorStream(true).start();
        p.getOutputStream().write(r.out().getBytes());
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(shell + ": " + said).isEqualTo(0);
      }
    }
  }

  @Test
  void submitCreatesNothingWhenADocumentCannotBeCreated() throws IOException {
    Path f =
        file(
            "two.yaml",
            TEMPLATE_THEN
                + """
            metadata: {name: elsewhere, namespace: prod}
            spec:
              workflowTemplateRef: {name: build}
            """);

    Plugin.Result r = plugin.run("submit", f.toString());

    assertThat(r.code).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: the namespace from the provided object \"prod\" does not match the namespace"
                + " \"test\". You must pass '--namespace=prod' to perform this operation.\n");
    assertThat(cluster.requests()).noneMatch(q -> q.startsWith("POST /apis/shepherd.dev"));
  }

  @Test
  void getOfAWorkflowThatRunsATemplateShowsTheTemplatesSteps() {
    Workflow w = OperatorHarness.workflow("ref");
    w.getSpec().steps = new ArrayList<>();
    w.getSpec().workflowTemplateRef = new dev.shepherd.api.WorkflowTemplateRef("build");
    w = cluster.create(w);
    WorkflowStatus st = new WorkflowStatus();
    st.phase = WorkflowPhase.Running;
    st.templateName = "build";
    st.templateSpec =
        "{\"image\":\"busybox\",\"steps\":[{\"name\":\"compile\"},"
            + "{\"name\":\"link\",\"depends\":[\"compile\"]}]}";
    w.setStatus(st);
    cluster.client.resource(w).updateStatus();

    Plugin.Result r = plugin.run("get", "ref");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .contains(
            """
            STEP     PHASE    ATTEMPTS  DURATION  EXIT  REASON
            compile  Pending  0         -         -
            └─ link  Pending  0         -         -
            """);
  }

  @Test
  void onATerminalWatchDrawsTheLiveTableAndLeavesTheFullTable() {
    Workflow w = cluster.create(OperatorHarness.workflow("live", OperatorHarness.step("a")));
    WorkflowStatus done = new WorkflowStatus();
    done.phase = WorkflowPhase.Succeeded;
    done.message = "1 step succeeded.";
    done.steps.add(ran("a", StepPhase.Succeeded, 1, 0, null, "12:00:00", "12:00:01"));
    w.setStatus(done);
    cluster.client.resource(w).updateStatus();

    Plugin.Result r = plugin.onTerminal().run("watch", "live");

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("\033[").as("redrawn in place with escapes");
    assertThat(r.out().replaceAll("\033\\[[0-9;]*m", "")) // colours off
        .endsWith(
            """
            workflow live Succeeded: 1 step succeeded.
            STEP  PHASE      ATTEMPTS  DURATION  EXIT  REASON
            a     Succeeded  1         1.0s      0
            """);
  }

  /** A CronWorkflow is run once, now, as shepherd run runs it (Argo's submit --from cronwf). */
  @Test
  void submitRunsACronWorkflowsWorkflowOnceNow() throws IOException {
    Path f =
        file(
            "cron.yaml",
            """
            apiVersion: shepherd.dev/v1alpha1
            kind: CronWorkflow
            metadata: {name: nightly}
            spec:
              schedule: "0 3 * * *"
              workflowSpec:
                image: busybox:1.36
                steps: [{name: a, command: [sh, -c, 'echo a']}]
            """);

    Plugin.Result r = plugin.run("submit", f.toString());

    assertThat(r.code).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).isEqualTo("workflow.shepherd.dev/nightly created\n");
    Workflow made =
        cluster.client.resources(Workflow.class).inNamespace(NS).withName("nightly").get();
    assertThat(made.getSpec().steps).extracting(x -> x.name).containsExactly("a");
    assertThat(
            cluster
                .client
                .resources(dev.shepherd.api.CronWorkflow.class)
                .inNamespace(NS)
                .list()
                .getItems())
        .as("no CronWorkflow is made")
        .isEmpty();
  }
}
