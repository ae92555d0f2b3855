package dev.shepherd.operator.ui;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The web UI's API on the real Operator and the mock API server, with the test kubelet. */
class UiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OperatorHarness h = new OperatorHarness();
  private final HttpClient http = HttpClient.newHttpClient();
  private UiServer ui;

  @AfterEach
  void close() {
    if (ui != null) {
      ui.close();
    }
    http.close();
    h.close();
  }

  private void start(boolean actions) throws IOException {
    ui =
        new UiServer(
            h.cluster.client,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            actions,
            100);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, boolean withHeader) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
    if (withHeader) {
      request.header(UiServer.ACTION_HEADER, "1");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + ui.port() + path);
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Test
  void theListAndOneWorkflowComeFromTheInformerWithTheirStepsAndStatusButNoEnv() throws Exception {
    Step secret = step("build");
    secret.env =
        List.of(
            new EnvVar("TOKEN", "hunter2", null),
            new EnvVarBuilder()
                .withName("DB")
                .withNewValueFrom()
                .withNewSecretKeyRef("password", "db-credentials", false)
                .endValueFrom()
                .build());
    h.cluster.create(workflow("one", secret, step("test", "build")));
    Workflow other = workflow("two", step("x"));
    other.getMetadata().setNamespace("elsewhere");
    h.cluster.client.resource(other).create();
    start(false);
    h.awaitPod("one-build-1");
    h.awaitWorkflow("one", w -> OperatorHarness.phase(w, "test") == StepPhase.Pending);

    await().atMost(Duration.ofSeconds(10)).until(() -> json(get("/api/workflows")).size() == 2);
    JsonNode test = json(get("/api/workflows?namespace=" + TestingCluster.NAMESPACE));
    assertThat(test).hasSize(1);
    assertThat(test.get(0).path("metadata").path("name").asText()).isEqualTo("one");

    HttpResponse<String> one = get("/api/workflows/test/one");
    assertThat(one.statusCode()).isEqualTo(200);
    JsonNode view = json(one);
    assertThat(view.path("spec").path("steps").findValuesAsText("name"))
        .containsExactly("build", "test");
    assertThat(view.path("spec").path("steps").get(1).path("depends").get(0).asText())
        .isEqualTo("build");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> phase(json(get("/api/workflows/test/one")), "test").equals("Pending"));
    assertThat(one.body()).doesNotContain("hunter2", "db-credentials", "TOKEN", "\"env\"");
    assertThat(get("/api/workflows/test/none").statusCode()).isEqualTo(404);
  }

  @Test
  void theEventStreamSendsEveryWorkflowThenEachChangeAsTheOperatorWritesIt() throws Exception {
    h.cluster.create(workflow("live", step("a"), step("b", "a")));
    start(false);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpResponse<Stream<String>> stream =
        http.send(
            HttpRequest.newBuilder(uri("/api/events")).build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    stream.body().forEach(lines::add);
                  } catch (java.io.UncheckedIOException closedByTheTest) {
                    // the stream ends when the test closes it
                  }
                });
    try {
      Iterator<String> it = iterator(lines);
      assertThat(it.next()).isEqualTo("event: reset");
      h.awaitPod("live-a-1");
      h.kubelet.succeed("live-a-1");
      // Every event names its workflow; wait for the one in which step a has succeeded.
      JsonNode ended = nextWorkflowWhere(it, w -> phase(w, "a").equals("Succeeded"));
      assertThat(ended.path("metadata").path("name").asText()).isEqualTo("live");
      assertThat(phase(ended, "b")).isIn("Pending", "Running");

      h.cluster.client.resource(h.cluster.get("live")).delete();
      String deleted = nextDataAfter(it, "event: deleted");
      assertThat(JSON.readTree(deleted).path("metadata").path("name").asText()).isEqualTo("live");
    } finally {
      stream.body().close();
      reader.interrupt();
    }
  }

  @Test
  void actionsAreRefusedWhileTheUiIsReadOnly() throws Exception {
    h.cluster.create(workflow("ro", step("a")));
    start(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/api/workflows/test/ro").statusCode() == 200);

    HttpResponse<String> refused = post("/api/workflows/test/ro/cancel", true);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("read-only");
    assertThat(h.cluster.get("ro").getSpec().cancel).isNull();
    assertThat(json(get("/api/config")).path("actions").asBoolean()).isFalse();
  }

  @Test
  void cancelPatchesTheSpecAndTheOperatorCancelsTheWorkflow() throws Exception {
    h.cluster.create(workflow("c", step("a"), step("b", "a")));
    start(true);
    h.awaitPod("c-a-1");
    h.kubelet.running("c-a-1");

    assertThat(post("/api/workflows/test/c/cancel", false).statusCode())
        .as("without the header a page elsewhere cannot set")
        .isEqualTo(403);
    HttpResponse<String> done = post("/api/workflows/test/c/cancel", true);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(h.cluster.get("c").getSpec().cancel).isTrue();
    Workflow w = h.awaitWorkflow("c", x -> x.getStatus().phase == WorkflowPhase.Cancelled);
    assertThat(OperatorHarness.phase(w, "b")).isEqualTo(StepPhase.Skipped);
    assertThat(post("/api/workflows/test/c/explode", true).statusCode()).isEqualTo(404);
    assertThat(post("/api/workflows/test/gone/cancel", true).statusCode()).isEqualTo(404);
  }

  @Test
  void suspendAndResumeSetAndClearSpecSuspend() throws Exception {
    h.cluster.create(workflow("s", step("a"), step("b", "a")));
    start(true);
    h.awaitPod("s-a-1");

    assertThat(post("/api/workflows/test/s/suspend", true).statusCode()).isEqualTo(200);
    h.awaitWorkflow("s", x -> x.getStatus().phase == WorkflowPhase.Suspended);
    assertThat(post("/api/workflows/test/s/resume", true).statusCode()).isEqualTo(200);
    assertThat(h.cluster.get("s").getSpec().suspend).isFalse();
  }

  @Test
  void retryOfAFailedWorkflowSetsRetryGenerationAndTheOperatorRunsItAgain() throws Exception {
    h.cluster.create(workflow("c", step("a")));
    start(true);
    h.awaitPod("c-a-1");
    h.kubelet.fail("c-a-1", 1);
    h.awaitWorkflow("c", x -> x.getStatus().phase == WorkflowPhase.Failed);

    assertThat(post("/api/workflows/test/c/retry", true).statusCode()).isEqualTo(200);
    assertThat(
            h.cluster
                .client
                .genericKubernetesResources(
                    ResourceDefinitionContext.fromResourceType(Workflow.class))
                .inNamespace(TestingCluster.NAMESPACE)
                .withName("c")
                .get()
                .<Object>get("spec", "retryGeneration"))
        .as("the first retry")
        .isEqualTo(1);
    h.kubelet.succeed(h.awaitPod("c-a-1-retry1").getMetadata().getName());
    h.awaitWorkflow("c", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    HttpResponse<String> again = post("/api/workflows/test/c/retry", true);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("only a Failed or Cancelled workflow can be retried");
  }

  @Test
  void aPodModeStepsLogIsItsPodsLog() throws Exception {
    h.cluster.create(workflow("l", step("a")));
    start(false);
    h.awaitPod("l-a-1");
    h.cluster.log("l-a-1", "compiling\nerror: no space left\n");
    h.kubelet.fail("l-a-1", 2);
    h.awaitWorkflow("l", x -> x.getStatus().phase == WorkflowPhase.Failed);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/api/workflows/test/l").body().contains("\"exitCode\":2"));

    HttpResponse<String> log = get("/api/workflows/test/l/steps/a/log");
    assertThat(log.statusCode()).isEqualTo(200);
    assertThat(log.body()).isEqualTo("compiling\nerror: no space left\n");
    assertThat(get("/api/workflows/test/l/steps/nope/log").statusCode()).isEqualTo(404);
  }

  @Test
  void aSupervisorModeStepsLogIsItsLinesOfTheSupervisorsLogWithoutThePrefix() throws Exception {
    Workflow w = workflow("sv", step("a"), step("b"));
    w.getSpec().executor = Executor.SUPERVISOR;
    h.cluster.create(w);
    start(false);
    StepLogs.Source source = StepLogs.source(w, "a", 0);
    assertThat(source.pod()).isEqualTo("sv-supervisor");
    h.cluster.log(
        source.pod(),
        "10:00:00.000 INFO  d.s.s.Supervisor - started\n[a] one\n[b] other\n[a] two\n[a]x\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/api/workflows/test/sv/steps/a/log").statusCode() == 200);
    assertThat(get("/api/workflows/test/sv/steps/c/log").statusCode()).isEqualTo(404);

    assertThat(get("/api/workflows/test/sv/steps/a/log").body()).isEqualTo("one\ntwo\n");
  }

  @Test
  void aRunningStepsLogIsFollowedAndAnEndedOnesReadOnce() {
    Workflow w = workflow("f", step("a"), step("b", "a"));
    w.setStatus(new WorkflowStatus());
    StepStatus a = new StepStatus("a");
    a.phase = StepPhase.Running;
    a.podName = "f-a-2";
    StepStatus b = new StepStatus("b");
    b.phase = StepPhase.Failed;
    w.getStatus().steps = List.of(a, b);

    assertThat(StepLogs.source(w, "a", 0))
        .isEqualTo(new StepLogs.Source("f-a-2", "step", null, true));
    assertThat(StepLogs.source(w, "a", 1))
        .as("an earlier attempt has ended")
        .isEqualTo(new StepLogs.Source("f-a-1", "step", null, false));
    assertThat(StepLogs.source(w, "b", 0).follow()).isFalse();
    w.getSpec().executor = Executor.SUPERVISOR;
    assertThat(StepLogs.source(w, "a", 0))
        .isEqualTo(new StepLogs.Source("f-supervisor", "supervisor", "[a] ", true));
  }

  @Test
  void thePagesAreServedFromTheJar() throws Exception {
    start(false);
    HttpResponse<String> index = get("/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(index.body()).contains("<title>shepherd</title>").contains("./assets/");
    assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
  }

  private static String phase(JsonNode view, String step) {
    for (JsonNode s : view.path("status").path("steps")) {
      if (s.path("name").asText().equals(step)) {
        return s.path("phase").asText();
      }
    }
    return "";
  }

  private static Iterator<String> iterator(BlockingQueue<String> lines) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public String next() {
        try {
          String line = lines.poll(15, TimeUnit.SECONDS);
          assertThat(line).as("a line of the event stream within 15 s").isNotNull();
          return line;
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  private static String nextDataAfter(Iterator<String> it, String event) {
    while (!it.next().equals(event)) {
      // lines of other events
    }
    String data = it.next();
    assertThat(data).startsWith("data: ");
    return data.substring("data: ".length());
  }

  private static JsonNode nextWorkflowWhere(
      Iterator<String> it, java.util.function.Predicate<JsonNode> condition) throws IOException {
    while (true) {
      JsonNode w = JSON.readTree(nextDataAfter(it, "event: workflow"));
      if (condition.test(w)) {
        return w;
      }
    }
  }
}
