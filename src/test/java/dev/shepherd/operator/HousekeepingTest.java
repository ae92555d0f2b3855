package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.PodGC;
import dev.shepherd.api.PodGCStrategy;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * spec.ttlSecondsAfterFinished, the operator's default, and spec.podGC in pod mode, through the
 * real Operator and the mock API server, with the test's clock.
 */
class HousekeepingTest {
  private OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  private static Workflow withTtl(Workflow w, Long seconds) {
    w.getSpec().ttlSecondsAfterFinished = seconds;
    return w;
  }

  private static Workflow withPodGC(Workflow w, PodGCStrategy strategy) {
    w.getSpec().podGC = new PodGC(strategy);
    return w;
  }

  private void awaitGone(String workflow) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.cluster.get(workflow) == null);
  }

  private void awaitPodGone(String pod) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.cluster.pod(pod) == null);
  }

  /** Ends a Pod, and returns it as written, for a wait on a pass that saw it. */
  private Pod exit(String pod, int code, String outputs) {
    h.kubelet.exit(pod, code, code == 0 ? "Completed" : "Error", outputs, null);
    return h.cluster.pod(pod);
  }

  @Test
  void aFinishedWorkflowIsDeletedWhenItsTtlHasPassedAndNotASecondBefore() {
    h.cluster.create(withTtl(workflow("ttl", step("a")), 60L));
    h.kubelet.succeed(h.awaitPod("ttl-a-1").getMetadata().getName());
    h.awaitWorkflow("ttl", w -> w.getStatus().phase == WorkflowPhase.Succeeded);

    keptUntilThenDeleted("ttl", 60);
  }

  /** A pass a second before the expiry keeps the workflow; one at the expiry deletes it. */
  private void keptUntilThenDeleted(String workflow, long ttlSeconds) {
    h.advance(workflow, Duration.ofSeconds(ttlSeconds - 1));
    assertThat(h.cluster.get(workflow)).as("a pass a second before keeps it").isNotNull();
    h.advance(workflow, Duration.ofSeconds(1));
    awaitGone(workflow);
  }

  @Test
  void theOperatorsDefaultTtlAppliesToAWorkflowWhoseSpecSetsNone() {
    h.close();
    h = new OperatorHarness(Duration.ofSeconds(30));
    h.cluster.create(workflow("dflt", step("a")));
    h.kubelet.fail(h.awaitPod("dflt-a-1").getMetadata().getName(), 2);
    h.awaitWorkflow("dflt", w -> w.getStatus().phase == WorkflowPhase.Failed);

    keptUntilThenDeleted("dflt", 30);
  }

  @Test
  void aTtlOfZeroDeletesTheWorkflowAsSoonAsItEnds() {
    h.cluster.create(withTtl(workflow("now", step("a")), 0L));
    h.kubelet.succeed(h.awaitPod("now-a-1").getMetadata().getName());
    awaitGone("now");
  }

  @Test
  void onPodCompletionDeletesEachPodOnceItsEndIsInTheStatus() {
    h.cluster.create(
        withPodGC(workflow("opc", step("a"), step("b", "a")), PodGCStrategy.OnPodCompletion));
    h.awaitPod("opc-a-1");
    exit("opc-a-1", 0, "x=1\n");
    Pod b = h.awaitPod("opc-b-1");
    awaitPodGone("opc-a-1");
    assertThat(h.cluster.pod("opc-b-1")).as("b still runs").isNotNull();
    StepStatus a = OperatorHarness.step(h.cluster.get("opc"), "a");
    assertThat(a.phase).isEqualTo(StepPhase.Succeeded);
    assertThat(a.exitCode).isZero();
    assertThat(a.outputs).containsExactly(Map.entry("x", "1"));

    exit(b.getMetadata().getName(), 3, "the tail of b's log");
    Workflow w = h.awaitWorkflow("opc", x -> x.getStatus().phase == WorkflowPhase.Failed);
    awaitPodGone("opc-b-1");
    StepStatus failed = OperatorHarness.step(w, "b");
    assertThat(failed.exitCode).isEqualTo(3);
    assertThat(failed.message).isEqualTo("the tail of b's log");
    assertThat(h.cluster.get("opc").getStatus().steps).isEqualTo(w.getStatus().steps);
  }

  @Test
  void onPodSuccessDeletesTheSucceededPodsAndKeepsTheFailedOnes() {
    h.cluster.create(
        withPodGC(workflow("ops", step("good"), step("bad")), PodGCStrategy.OnPodSuccess));
    h.awaitPod("ops-good-1");
    h.awaitPod("ops-bad-1");
    exit("ops-good-1", 0, null);
    awaitPodGone("ops-good-1");
    Pod bad = exit("ops-bad-1", 1, "boom");
    Workflow w = h.awaitWorkflow("ops", x -> x.getStatus().phase == WorkflowPhase.Failed);
    h.passes.awaitSeen("ops", bad);

    assertThat(h.cluster.pod("ops-bad-1")).as("a failed Pod stays, with its logs").isNotNull();
    assertThat(OperatorHarness.step(w, "good").exitCode).isZero();
    assertThat(OperatorHarness.step(w, "bad").exitCode).isEqualTo(1);
    assertThat(OperatorHarness.step(w, "bad").message).isEqualTo("boom");
  }

  @Test
  void onWorkflowCompletionKeepsEveryPodUntilTheWorkflowEndsThenDeletesThemAll() {
    h.cluster.create(
        withPodGC(workflow("owc", step("a"), step("b", "a")), PodGCStrategy.OnWorkflowCompletion));
    h.awaitPod("owc-a-1");
    Pod a = exit("owc-a-1", 0, "v=7\n");
    h.awaitPod("owc-b-1");
    h.passes.awaitSeen("owc", a);
    assertThat(h.cluster.pod("owc-a-1")).as("kept while the workflow runs").isNotNull();

    exit("owc-b-1", 0, null);
    Workflow w = h.awaitWorkflow("owc", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    awaitPodGone("owc-a-1");
    awaitPodGone("owc-b-1");
    assertThat(OperatorHarness.step(w, "a").outputs).containsExactly(Map.entry("v", "7"));
    assertThat(h.cluster.get("owc").getStatus().steps).isEqualTo(w.getStatus().steps);
  }

  /** What a pass returns is the controller's own timer: it asks to be woken at the expiry. */
  @Test
  void aPassOverAFinishedWorkflowAsksToBeWokenWhenItsTtlIsUp() {
    WorkflowReconciler reconciler =
        new WorkflowReconciler(
            h.clock,
            new EventRecorder(h.cluster.client, h.clock),
            new OperatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
            SupervisorPodBuilder.DEFAULT_IMAGE,
            Duration.ofHours(1));
    Workflow w = withTtl(workflow("timer", step("a")), 60L);
    w.getMetadata().setUid("uid-timer");
    w.getMetadata().setGeneration(1L);
    w.setStatus(new dev.shepherd.api.WorkflowStatus());
    w.getStatus().phase = WorkflowPhase.Succeeded;
    w.getStatus().observedGeneration = 1L;
    w.getStatus().finishedAt = dev.shepherd.engine.Timestamps.format(h.clock.instant());
    h.clock.advanceSeconds(20);

    var control = reconciler.reconcile(w, new TestingContext(h.cluster.client).pass(w));
    assertThat(control.getScheduleDelay()).contains(40_000L);

    w.getSpec().ttlSecondsAfterFinished = null;
    control = reconciler.reconcile(w, new TestingContext(h.cluster.client).pass(w));
    assertThat(control.getScheduleDelay()).as("the operator's default").contains(3_580_000L);
  }

  @Test
  void onWorkflowCompletionDeletesTheSupervisorPodOnceTheSupervisorWroteTheEnd() {
    Workflow sv =
        withPodGC(SupervisorExecutorTest.supervised("svgc"), PodGCStrategy.OnWorkflowCompletion);
    h.cluster.create(sv);
    h.awaitPod("svgc-supervisor");
    supervisorWrites(
        "svgc",
        """
        {"phase":"Succeeded","progress":"2/2","startedAt":"2026-11-29T10:00:01Z",
         "finishedAt":"2026-11-29T10:00:09Z","message":"All 2 steps succeeded.",
         "steps":[{"name":"a","phase":"Succeeded","exitCode":0,"attempts":1},
                  {"name":"b","phase":"Succeeded","exitCode":0,"attempts":1}]}""");
    supervisorPod(
        "svgc-supervisor",
        SupervisorExecutorTest.terminated("Succeeded", null, null, 0, "Completed", null));
    awaitPodGone("svgc-supervisor");
    Workflow w = h.cluster.get("svgc");
    assertThat(w.getStatus().phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(OperatorHarness.step(w, "b").exitCode).isZero();
  }

  /** The Pod ended first: its termination message is read into the status before it goes. */
  @Test
  void aSupervisorPodThatEndedBeforeTheWorkflowGoesOnlyAfterTheTakeoverWroteTheStatus() {
    Workflow sv =
        withPodGC(SupervisorExecutorTest.supervised("svto"), PodGCStrategy.OnPodCompletion);
    h.cluster.create(sv);
    h.awaitPod("svto-supervisor");
    String last =
        """
        {"phase":"Running","progress":"1/2","startedAt":"2026-11-29T10:00:01Z","message":"Running b.",
         "steps":[{"name":"a","phase":"Succeeded","exitCode":0,"attempts":1,"outputs":{"k":"v"}},
                  {"name":"b","phase":"Running","attempts":1}]}""";
    supervisorPod(
        "svto-supervisor",
        SupervisorExecutorTest.terminated("Failed", null, null, 137, "OOMKilled", last));
    awaitPodGone("svto-supervisor");
    Workflow w = h.cluster.get("svto");
    assertThat(w.getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").outputs).containsExactly(Map.entry("k", "v"));
    assertThat(OperatorHarness.step(w, "b").reason).isEqualTo("OOMKilled");
  }

  private void supervisorWrites(String workflow, String status) {
    h.cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withName(workflow)
        .subresource("status")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"status\":" + status + "}");
  }

  private void supervisorPod(String name, io.fabric8.kubernetes.api.model.PodStatus status) {
    Pod pod = h.cluster.pod(name);
    pod.setStatus(status);
    h.cluster.client.pods().inNamespace(TestingCluster.NAMESPACE).resource(pod).updateStatus();
  }

  @Test
  void neverKeepsThePodsAfterTheWorkflowEnded() {
    h.cluster.create(withPodGC(workflow("nev", step("a")), PodGCStrategy.Never));
    Pod a = exit(h.awaitPod("nev-a-1").getMetadata().getName(), 0, null);
    h.awaitWorkflow("nev", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    h.passes.awaitSeen("nev", a);
    h.advance("nev", Duration.ofHours(1));
    assertThat(h.cluster.pod("nev-a-1")).isNotNull();
  }
}
