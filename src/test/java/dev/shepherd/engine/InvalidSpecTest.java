package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.Param;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InvalidSpecTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  static Stream<Arguments> invalidSpecs() {
    WorkflowSpec empty = new WorkflowSpec();
    WorkflowSpec nullSteps = new WorkflowSpec();
    nullSteps.steps = null;
    WorkflowSpec cycle =
        spec(step("start"), step("a", "start", "c"), step("b", "a"), step("c", "b"));
    WorkflowSpec unknown = spec(step("a"), step("b", "a", "ghost"));
    WorkflowSpec self = spec(step("a"), step("b", "b"));
    WorkflowSpec duplicate = spec(step("a"), step("b"), step("a"));
    WorkflowSpec upper = spec(step("Build"));
    WorkflowSpec underscore = spec(step("run_tests"));
    WorkflowSpec trailingDash = spec(step("deploy-"));
    WorkflowSpec tooLong = spec(step("x".repeat(64)));
    WorkflowSpec duplicateParams = spec(step("a"));
    duplicateParams.params = List.of(new Param("REGION", "eu"), new Param("REGION", "us"));
    WorkflowSpec badParam = spec(step("a"));
    badParam.params = List.of(new Param("1ST", "x"));
    WorkflowSpec negativeRetry = spec(retrying(step("a"), -1, 1, null));
    WorkflowSpec zeroParallelism = spec(step("a"));
    zeroParallelism.parallelism = 0;
    WorkflowSpec zeroTimeout = spec(Specs.timeout(step("a"), 0));
    return Stream.of(
        Arguments.of("empty steps", empty, List.of("spec.steps is empty")),
        Arguments.of("null steps", nullSteps, List.of("spec.steps is empty")),
        Arguments.of("cycle", cycle, List.of("cycle", "\"a\"", "\"b\"", "\"c\"")),
        Arguments.of("unknown dependency", unknown, List.of("\"b\"", "\"ghost\"", "not a step")),
        Arguments.of("self-dependency", self, List.of("\"b\" depends on itself")),
        Arguments.of("duplicate step names", duplicate, List.of("\"a\" is used more than once")),
        Arguments.of("upper-case name", upper, List.of("\"Build\"", "DNS-1123")),
        Arguments.of("underscore in name", underscore, List.of("\"run_tests\"", "DNS-1123")),
        Arguments.of("trailing dash", trailingDash, List.of("\"deploy-\"", "DNS-1123")),
        Arguments.of("64-character name", tooLong, List.of("DNS-1123", "63 characters")),
        Arguments.of(
            "duplicate params", duplicateParams, List.of("\"REGION\" is given more than once")),
        Arguments.of("bad param name", badParam, List.of("\"1ST\"", "environment variable")),
        Arguments.of(
            "negative retry limit", negativeRetry, List.of("\"a\"", "negative retry.limit")),
        Arguments.of("zero parallelism", zeroParallelism, List.of("parallelism is 0")),
        Arguments.of("zero timeout", zeroTimeout, List.of("\"a\"", "timeoutSeconds 0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidSpecIsRejectedWithInvalidSpecNamingTheProblemAndStartsNothing(
      String what, WorkflowSpec spec, List<String> mentioned) {
    spec.image = "busybox:1.36"; // the engine tests' steps have none
    List<Problem> problems = SpecValidation.problems(spec, SpecValidation.Target.POD);
    assertEquals(1, problems.size(), "exactly the one problem: " + problems);

    WorkflowStatus status = new WorkflowStatus();
    engine.reject(status, problems, 4);
    assertEquals("Invalid spec: " + problems.getFirst().message(), status.message);
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals(4L, status.observedGeneration);
    assertNotNull(status.finishedAt);
    assertTrue(status.message.startsWith("Invalid spec: "), status.message);
    for (String text : mentioned) {
      assertTrue(
          status.message.contains(text), "message should name " + text + ": " + status.message);
    }
    for (String type : List.of(Conditions.FAILED, Conditions.STALLED)) {
      Condition c = Conditions.find(status, type);
      assertEquals("True", c.getStatus(), type);
      assertEquals(Reason.InvalidSpec.name(), c.getReason(), type);
      assertEquals(status.message, c.getMessage());
      assertEquals(4L, c.getObservedGeneration());
    }
    assertEquals("False", Conditions.find(status, Conditions.COMPLETE).getStatus());
    assertEquals("False", Conditions.find(status, Conditions.RECONCILING).getStatus());
    assertTrue(status.steps.isEmpty(), "no step status is made for a spec that can't run");

    clock.advanceSeconds(60);
    assertEquals(Plan.NOTHING, engine.plan(spec, status, 4), "a rejected workflow stays rejected");
  }

  @Test
  void cycleMessageFollowsTheDependenciesAroundTheCycle() {
    WorkflowSpec spec =
        spec(step("start"), step("a", "start", "c"), step("b", "a"), step("c", "b"));
    List<String> problems = messages(spec);
    assertEquals(
        List.of("Steps form a cycle: \"a\" depends on \"c\" depends on \"b\" depends on \"a\"."),
        problems);
  }

  @Test
  void twoStepCycleIsNamed() {
    WorkflowSpec spec = spec(step("ping", "pong"), step("pong", "ping"));
    List<String> problems = messages(spec);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(
        problems.getFirst().contains("\"ping\"") && problems.getFirst().contains("\"pong\""),
        problems.toString());
  }

  @Test
  void longChainIsValidAndDoesNotOverflowTheStack() {
    List<dev.shepherd.api.Step> steps = new ArrayList<>();
    steps.add(step("s0"));
    for (int i = 1; i < 20_000; i++) {
      steps.add(step("s" + i, "s" + (i - 1)));
    }
    WorkflowSpec spec = spec(steps.toArray(dev.shepherd.api.Step[]::new));
    assertEquals(List.of(), messages(spec));
    spec.steps.getFirst().depends = List.of("s19999");
    List<String> problems = messages(spec);
    assertEquals(1, problems.size());
    assertTrue(problems.getFirst().startsWith("Steps form a cycle"));
  }

  @Test
  void theMessageJoinsEveryProblemsSentence() {
    WorkflowStatus status = new WorkflowStatus();
    engine.reject(
        status,
        List.of(
            new Problem("spec.parallelism", null, "One."),
            new Problem("spec.steps[0].name", "a", "Two.")),
        1);
    assertEquals("Invalid spec: One. Two.", status.message);
  }

  /** The engine tests' specs have no image: validated for pod mode, with one. */
  private static List<String> messages(WorkflowSpec spec) {
    if (spec.image == null) {
      spec.image = "busybox:1.36";
    }
    return SpecValidation.problems(spec, SpecValidation.Target.POD).stream()
        .map(Problem::message)
        .toList();
  }

  @Test
  void everyProblemIsReportedTogether() {
    WorkflowSpec spec = spec(step("Bad"), step("a", "a"), step("a"));
    spec.params = List.of(new Param("P", "1"), new Param("P", "2"));
    List<String> problems = messages(spec);
    assertEquals(4, problems.size(), problems.toString());
  }
}
