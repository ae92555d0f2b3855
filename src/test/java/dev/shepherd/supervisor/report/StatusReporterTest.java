package dev.shepherd.supervisor.report;

import static dev.shepherd.supervisor.report.Statuses.status;
import static dev.shepherd.supervisor.report.Statuses.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.SpecControl;
import dev.shepherd.operator.TestingCluster;
import dev.shepherd.supervisor.report.StatusReporter.Flush;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StatusReporter} and {@link WorkflowStatusApi} against the mock API server, reached through
 * an {@link ApiProxy} that plays outages.
 */
class StatusReporterTest {
  private static final StatusReporter.Backoff FAST =
      new StatusReporter.Backoff(Duration.ofMillis(20), Duration.ofMillis(200));

  @TempDir Path dir;
  private TestingCluster cluster;
  private ApiProxy proxy;
  private ApiServer server;
  private WorkflowStatusApi api;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new TestingCluster();
    proxy = new ApiProxy(cluster.port());
    server = Statuses.server(proxy.url());
    cluster.create(workflow("wf", new Step("a"), new Step("b", "a")));
    setObservedGeneration("wf", 3L);
    api = new WorkflowStatusApi(server, TestingCluster.NAMESPACE, "wf", Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    api.close();
    proxy.close();
    cluster.close();
  }

  private StatusReporter reporter(StatusApi api) {
    StatusReporter r = new StatusReporter(api, dir.resolve("termination-log"), FAST);
    toClose.add(r);
    return r;
  }

