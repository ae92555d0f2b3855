package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPersistenceTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  private static WorkflowStatus roundTrip(WorkflowStatus status) {
    return Serialization.unmarshal(Serialization.asJson(status), WorkflowStatus.class);
  }

  @Test
  void finishedThousandStepWorkflowCostsUnder200BytesPerStep() {
    String workflow = "nightly-etl";
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      // A realistic mix: a fan of extract steps, each transformed, then a few loads.
      String name =
          switch (i % 3) {
            case 0 -> "extract-" + i;
            case 1 -> "transform-" + i;
            default -> "load-" + i;
          };
      steps.add(i % 3 == 0 ? step(name) : step(name, steps.get(i - 1).name));
    }
    WorkflowSpec spec = spec(steps.toArray(Step[]::new));
    WorkflowStatus status = new WorkflowStatus();
    int guard = 0;
    while (status.phase == null || !status.phase.isFinal()) {
      Plan plan = engine.plan(spec, status, 1);
      clock.advance(Duration.ofMillis(12_345));
      for (StepStart s : plan.start()) {
        status.step(s.step()).podName =
            workflow + "-" + s.step() + "-" + s.attempt(); // as the operator does
      }
      for (StepStart s : plan.start()) {
        assertTrue(engine.finished(spec, status, s.step(), s.attempt(), Outcome.exited(0)));
      }
      assertTrue(guard++ < 10, "the workflow should end in three rounds");
    }
    assertEquals(WorkflowPhase.Succeeded, status.phase);
    assertEquals("nightly-etl-transform-997-1", status.step("transform-997").podName);

    JsonNode json = Serialization.jsonMapper().valueToTree(status);
    JsonNode stepsJson = json.get("steps");
    assertEquals(1000, stepsJson.size());
    int bytes = Serialization.asJson(stepsJson).getBytes(StandardCharsets.UTF_8).length;
    double perStep = bytes / 1000.0;
    assertTrue(
        perStep < 200,
        "the steps array costs " + perStep + " bytes per step, e.g. " + stepsJson.get(999));
    int total = Serialization.asJson(status).getBytes(StandardCharsets.UTF_8).length;
    assertTrue(total < 1_000_000, "the whole status must fit an etcd object: " + total);
  }

  @Test
  void planningTwiceWithNoEventBetweenStartsNothingTheSecondTime() {
    WorkflowSpec spec = spec(step("a"), step("b"), step("c", "a", "b"));
    WorkflowStatus status = new WorkflowStatus();
    Plan first = engine.plan(spec, status, 1);
    assertEquals(2, first.start().size());
    String after = Serialization.asJson(status);
    Plan second = engine.plan(spec, status, 1);
    assertEquals(List.of(), second.start());
    assertEquals(List.of(), second.stop());
    assertEquals(first.wakeAt(), second.wakeAt());
    assertEquals(after, Serialization.asJson(status), "a repeated plan changes nothing");

    clock.advanceSeconds(3); // time alone changes nothing either, without timeouts or retries
    assertEquals(List.of(), engine.plan(spec, status, 1).start());
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    engine.finished(spec, status, "b", 1, Outcome.exited(0));
    assertEquals(List.of(StartKeys.of("c", 1)), StartKeys.of(engine.plan(spec, status, 1)));
    assertEquals(List.of(), engine.plan(spec, status, 1).start());
  }

  @Test
  void statusReadBackFromJsonGivesTheSameNextPlan() {
    Step flaky = retrying(step("flaky"), 2, 4, null);
    Step slow = timeout(step("slow"), 20);
    WorkflowSpec spec = spec(step("a"), flaky, slow, step("b", "a", "flaky"), step("c", "b"));
    spec.activeDeadlineSeconds = 600L;
    WorkflowStatus status = new WorkflowStatus();
    clock.advance(Duration.ofNanos(123_456_789)); // sub-millisecond time must not matter
    engine.plan(spec, status, 1);
    clock.advance(Duration.ofMillis(2_500));
    engine.finished(spec, status, "a", 1, Outcome.exited(0));
    engine.finished(spec, status, "flaky", 1, new Outcome(1, "Error", "x".repeat(1000)));
    assertEquals(
        Engine.MAX_STEP_MESSAGE, status.step("flaky").message.length(), "a long message is cut");

    // At several moments (before the retry, at it, at the timeout), a restarted executor that only
    // has the JSON decides exactly as the one that kept the status in memory.
    for (long seconds : new long[] {0, 1, 3, 2, 14, 30}) {
      clock.advanceSeconds(seconds);
      WorkflowStatus restored = roundTrip(status);
      assertEquals(Serialization.asJson(status), Serialization.asJson(restored));
      Plan kept = engine.plan(spec, status, 1);
      Plan reread = engine.plan(spec, restored, 1);
      assertEquals(kept, reread, "after " + seconds + " s");
      assertEquals(Serialization.asJson(status), Serialization.asJson(restored));
      for (StepStart s : kept.start()) {
        engine.finished(
            spec, status, s.step(), s.attempt(), Outcome.exited(s.step().equals("flaky") ? 1 : 0));
      }
    }
    assertEquals(StepPhase.Failed, status.step("slow").phase);
    assertEquals("DeadlineExceeded", status.step("slow").reason);
  }
}
