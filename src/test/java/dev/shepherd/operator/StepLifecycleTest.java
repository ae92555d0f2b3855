package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.Conditions;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures, retries, parallelism and timeouts, through the real Operator and the mock API server.
 */
class StepLifecycleTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aFailedStepSkipsItsDependentsAndTheWorkflowFails() {
    h.cluster.create(
        workflow(
            "f",
            step("fetch"),
            step("build", "fetch"),
            step("test", "fetch"),
            step("report", "build", "test"),
            step("publish", "report")));
    h.awaitPod("f-fetch-1");
    h.kubelet.succeed("f-fetch-1");
    h.awaitPod("f-test-1");
    h.kubelet.exit("f-test-1", 3, "Error", "tests: 2 failed", null);
    h.awaitWorkflow("f", w -> OperatorHarness.step(w, "report").phase == StepPhase.Skipped);
    h.kubelet.succeed(h.awaitPod("f-build-1").getMetadata().getName());

    Workflow w = h.awaitWorkflow("f", x -> x.getStatus().phase == WorkflowPhase.Failed);
    StepStatus test = OperatorHarness.step(w, "test");
    assertThat(test.phase).isEqualTo(StepPhase.Failed);
    assertThat(test.exitCode).isEqualTo(3);
    assertThat(test.reason).isEqualTo("Error");
    assertThat(test.message).isEqualTo("tests: 2 failed");
    assertThat(OperatorHarness.step(w, "build").phase).isEqualTo(StepPhase.Succeeded);
    assertThat(OperatorHarness.step(w, "report").message).contains("test");
    assertThat(OperatorHarness.step(w, "publish").phase).isEqualTo(StepPhase.Skipped);
    assertThat(h.cluster.pod("f-report-1")).isNull();
    assertThat(h.cluster.pod("f-publish-1")).isNull();
    assertThat(w.getStatus().message).contains("test").contains("exit code 3");
    assertThat(w.getStatus().progress).isEqualTo("5/5");
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getStatus()).isEqualTo("True");
    assertThat(Conditions.find(w.getStatus(), Conditions.STALLED).getReason())
        .isEqualTo("StepFailed");
    assertThat(h.cluster.events())
        .filteredOn(e -> e.getReason().equals("StepFailed"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("test").contains("exit code 3");
            });
  }

  @Test
  void aFailedAttemptIsRetriedInANewPodAfterItsBackoffUpToTheLimit() {
    Step flaky = step("flaky");
    flaky.retry = new Retry(2, 5, null);
    h.cluster.create(workflow("r", flaky));

    h.awaitPod("r-flaky-1");
    h.kubelet.fail("r-flaky-1", 1);
    Workflow w = h.awaitWorkflow("r", x -> OperatorHarness.phase(x, "flaky") == StepPhase.Retrying);
    assertThat(w.getStatus().phase).isEqualTo(WorkflowPhase.Running);
    h.advance("r", Duration.ofSeconds(4));
    assertThat(h.cluster.pod("r-flaky-2")).as("no retry before the 5 s backoff").isNull();
    h.advance("r", Duration.ofSeconds(1));
    h.awaitPod("r-flaky-2");

    h.kubelet.fail("r-flaky-2", 1);
    h.awaitWorkflow(
        "r",
        x ->
            OperatorHarness.phase(x, "flaky") == StepPhase.Retrying
                && OperatorHarness.step(x, "flaky").attempts == 2);
    h.advance("r", Duration.ofSeconds(5));
    assertThat(h.cluster.pod("r-flaky-3")).as("the second backoff is doubled to 10 s").isNull();
    h.advance("r", Duration.ofSeconds(5));
    h.awaitPod("r-flaky-3");
    h.kubelet.fail("r-flaky-3", 7);

    w = h.awaitWorkflow("r", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "flaky").attempts).isEqualTo(3);
    assertThat(OperatorHarness.step(w, "flaky").exitCode).isEqualTo(7);
    h.advance("r", Duration.ofMinutes(10));
    assertThat(h.cluster.pod("r-flaky-4")).as("no attempt past the limit").isNull();
    assertThat(h.cluster.pods("r")).hasSize(3);
  }

  @Test
  void aRetriedStepThatSucceedsLetsTheWorkflowSucceed() {
    Step flaky = step("flaky");
    flaky.retry = new Retry(1, 0, null);
    h.cluster.create(workflow("rs", flaky, step("after", "flaky")));
    h.awaitPod("rs-flaky-1");
    h.kubelet.fail("rs-flaky-1", 1);
    h.awaitPod("rs-flaky-2");
    assertThat(h.cluster.pod("rs-flaky-2").getSpec().getContainers().getFirst().getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("SHEPHERD_ATTEMPT");
              assertThat(e.getValue()).isEqualTo("2");
            });
    h.kubelet.succeed("rs-flaky-2");
    h.kubelet.succeed(h.awaitPod("rs-after-1").getMetadata().getName());
    Workflow w = h.awaitWorkflow("rs", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(OperatorHarness.step(w, "flaky").attempts).isEqualTo(2);
  }

  @Test
  void parallelismCapsHowManyStepPodsRunAtOnce() {
    Workflow wf = workflow("p", step("a"), step("b"), step("c"), step("d"), step("e"));
    wf.getSpec().parallelism = 2;
    h.cluster.create(wf);
    // A pass writes the status after it created its Pods: once it shows a step, that pass is over.
    h.awaitWorkflow("p", x -> OperatorHarness.phase(x, "b") == StepPhase.Running);
    assertThat(h.cluster.pods("p")).hasSize(2);
    h.kubelet.succeed("p-a-1");
    h.awaitWorkflow("p", x -> OperatorHarness.phase(x, "c") == StepPhase.Running);
    assertThat(h.cluster.pods("p")).hasSize(3);
    for (String s : new String[] {"b", "c", "d", "e"}) {
      h.kubelet.succeed(h.awaitPod("p-" + s + "-1").getMetadata().getName());
    }
    h.awaitWorkflow("p", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
  }

  @Test
  void aPodKilledByItsActiveDeadlineFailsTheStepWithDeadlineExceeded() {
    Step slow = step("slow");
    slow.timeoutSeconds = 60L;
    h.cluster.create(workflow("t", slow));
    assertThat(h.awaitPod("t-slow-1").getSpec().getActiveDeadlineSeconds()).isEqualTo(60L);
    h.kubelet.exit("t-slow-1", 137, "Error", null, "DeadlineExceeded");
    Workflow w = h.awaitWorkflow("t", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "slow").reason).isEqualTo("DeadlineExceeded");
    assertThat(OperatorHarness.step(w, "slow").exitCode).isEqualTo(137);
  }

  @Test
  void aStepPastItsTimeoutIsStoppedByTheOperatorEvenIfTheKubeletIsSilent() {
    Step slow = step("slow");
    slow.timeoutSeconds = 30L;
    h.cluster.create(workflow("ts", slow));
    h.awaitPod("ts-slow-1");
    h.kubelet.running("ts-slow-1");
    h.advance("ts", Duration.ofSeconds(31));
    Workflow w = h.awaitWorkflow("ts", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "slow").reason).isEqualTo("DeadlineExceeded");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.cluster.pod("ts-slow-1") == null);
  }

  @Test
  void theWorkflowDeadlineStopsRunningStepsAndSkipsTheRest() {
    Workflow wf = workflow("d", step("a"), step("b", "a"));
    wf.getSpec().activeDeadlineSeconds = 100L;
    h.cluster.create(wf);
    h.awaitPod("d-a-1");
    h.advance("d", Duration.ofSeconds(101));
    Workflow w = h.awaitWorkflow("d", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("DeadlineExceeded");
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("DeadlineExceeded");
    assertThat(OperatorHarness.step(w, "b").phase).isEqualTo(StepPhase.Skipped);
  }

  @Test
  void anImageThatCanNeverBePulledFailsTheStep() {
    h.cluster.create(workflow("img", step("a")));
    h.awaitPod("img-a-1");
    h.kubelet.waiting("img-a-1", "InvalidImageName", "couldn't parse image name \"Bad:Image\"");
    Workflow w = h.awaitWorkflow("img", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("InvalidImageName");
    assertThat(OperatorHarness.step(w, "a").message).contains("Bad:Image");
  }

  @Test
  void aDeletedStepPodFailsItsAttempt() {
    h.cluster.create(workflow("del", step("a")));
    h.awaitPod("del-a-1");
    h.cluster.client.pods().inNamespace(TestingCluster.NAMESPACE).withName("del-a-1").delete();
    Workflow w = h.awaitWorkflow("del", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(OperatorHarness.step(w, "a").reason).isEqualTo("PodDeleted");
  }

  static boolean isWarning(Event e) {
    return "Warning".equals(e.getType());
  }
}
