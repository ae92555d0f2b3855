package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class StepInvocationTest {
  @Test
  void envIsParamsThenShepherdsVariablesThenTheStepsOwnWithDuplicatesKept() {
    Step a = step("a");
    a.env = List.of(new EnvVar("MODE", "slow", null), new EnvVar("EXTRA", null, null));
    WorkflowSpec spec = spec(a);
    spec.params = List.of(new Param("MODE", "fast"), new Param("EMPTY", null));

    StepInvocation invocation = StepInvocation.of("wf", spec, a, 3, "/out/a-3");

    assertThat(invocation.env())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            Tuple.tuple("MODE", "fast"),
            Tuple.tuple("EMPTY", ""),
            Tuple.tuple("SHEPHERD_WORKFLOW", "wf"),
            Tuple.tuple("SHEPHERD_STEP", "a"),
            Tuple.tuple("SHEPHERD_ATTEMPT", "3"),
            Tuple.tuple("SHEPHERD_OUTPUT", "/out/a-3"),
            Tuple.tuple("MODE", "slow"),
            Tuple.tuple("EXTRA", null));
    assertThat(invocation.variables())
        .containsExactly(
            entry("MODE", "slow"),
            entry("EMPTY", ""),
            entry("SHEPHERD_WORKFLOW", "wf"),
            entry("SHEPHERD_STEP", "a"),
            entry("SHEPHERD_ATTEMPT", "3"),
            entry("SHEPHERD_OUTPUT", "/out/a-3"),
            entry("EXTRA", ""));
  }

  /**
   * A Pod resolves valueFrom itself; a process, where validation lets none through, would see it
   * empty.
   */
  @Test
  void valueFromEntriesStayAsGivenForThePod() {
    Step a = step("a");
    EnvVar fromField =
        new EnvVarBuilder()
            .withName("NODE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .build();
    a.env = List.of(fromField);

    StepInvocation invocation = StepInvocation.of("wf", spec(a), a, 1, "/out");

    assertThat(invocation.env().getLast()).isSameAs(fromField);
    assertThat(invocation.variables()).containsEntry("NODE", "");
  }

  @Test
  void commandAndArgsStayApartAndMakeTheArgvWithNullsAsEmpty() {
    Step a = step("a");
    a.command = List.of("sh", "-c");
    a.args = Arrays.asList("echo \"$0\"", null);

    StepInvocation invocation = StepInvocation.of("wf", spec(a), a, 1, "/out");

    assertThat(invocation.command()).isSameAs(a.command);
    assertThat(invocation.args()).isSameAs(a.args);
    assertThat(invocation.argv()).containsExactly("sh", "-c", "echo \"$0\"", "");
  }

  @Test
  void noCommandLeavesTheEntrypointToTheImage() {
    Step a = step("a");
    a.args = List.of("--help");

    StepInvocation invocation = StepInvocation.of("wf", spec(a), a, 1, "/out");

    assertThat(invocation.command()).isNull();
    assertThat(invocation.argv()).containsExactly("--help");
  }

  @Test
  void anEmptyWorkingDirIsNone() {
    Step a = step("a");
    a.workingDir = "";
    assertThat(StepInvocation.of("wf", spec(a), a, 1, "/out").workingDir()).isNull();
    a.workingDir = "/work";
    assertThat(StepInvocation.of("wf", spec(a), a, 1, "/out").workingDir()).isEqualTo("/work");
  }

  /** The workspace's path comes after the attempt, so a step's own env could still move it. */
  @Test
  void aWorkspaceIsNamedInShepherdWorkspaceAtItsMountPath() {
    Step a = step("a");
    WorkflowSpec spec = spec(a);
    assertThat(StepInvocation.of("wf", spec, a, 1, "/out").variables())
        .doesNotContainKey("SHEPHERD_WORKSPACE");

    spec.workspace = new Workspace();
    assertThat(StepInvocation.of("wf", spec, a, 1, "/out").variables())
        .containsEntry("SHEPHERD_WORKSPACE", "/workspace");
    spec.workspace.mountPath = "/data";
    a.env = List.of(new EnvVar("SHEPHERD_WORKSPACE", "/elsewhere", null));
    assertThat(StepInvocation.of("wf", spec, a, 1, "/out").env())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsSubsequence(
            Tuple.tuple("SHEPHERD_ATTEMPT", "1"),
            Tuple.tuple("SHEPHERD_WORKSPACE", "/data"),
            Tuple.tuple("SHEPHERD_WORKSPACE", "/elsewhere"));
  }

  private static Map.Entry<String, String> entry(String name, String value) {
    return Map.entry(name, value);
  }
}