  /** The controller's write: a merge patch of observedGeneration alone, as its contract says. */
  private void setObservedGeneration(String name, long generation) {
    cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"observedGeneration\":" + generation + "}}");
  }

  @Test
  void readsTheWorkflowWithSpecThroughTheStatusSubresource() throws Exception {
    Workflow w = api.read();
    assertThat(w.getMetadata().getName()).isEqualTo("wf");
    assertThat(w.getSpec().steps).extracting(s -> s.name).containsExactly("a", "b");
    assertThat(w.getStatus().observedGeneration).isEqualTo(3L);
    assertThat(supervisorRequests())
        .extracting(RecordedRequest::getMethod, RecordedRequest::getPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "GET", "/apis/shepherd.dev/v1alpha1/namespaces/test/workflows/wf/status"));
  }

  @Test
  void itReadsTheSpecsControlFieldsWhileIdleAndHandsOverEachChange() throws Exception {
    List<SpecControl> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    StatusReporter reporter =
        new StatusReporter(
            api, dir.resolve("termination-log"), FAST, Duration.ofMillis(50), seen::add);
    toClose.add(reporter);
    await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
    assertThat(seen.getFirst()).isEqualTo(new SpecControl(false, 1));

    cluster.patchSpec("wf", "{\"suspend\":true}");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(List.copyOf(seen))
                    .containsExactly(new SpecControl(false, 1), new SpecControl(true, 2)));
  }

  @Test
  void mergePatchesLeaveTheControllersObservedGenerationAlone() throws Exception {
    StatusReporter reporter = reporter(api);
    reporter.submit(status(WorkflowPhase.Running, 2, 1, "1 of 2 steps done"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);

    WorkflowStatus stored = cluster.get("wf").getStatus();
    assertThat(stored.observedGeneration).isEqualTo(3L);
    assertThat(stored.phase).isEqualTo(WorkflowPhase.Running);
    assertThat(stored.progress).isEqualTo("1/2");
    assertThat(stored.steps)
        .extracting(s -> s.phase)
        .containsExactly(StepPhase.Succeeded, StepPhase.Running);

    // The controller writes its field meanwhile: the supervisor's fields stay.
    setObservedGeneration("wf", 4L);
    stored = cluster.get("wf").getStatus();
    assertThat(stored.observedGeneration).isEqualTo(4L);
    assertThat(stored.phase).isEqualTo(WorkflowPhase.Running);
    assertThat(stored.steps).hasSize(2);
    assertThat(stored.conditions).extracting(c -> c.getType()).containsExactly("Reconciling");

    // And the next supervisor write leaves the controller's value.
    WorkflowStatus done = status(WorkflowPhase.Succeeded, 2, 2, "done");
    done.finishedAt = "2025-01-01T00:01:00Z";
    reporter.submit(done);
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    stored = cluster.get("wf").getStatus();
    assertThat(stored.observedGeneration).isEqualTo(4L);
    assertThat(stored.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(stored.finishedAt).isEqualTo("2025-01-01T00:01:00Z");
    assertThat(stored.message).isEqualTo("done");

    // Every request of the supervisor was a merge patch of the status subresource without
    // observedGeneration.
    List<RecordedRequest> requests = supervisorRequests();
    assertThat(requests)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.getMethod()).isEqualTo("PATCH");
              assertThat(r.getPath())
                  .isEqualTo("/apis/shepherd.dev/v1alpha1/namespaces/test/workflows/wf/status");
              assertThat(r.getHeader("Content-Type")).startsWith("application/merge-patch+json");
            });
  }

  @Test
  void aFieldTheSnapshotNoLongerHasIsRemoved() throws Exception {
    StatusReporter reporter = reporter(api);
    WorkflowStatus first = status(WorkflowPhase.Failed, 1, 0, "failed");
    first.finishedAt = "2025-01-01T00:01:00Z";
    reporter.submit(first);
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    assertThat(cluster.get("wf").getStatus().finishedAt).isNotNull();
    reporter.submit(status(WorkflowPhase.Running, 1, 0, "running again"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    WorkflowStatus stored = cluster.get("wf").getStatus();
    assertThat(stored.finishedAt).isNull();
    assertThat(stored.phase).isEqualTo(WorkflowPhase.Running);
    assertThat(stored.observedGeneration).isEqualTo(3L);
  }

  @Test
  void aBurstOfSnapshotsDuringAnOutageIsOnePatchOfTheLastOne() throws Exception {
    proxy.refuse();
    List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());
    StatusReporter reporter =
        reporter(
            new StatusApi() {
              @Override
              public Workflow read() throws ApiException {
                return api.read();
              }

              @Override
              public SpecControl control() throws ApiException {
                return api.control();
              }

              @Override
              public void patch(WorkflowStatus status) throws ApiException {
                api.patch(status);
                written.add(status.message);
              }
            });
    for (int i = 0; i <= 200; i++) {
      reporter.submit(status(WorkflowPhase.Running, 200, i, "snapshot " + i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> reporter.failedAttempts() >= 3);
    long failedInOutage = reporter.failedAttempts();
    proxy.forward();
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);

    assertThat(cluster.get("wf").getStatus().message).isEqualTo("snapshot 200");
    assertThat(written).containsExactly("snapshot 200");
    assertThat(reporter.patches()).isEqualTo(1);
    // No request reached the server behind the reporter's back (one request per attempt at most;
    // counted by attempts, since a slow machine may time an attempt out after the server got it).
    List<RecordedRequest> requests = supervisorRequests();
    assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r.getMethod()).isEqualTo("PATCH"));
    long attemptsSinceOutage = reporter.patches() + reporter.failedAttempts() - failedInOutage;
    assertThat((long) requests.size())
        .as("requests that reached the server, at most one per attempt of the reporter")
        .isLessThanOrEqualTo(attemptsSinceOutage);
  }

  @Test
  void aSlowPatchIsFollowedByOnlyTheLatestSnapshot() throws Exception {
    var entered = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    StatusReporter reporter =
        reporter(
            new StatusApi() {
              @Override
              public Workflow read() {
                throw new UnsupportedOperationException();
              }

              @Override
              public SpecControl control() {
                throw new UnsupportedOperationException();
              }

              @Override
              public void patch(WorkflowStatus status) throws ApiException {
                sent.add(status.message);
                entered.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  throw new ApiException(0, "interrupted", e);
                }
              }
            });
    reporter.submit(status(WorkflowPhase.Running, 3, 0, "first"));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 100; i++) {
      reporter.submit(status(WorkflowPhase.Running, 3, 1, "burst " + i));
    }
    release.countDown();
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    assertThat(sent).containsExactly("first", "burst 99");
  }

  @Test
  void theFinalStatusArrivesAfterAnOutage() throws Exception {
    StatusReporter reporter = reporter(api);
    reporter.submit(status(WorkflowPhase.Running, 3, 0, "started"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);

    proxy.refuse();
    reporter.submit(status(WorkflowPhase.Running, 3, 1, "1/3"));
    reporter.submit(status(WorkflowPhase.Running, 3, 2, "2/3"));
    await().atMost(Duration.ofSeconds(10)).until(() -> reporter.failedAttempts() >= 2);
    proxy.respond(503); // the server comes back overloaded first
    long failed = reporter.failedAttempts();
    await().atMost(Duration.ofSeconds(10)).until(() -> reporter.failedAttempts() >= failed + 2);
    WorkflowStatus last = status(WorkflowPhase.Succeeded, 3, 3, "all done");
    last.finishedAt = "2025-01-01T00:02:00Z";
    reporter.submit(last);
    assertThat(reporter.flush(Duration.ofMillis(300))).isEqualTo(Flush.TIMED_OUT);
    assertThat(cluster.get("wf").getStatus().message).isEqualTo("started");
    // The termination message has it already.
    WorkflowStatus message =
        Statuses.JSON.readValue(
            Files.readString(dir.resolve("termination-log")), WorkflowStatus.class);
    assertThat(message.phase).isEqualTo(WorkflowPhase.Succeeded);

    proxy.forward();
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    WorkflowStatus stored = cluster.get("wf").getStatus();
    assertThat(stored.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(stored.message).isEqualTo("all done");
    assertThat(stored.steps).allMatch(s -> s.phase == StepPhase.Succeeded);
    assertThat(stored.observedGeneration).isEqualTo(3L);
  }

  @Test
  void aDeletedWorkflowStopsTheRetriesOfThatSnapshot() throws Exception {
    StatusReporter reporter =
        reporter(
            new WorkflowStatusApi(server, TestingCluster.NAMESPACE, "gone", Duration.ofSeconds(5)));
    reporter.submit(status(WorkflowPhase.Running, 1, 0, "x"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.REFUSED);
    Thread.sleep(300); // 15 backoff periods: a reporter that retried would have tried again
    assertThat(reporter.failedAttempts()).isEqualTo(1);
    assertThat(supervisorRequests()).hasSize(1);
  }

  @Test
  void forbiddenStopsTheRetriesToo() throws Exception {
    proxy.respond(403);
    StatusReporter reporter = reporter(api);
    reporter.submit(status(WorkflowPhase.Running, 1, 0, "x"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.REFUSED);
    Thread.sleep(300);
    assertThat(reporter.failedAttempts()).isEqualTo(1);
    // A later snapshot is tried again (once).
    proxy.forward();
    reporter.submit(status(WorkflowPhase.Running, 1, 0, "y"));
    assertThat(reporter.flush(Duration.ofSeconds(10))).isEqualTo(Flush.WRITTEN);
    assertThat(cluster.get("wf").getStatus().message).isEqualTo("y");
  }

  /** The requests that reached the mock server from the supervisor's client (by its User-Agent). */
  private List<RecordedRequest> supervisorRequests() throws InterruptedException {
    List<RecordedRequest> found = new ArrayList<>();
    RecordedRequest r;
    while ((r = cluster.server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      String agent = r.getHeader("User-Agent");
      if (agent != null && agent.startsWith(WorkflowStatusApi.USER_AGENT)) {
        found.add(r);
      }
    }
    return found;
  }
}
