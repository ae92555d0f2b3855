package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No scenario can exist without being run: in a scenario main every method that is not private
 * (helpers are) nor static is a {@link Scenario}, and its process test runs every {@link Scenario}.
 */
class ScenariosTest {
  @ParameterizedTest
  @ValueSource(classes = {SupervisorScenarios.class, WorkflowRunnerScenarios.class})
  void everyMethodThatIsNotAHelperIsAMarkedScenario(Class<?> scenarios) {
    List<Method> unmarked =
        Arrays.stream(scenarios.getDeclaredMethods())
            .filter(
                m ->
                    !m.isSynthetic()
                        && !Modifier.isPrivate(m.getModifiers())
                        && !Modifier.isStatic(m.getModifiers()))
            .filter(m -> !m.isAnnotationPresent(Scenario.class))
            .toList();
    assertThat(unmarked)
        .as(
            "methods of %s that look like scenarios but are not marked @Scenario (so would never"
                + " run); make them @Scenario, or private if they are helpers",
            scenarios.getSimpleName())
        .isEmpty();
    assertThat(
            Arrays.stream(scenarios.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Scenario.class)))
        .as("a scenario takes no arguments and belongs to the instance")
        .isNotEmpty()
        .allMatch(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()));
  }

  @Test
  void theProcessTestsRunEveryScenario() {
    List<String> supervisor = Scenarios.names(SupervisorScenarios.class);
    assertThat(supervisor)
        .contains("exitCodes", "outputLinesAndTail")
        .doesNotContain("spawn", "main");
    List<String> run =
        SupervisorProcessTest.scenarios()
            .map(Arguments::get)
            .map(a -> ((Named<?>) a[0]).getPayload() + " " + a[1])
            .toList();
    assertThat(run)
        .hasSize(2 * supervisor.size())
        .containsAll(
            Stream.of("pid1", "subreaper")
                .flatMap(mode -> supervisor.stream().map(s -> mode + " " + s))
                .toList());
    assertThat(WorkflowRunnerProcessTest.scenarios())
        .contains("dagOrder")
        .containsExactlyElementsOf(Scenarios.names(WorkflowRunnerScenarios.class));
  }

  @Test
  void aNameThatIsNoScenarioIsAnError() {
    assertThatThrownBy(() -> Scenarios.run(new Object(), "exitCodes"))
        .hasMessageContaining("no scenario exitCodes");
    assertThatThrownBy(() -> Scenarios.run("text", "length"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
