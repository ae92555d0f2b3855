package dev.shepherd.cli.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code logs} in both executors, on a mock API server that keeps objects (CRUD) and serves the
 * Pods' logs the test expects.
 */
class LogsTest {
  private static final String NS = "test";

  private KubernetesMockServer server;
  private KubernetesClient client;
  private Plugin plugin;

  @BeforeEach
  void start() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    client = server.createClient();
    TestingCluster.installCrds(client);
    plugin = new Plugin(server::createClient);
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  private void workflow(String name, Executor executor, Step... steps) {
    Workflow w = OperatorHarness.workflow(name, steps);
    w.getMetadata().setNamespace(NS);
    w.getSpec().executor = executor;
    client.resource(w).create();
  }

  /** A Pod with the labels the operator puts on a step's Pod, and its log. */
  private void stepPod(String workflow, String step, Integer item, int attempt, String log) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(StepPodBuilder.WORKFLOW_LABEL, workflow);
    labels.put(StepPodBuilder.STEP_LABEL, step);
    if (item != null) {
      labels.put(StepPodBuilder.ITEM_LABEL, item.toString());
    }
    labels.put(StepPodBuilder.ATTEMPT_LABEL, Integer.toString(attempt));
    String name =
        StepPodBuilder.podName(workflow, item == null ? step : step + "[" + item + "]", attempt);
    pod(name, labels, StepPodBuilder.CONTAINER, log);
  }

  private void pod(String name, Map<String, String> labels, String container, String log) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(container)
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Succeeded")
            .endStatus()
            .build();
    client.resource(pod).create();
    String path =
        "/api/v1/namespaces/" + NS + "/pods/" + name + "/log?pretty=false&container=" + container;
    server.expect().get().withPath(path).andReturn(200, log).always();
    server.expect().get().withPath(path + "&follow=true").andReturn(200, log).always();
  }

  @Test
  void podModeShowsTheLastAttemptsPodLogOrTheAttemptAsked() {
    workflow("wf", Executor.POD, OperatorHarness.step("build"), OperatorHarness.step("test"));
    stepPod("wf", "build", null, 1, "first try\n");
    stepPod("wf", "build", null, 2, "second try\nok\n");
    stepPod("wf", "test", null, 1, "testing\n");

    Plugin.Result last = plugin.run("logs", "wf", "build");
    Plugin.Result first = plugin.run("logs", "wf", "build", "--attempt", "1");
    Plugin.Result followed = plugin.run("logs", "wf", "build", "-f");

    assertThat(last.code).as(last.toString()).isEqualTo(0);
    assertThat(last.out()).isEqualTo("second try\nok\n");
    assertThat(first.out()).isEqualTo("first try\n");
    assertThat(followed.code).as(followed.toString()).isEqualTo(0);
    assertThat(followed.out()).isEqualTo("second try\nok\n");
  }

  @Test
  void podModeWithoutAStepShowsEveryStepPrefixedAndALoopsInstancesEachPrefixed() {
    Step loop = OperatorHarness.step("shard");
    loop.items = List.of("x", "y");
    workflow("wf", Executor.POD, OperatorHarness.step("build"), loop);
    stepPod("wf", "build", null, 1, "built\n");
    stepPod("wf", "shard", 0, 1, "x done\n");
    stepPod("wf", "shard", 1, 1, "y done\n");
    Workflow w = client.resources(Workflow.class).inNamespace(NS).withName("wf").get();
    w.setStatus(new dev.shepherd.api.WorkflowStatus());
    w.getStatus().steps.add(new dev.shepherd.api.StepStatus("build"));
    w.getStatus().steps.add(new dev.shepherd.api.StepStatus("shard"));
    client.resource(w).updateStatus();

    Plugin.Result all = plugin.run("logs", "wf");
    Plugin.Result shard = plugin.run("logs", "wf", "shard");
    Plugin.Result one = plugin.run("logs", "wf", "shard[1]");

    assertThat(all.out()).isEqualTo("[build] built\n[shard[0]] x done\n[shard[1]] y done\n");
    assertThat(shard.out()).isEqualTo("[shard[0]] x done\n[shard[1]] y done\n");
    assertThat(one.out()).isEqualTo("y done\n");
  }

  @Test
  void podModeSaysWhenAStepHasNoPodAndRefusesAStepItDoesNotHave() {
    workflow("wf", Executor.POD, OperatorHarness.step("build"));

    Plugin.Result none = plugin.run("logs", "wf", "build");
    Plugin.Result unknown = plugin.run("logs", "wf", "deploy");

    assertThat(none.code).isEqualTo(1);
    assertThat(none.err())
        .isEqualTo(
            "error: no Pod of step build in workflow wf: it has not started, or its Pods were"
                + " deleted (spec.podGC)\n");
    assertThat(unknown.code).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("error: workflow wf has no step deploy\n");
  }

  private static final String SUPERVISOR_LOG =
      """
      12:00:00.001 INFO  d.s.c.SuperviseCommand - workflow sv: starting
      [build] compiling
      [test] testing 1
      [build] error: disk full
      12:00:01.002 INFO  d.s.c.SuperviseCommand - step build attempt 1 exited 1 after 1.0s (failed: Error)
      [build] compiling again
      [build] done
      12:00:02.003 INFO  d.s.c.SuperviseCommand - step build attempt 2 exited 0 after 1.0s (succeeded)
      [test] ok
      """;

  @Test
  void supervisorModeShowsTheStepsLinesOfTheSupervisorPodWithoutThePrefix() {
    workflow(
        "sv", Executor.SUPERVISOR, OperatorHarness.step("build"), OperatorHarness.step("test"));
    pod(
        SupervisorPodBuilder.name("sv"),
        Map.of(StepPodBuilder.WORKFLOW_LABEL, "sv"),
        SupervisorPodBuilder.CONTAINER,
        SUPERVISOR_LOG);

    Plugin.Result build = plugin.run("logs", "sv", "build");
    Plugin.Result firstAttempt = plugin.run("logs", "sv", "build", "--attempt=1");
    Plugin.Result second = plugin.run("logs", "sv", "build", "--attempt", "2");
    Plugin.Result all = plugin.run("logs", "sv");
    Plugin.Result followed = plugin.run("logs", "sv", "test", "--follow");

    assertThat(build.code).as(build.toString()).isEqualTo(0);
    assertThat(build.out()).isEqualTo("compiling\nerror: disk full\ncompiling again\ndone\n");
    assertThat(firstAttempt.out()).isEqualTo("compiling\nerror: disk full\n");
    assertThat(second.out()).isEqualTo("compiling again\ndone\n");
    assertThat(all.out())
        .isEqualTo(
            "[build] compiling\n[test] testing 1\n[build] error: disk full\n"
                + "[build] compiling again\n[build] done\n[test] ok\n");
    assertThat(followed.out()).isEqualTo("testing 1\nok\n");
  }
}
