package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Param;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowTemplateRef;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.engine.Conditions;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** spec.workflowTemplateRef: the template's spec runs, read once, with the Workflow's params. */
class TemplateRefTest {
  private static final String NS = TestingCluster.NAMESPACE;
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void theTemplatesStepsRunWithTheWorkflowsParamsOverridingAndAddingToItsOwn() {
    h.template("build", List.of(new Param("TARGET", "dev"), new Param("LEVEL", "1")), step("a"));
    h.cluster.create(referring("b1", List.of(new Param("TARGET", "prod"), new Param("NEW", "x"))));
    Pod pod = h.awaitPod("b1-a-1");
    assertThat(env(pod))
        .containsEntry("TARGET", "prod")
        .containsEntry("LEVEL", "1")
        .containsEntry("NEW", "x");
    h.kubelet.succeed("b1-a-1");
    Workflow w = h.awaitWorkflow("b1", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(w.getStatus().templateName).isEqualTo("build");
    assertThat(w.getStatus().templateResourceVersion)
        .isEqualTo(h.template("build").getMetadata().getResourceVersion());
    assertThat(w.getSpec().steps).as("the user's spec is left as written").isEmpty();
  }

  @Test
  void anEditOfTheTemplateDoesNotChangeARunUnderWay() {
    h.template("tpl", List.of(), step("a"), step("b", "a"));
    h.cluster.create(referring("run", List.of()));
    h.awaitPod("run-a-1");
    String pinned =
        h.awaitWorkflow("run", x -> x.getStatus().templateResourceVersion != null)
            .getStatus()
            .templateResourceVersion;
    h.setTemplateSteps("tpl", step("a"), step("other", "a"));
    assertThat(h.template("tpl").getMetadata().getResourceVersion()).isNotEqualTo(pinned);
    h.kubelet.succeed("run-a-1");
    h.awaitPod("run-b-1");
    h.kubelet.succeed("run-b-1");
    Workflow w = h.awaitWorkflow("run", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(w.getStatus().steps).extracting(s -> s.name).containsExactly("a", "b");
    assertThat(w.getStatus().templateResourceVersion).isEqualTo(pinned);
    assertThat(h.cluster.pod("run-other-1")).isNull();
  }

  @Test
  void aMissingTemplateFailsTheWorkflowWithTemplateNotFoundAndAWarning() {
    h.cluster.create(referring("lost", List.of()));
    Workflow w = h.awaitWorkflow("lost", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(w.getStatus().message).contains("WorkflowTemplate \"tpl\" was not found");
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("TemplateNotFound");
    assertThat(Conditions.isTrue(w.getStatus(), Conditions.STALLED)).isTrue();
    assertThat(h.cluster.events())
        .filteredOn(e -> e.getReason().equals("TemplateNotFound"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("lost");
            });
    assertThat(h.cluster.pods("lost")).isEmpty();
  }

  @Test
  void anInvalidTemplateSpecFailsAsAnInvalidSpec() {
    h.template("tpl", List.of(), step("a", "nope"));
    h.cluster.create(referring("bad", List.of()));
    Workflow w = h.awaitWorkflow("bad", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("InvalidSpec");
    assertThat(w.getStatus().message).contains("\"a\" depends on \"nope\"");
  }

  @Test
  void theSupervisorPodCarriesTheResolvedSpec() throws Exception {
    h.template("tpl", List.of(new Param("TARGET", "dev")), step("a"), step("b", "a"));
    Workflow wf = referring("sup", List.of(new Param("TARGET", "prod")));
    wf.getSpec().executor = Executor.SUPERVISOR;
    h.cluster.create(wf);
    Pod pod = h.awaitPod("sup-supervisor");
    Manifest m = OperatorHarness.carried(pod);
    assertThat(m.spec().workflowTemplateRef).isNull();
    assertThat(m.spec().steps).extracting(s -> s.name).containsExactly("a", "b");
    assertThat(m.spec().params)
        .extracting(p -> p.name + "=" + p.value)
        .containsExactly("TARGET=prod");
    assertThat(m.spec().executorOrDefault()).isEqualTo(Executor.SUPERVISOR);
    Workflow w = h.awaitWorkflow("sup", x -> x.getStatus().templateSpec != null);
    assertThat(w.getStatus().templateName).isEqualTo("tpl");

    // The Pod ends before the supervisor wrote an end: the controller's takeover ends the
    // template's steps, which it knows from the pinned spec.
    h.setTemplateSteps("tpl", step("z"));
    h.cluster
        .client
        .resources(Workflow.class)
        .inNamespace(NS)
        .withName("sup")
        .subresource("status")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            """
            {"status":{"phase":"Running","progress":"0/2","startedAt":"2026-11-29T10:00:01Z",
             "steps":[{"name":"a","phase":"Running","attempts":1},
                      {"name":"b","phase":"Pending","attempts":0}]}}""");
    h.awaitWorkflow("sup", x -> x.getStatus().phase == WorkflowPhase.Running);
    h.cluster.client.pods().inNamespace(NS).withName("sup-supervisor").delete();
    Workflow ended = h.awaitWorkflow("sup", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(ended.getStatus().steps).extracting(s -> s.name).containsExactly("a", "b");
    assertThat(OperatorHarness.step(ended, "b").phase).isEqualTo(StepPhase.Skipped);
  }

  private static Workflow referring(String name, List<Param> params) {
    Workflow w = workflow(name);
    w.getSpec().image = null;
    w.getSpec().steps = new ArrayList<>();
    w.getSpec().params = params.isEmpty() ? null : params;
    w.getSpec().workflowTemplateRef = new WorkflowTemplateRef(name.equals("b1") ? "build" : "tpl");
    return w;
  }

  private static Map<String, String> env(Pod pod) {
    return pod.getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
  }
}
