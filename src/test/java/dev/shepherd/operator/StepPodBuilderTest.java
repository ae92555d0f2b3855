package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StepPodBuilderTest {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private static Workflow owned(Workflow w) {
    w.getMetadata().setUid("uid-1");
    return w;
  }

  @Test
  void podHasSecureDefaultsOwnerLabelsAndNeverRestarts() {
    Pod pod = StepPodBuilder.build(owned(workflow("wf", step("build"))), step("build"), 2);
    assertThat(pod.getMetadata().getName()).isEqualTo("wf-build-2");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("shepherd.dev/workflow", "wf")
        .containsEntry("shepherd.dev/step", "build")
        .containsEntry("shepherd.dev/attempt", "2");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Workflow");
              assertThat(o.getUid()).isEqualTo("uid-1");
              assertThat(o.getController()).isTrue();
            });
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    Container c = pod.getSpec().getContainers().getFirst();
    assertThat(c.getImage()).isEqualTo("busybox:1.36");
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
    assertThat(c.getEnv())
        .as("the step writes its outputs to its termination message")
        .contains(new EnvVar("SHEPHERD_OUTPUT", "/dev/termination-log", null));
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void securityContextIsOverridablePerWorkflow() {
    Workflow w = owned(workflow("wf", step("a")));
    w.getSpec().securityContext = new SecurityContextBuilder().withPrivileged(true).build();
    w.getSpec().serviceAccountName = "builder";
    Pod pod = StepPodBuilder.build(w, w.getSpec().steps.getFirst(), 1);
    assertThat(pod.getSpec().getContainers().getFirst().getSecurityContext().getPrivileged())
        .isTrue();
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("builder");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isNull();
  }

  @Test
  void envHasParamsThenShepherdVariablesThenTheStepsOwnWhichWin() {
    Workflow w = owned(workflow("wf", step("a")));
    w.getSpec().params = List.of(new Param("TARGET", "world"), new Param("MODE", "fast"));
    Step s = w.getSpec().steps.getFirst();
    s.env = List.of(new EnvVar("MODE", "slow", null));
    s.timeoutSeconds = 60L;
    Pod pod = StepPodBuilder.build(w, s, 3);
    assertThat(pod.getSpec().getContainers().getFirst().getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("TARGET", "world"),
            org.assertj.core.groups.Tuple.tuple("MODE", "fast"),
            org.assertj.core.groups.Tuple.tuple("SHEPHERD_WORKFLOW", "wf"),
            org.assertj.core.groups.Tuple.tuple("SHEPHERD_STEP", "a"),
            org.assertj.core.groups.Tuple.tuple("SHEPHERD_ATTEMPT", "3"),
            org.assertj.core.groups.Tuple.tuple("SHEPHERD_OUTPUT", "/dev/termination-log"),
            org.assertj.core.groups.Tuple.tuple("MODE", "slow"));
    assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(60L);
  }

  @Test
  void longNamesAreShortenedToValidDistinctDeterministicNames() {
    String wf = "a-very-long-workflow-name-that-goes-on-and-on-for-quite-a-while-really";
    Set<String> names = new HashSet<>();
    for (String step : List.of("step-one", "step-two", "x".repeat(63))) {
      for (int attempt = 1; attempt <= 12; attempt++) {
        String name = StepPodBuilder.podName(wf, step, attempt);
        assertThat(name.length()).isLessThanOrEqualTo(63);
        assertThat(name).matches(DNS_LABEL).endsWith("-" + attempt);
        assertThat(StepPodBuilder.podName(wf, step, attempt)).isEqualTo(name);
        names.add(name);
      }
    }
    assertThat(names).hasSize(36);
    assertThat(StepPodBuilder.labelValue(wf)).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
  }

  /**
   * Zombies: the pause container is PID 1 of a step Pod and reaps the orphans of the step's
   * command.
   */
  @Test
  void aStepPodSharesItsProcessNamespaceWithThePauseContainer() {
    Pod pod = StepPodBuilder.build(owned(workflow("z", step("a"))), step("a"), 1);
    assertThat(pod.getSpec().getShareProcessNamespace()).isTrue();
    assertThat(pod.getSpec().getContainers()).hasSize(1);
  }
}
