package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepTemplateCall;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.engine.Conditions;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** steps[].template: the called templates' steps run in the workflow, read once, pinned. */
class StepTemplateCallTest {
  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void theCalledTemplatesStepsRunPrefixedInTheDagWithTheCallsParamsAndAnEditChangesNothing() {
    h.template("ci", List.of(new Param("LEVEL", "1")), step("test"), step("publish", "test"));
    h.cluster.create(calling("w1", Executor.POD));

    Pod test = h.awaitPod("w1-ci-test-1");
    assertThat(test.getSpec().getContainers().getFirst().getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .contains(org.assertj.core.groups.Tuple.tuple("LEVEL", "2"));
    Workflow pinned = h.awaitWorkflow("w1", x -> x.getStatus().stepTemplates != null);
    assertThat(pinned.getStatus().stepTemplates)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.name).isEqualTo("ci");
              assertThat(p.resourceVersion)
                  .isEqualTo(h.template("ci").getMetadata().getResourceVersion());
            });
    h.setTemplateSteps("ci", step("other"));

    h.kubelet.succeed("w1-ci-test-1");
    h.kubelet.succeed(h.awaitPod("w1-ci-publish-1").getMetadata().getName());
    h.kubelet.succeed(h.awaitPod("w1-deploy-1").getMetadata().getName());
    Workflow w = h.awaitWorkflow("w1", x -> x.getStatus().phase == WorkflowPhase.Succeeded);
    assertThat(w.getStatus().steps)
        .extracting(s -> s.name)
        .containsExactly("ci-test", "ci-publish", "deploy");
    assertThat(h.cluster.pod("w1-ci-other-1")).isNull();
    assertThat(w.getSpec().steps.getFirst().template)
        .as("the user's spec is as written")
        .isNotNull();
  }

  @Test
  void aCalledTemplateThatDoesNotExistFailsTheWorkflowWithTemplateNotFound() {
    h.cluster.create(calling("lost", Executor.POD));
    Workflow w = h.awaitWorkflow("lost", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(w.getStatus().message)
        .isEqualTo("WorkflowTemplate \"ci\", which a step calls, was not found in namespace test.");
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("TemplateNotFound");
    assertThat(h.cluster.pods("lost")).isEmpty();
  }

  @Test
  void aCycleOfCallsFailsTheWorkflowAsAnInvalidSpecInTheSupervisorExecutorToo() {
    h.template("ci", List.of(new Param("LEVEL", "1")), call("again", "ci", List.of()));
    h.cluster.create(calling("loop", Executor.SUPERVISOR));
    Workflow w = h.awaitWorkflow("loop", x -> x.getStatus().phase == WorkflowPhase.Failed);
    assertThat(Conditions.find(w.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("InvalidSpec");
    assertThat(w.getStatus().message).contains("a cycle of template calls: ci -> ci.");
    assertThat(h.cluster.pods("loop")).isEmpty();
  }

  @Test
  void theSupervisorPodCarriesTheExpandedSpec() throws Exception {
    h.template("ci", List.of(new Param("LEVEL", "1")), step("test"), step("publish", "test"));
    h.cluster.create(calling("sup", Executor.SUPERVISOR));
    Pod pod = h.awaitPod("sup-supervisor");
    Manifest m = OperatorHarness.carried(pod);
    assertThat(m.spec().steps)
        .extracting(s -> s.name)
        .containsExactly("ci-test", "ci-publish", "deploy");
    assertThat(m.spec().steps.getLast().depends).containsExactly("ci-publish");
    assertThat(m.spec().steps.getFirst().env)
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("LEVEL", "2"));
    assertThat(h.awaitWorkflow("sup", x -> x.getStatus().stepTemplates != null)).isNotNull();
  }

  private static Step call(String name, String template, List<Param> params, String... depends) {
    Step s = new Step(name, depends);
    s.template = new StepTemplateCall(template, params);
    return s;
  }

  /** A workflow of a call of template "ci" (LEVEL=2), then a step "deploy" after it. */
  private static Workflow calling(String name, Executor executor) {
    Workflow w =
        workflow(name, call("ci", "ci", List.of(new Param("LEVEL", "2"))), step("deploy", "ci"));
    w.getSpec().executor = executor;
    return w;
  }
}
