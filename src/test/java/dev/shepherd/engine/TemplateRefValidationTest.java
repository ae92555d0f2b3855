package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowTemplateRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.workflowTemplateRef: what validation says of it, and the spec it resolves to. */
class TemplateRefValidationTest {
  @Test
  void stepsBesideARefAreNamed() {
    WorkflowSpec spec = referring("t");
    spec.steps = new ArrayList<>(List.of(new Step("a")));
    assertThat(SpecValidation.problems(spec, SpecValidation.Target.LOCAL))
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.steps",
                "spec takes either steps or a workflowTemplateRef: the steps come from the"
                    + " template."));
  }

  @Test
  void aRefWithoutNameIsNamed() {
    assertThat(SpecValidation.referenceProblems(referring(" ")))
        .extracting(Problem::path)
        .containsExactly("spec.workflowTemplateRef.name");
  }

  @Test
  void anUnresolvedRefDoesNotRun() {
    assertThat(SpecValidation.problems(referring("t"), SpecValidation.Target.POD))
        .extracting(Problem::message)
        .containsExactly(
            "spec.workflowTemplateRef names WorkflowTemplate \"t\", which nothing resolved here.");
  }

  @Test
  void theWorkflowsFieldsWinParamsMergeByNameAndTheExecutorIsTheWorkflows() {
    WorkflowSpec template = new WorkflowSpec();
    template.steps = new ArrayList<>(List.of(new Step("a")));
    template.image = "alpine:3";
    template.parallelism = 2;
    template.executor = Executor.SUPERVISOR;
    template.params = List.of(new Param("A", "1"), new Param("B", "2"));
    WorkflowSpec own = referring("t");
    own.parallelism = 5;
    own.params = List.of(new Param("B", "own"), new Param("C", "3"));

    WorkflowSpec spec = TemplateOverlay.resolve(own, template);

    assertThat(spec.workflowTemplateRef).isNull();
    assertThat(spec.steps).extracting(s -> s.name).containsExactly("a");
    assertThat(spec.image).isEqualTo("alpine:3");
    assertThat(spec.parallelism).isEqualTo(5);
    assertThat(spec.executor).isNull();
    assertThat(spec.params)
        .extracting(p -> p.name + "=" + p.value)
        .containsExactly("A=1", "B=own", "C=3");
    assertThat(SpecValidation.problems(spec, SpecValidation.Target.POD)).isEmpty();
    assertThat(template.params).extracting(p -> p.value).containsExactly("1", "2");
  }

  private static WorkflowSpec referring(String name) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.workflowTemplateRef = new WorkflowTemplateRef(name);
    return spec;
  }
}
