package dev.shepherd.engine;

import static dev.shepherd.engine.Specs.loop;
import static dev.shepherd.engine.Specs.retrying;
import static dev.shepherd.engine.Specs.spec;
import static dev.shepherd.engine.Specs.started;
import static dev.shepherd.engine.Specs.step;
import static dev.shepherd.engine.Specs.timeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.StatusJson;
import dev.shepherd.testing.TestingClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loop steps: one instance per item, maxParallel at a time, with a status of counts. */
class EngineLoopTest {
  private final TestingClock clock = new TestingClock();
  private final Engine engine = new Engine(clock);

  @Test
  void instancesStartInItemOrderMaxParallelAtATimeAndTheLoopSucceedsWhenAllHave() {
    WorkflowSpec spec = spec(loop(step("fan"), 2, "a", "b", "c", "d", "e"), step("after", "fan"));
    WorkflowStatus status = new WorkflowStatus();

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("fan[0]", "fan[1]");
    engine.finished(spec, status, "fan[1]", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("fan[2]");
    LoopStatus loop = status.step("fan").loop;
    assertThat(loop.instances).extracting(i -> i.name).containsExactly("fan[0]", "fan[2]");
    assertThat(List.of(loop.total, loop.started, loop.succeeded)).containsExactly(5, 3, 1);

    for (String name : List.of("fan[0]", "fan[2]")) {
      engine.finished(spec, status, name, 1, Outcome.exited(0));
    }
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("fan[3]", "fan[4]");
    engine.finished(spec, status, "fan[3]", 1, Outcome.exited(0));
    engine.finished(spec, status, "fan[4]", 1, Outcome.exited(0));

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("after");
    StepStatus fan = status.step("fan");
    assertThat(fan.phase).isEqualTo(StepPhase.Succeeded);
    assertThat(fan.message).isEqualTo("All 5 items succeeded.");
    assertThat(fan.loop.instances).isEmpty();
    assertThat(List.of(fan.loop.succeeded, fan.loop.failed, fan.loop.skipped))
        .containsExactly(5, 0, 0);
  }

  @Test
  void eachInstanceRunsItsItemWithTheItemInItsEnvironment() {
    WorkflowSpec spec = spec(loop(step("fan"), null, "eu", 7));
    WorkflowStatus status = new WorkflowStatus();

    List<StepStart> starts = engine.plan(spec, status, 1).start();

    assertThat(starts.get(1).run().env)
        .extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("SHEPHERD_ITEM=7", "SHEPHERD_ITEM_INDEX=1");
    assertThat(starts.get(0).run().env)
        .extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("SHEPHERD_ITEM=eu", "SHEPHERD_ITEM_INDEX=0");
    assertThat(starts.get(0).run().name).isEqualTo("fan");
  }

  @Test
  void aFailedInstanceStopsNewOnesTheRunningOnesFinishAndTheLoopFailsWithItsCounts() {
    WorkflowSpec spec = spec(loop(step("fan"), 2, 1, 2, 3, 4, 5), step("after", "fan"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "fan[0]", 1, new Outcome(3, "Error", "bad item"));
    assertThat(started(engine.plan(spec, status, 1))).isEmpty();
    assertThat(status.step("fan").phase).isEqualTo(StepPhase.Running);
    engine.finished(spec, status, "fan[1]", 1, Outcome.exited(0));
    engine.plan(spec, status, 1);

    StepStatus fan = status.step("fan");
    assertThat(fan.phase).isEqualTo(StepPhase.Failed);
    assertThat(fan.exitCode).isEqualTo(3);
    assertThat(fan.message)
        .isEqualTo("Item 0 failed with exit code 3; 1 of 5 items failed, 3 not run.");
    assertThat(List.of(fan.loop.succeeded, fan.loop.failed, fan.loop.skipped))
        .containsExactly(1, 1, 3);
    assertThat(fan.loop.instances).extracting(i -> i.name).containsExactly("fan[0]");
    assertThat(status.step("after").phase).isEqualTo(StepPhase.Skipped);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(status.message)
        .isEqualTo(
            "Step fan failed (Item 0 failed with exit code 3; 1 of 5 items failed, 3 not run);"
                + " 1 step was skipped.");
  }

  @Test
  void retriesArePerInstance() {
    WorkflowSpec spec = spec(loop(retrying(step("fan"), 1, 5, null), null, "x", "y"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    engine.finished(spec, status, "fan[1]", 1, Outcome.exited(1));
    Plan wait = engine.plan(spec, status, 1);
    assertThat(started(wait)).isEmpty();
    assertThat(wait.wakeAt()).isEqualTo(clock.instant().plusSeconds(5));
    assertThat(status.entry("fan[1]").phase).isEqualTo(StepPhase.Retrying);

    clock.advanceSeconds(5);
    Plan retry = engine.plan(spec, status, 1);
    assertThat(StartKeys.of(retry)).containsExactly("fan[1]#2");
    engine.finished(spec, status, "fan[0]", 1, Outcome.exited(0));
    engine.finished(spec, status, "fan[1]", 2, Outcome.exited(0));
    engine.plan(spec, status, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
  }

  @Test
  void anInstancePastItsTimeoutIsStoppedByItsName() {
    WorkflowSpec spec = spec(loop(timeout(step("fan"), 10), null, "x"));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    clock.advanceSeconds(10);
    Plan plan = engine.plan(spec, status, 1);

    assertThat(plan.stop()).containsExactly("fan[0]");
    assertThat(status.step("fan").phase).isEqualTo(StepPhase.Failed);
    assertThat(status.step("fan").reason).isEqualTo("DeadlineExceeded");
  }

  @Test
  void theWorkflowsParallelismCountsRunningInstances() {
    WorkflowSpec spec = spec(loop(step("fan"), null, 1, 2, 3), step("other"));
    spec.parallelism = 2;
    WorkflowStatus status = new WorkflowStatus();

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("fan[0]", "fan[1]");
    engine.finished(spec, status, "fan[0]", 1, Outcome.exited(0));
    assertThat(started(engine.plan(spec, status, 1))).containsExactly("fan[2]");
  }

  @Test
  void aLoopOfNoItemsSucceedsAtOnceAndItsDependentsStartInTheSamePlan() {
    WorkflowSpec spec = spec(loop(step("fan"), null), step("after", "fan"));
    WorkflowStatus status = new WorkflowStatus();

    assertThat(started(engine.plan(spec, status, 1))).containsExactly("after");
    assertThat(status.step("fan").message).isEqualTo("No items.");
  }

  @Test
  void aCancelStopsTheRunningInstancesAndEndsTheLoop() {
    WorkflowSpec spec = spec(loop(step("fan"), 2, 1, 2, 3));
    WorkflowStatus status = new WorkflowStatus();
    engine.plan(spec, status, 1);

    Plan cancel = engine.cancel(spec, status, "Stop.", 1);

    assertThat(cancel.stop()).containsExactly("fan[0]", "fan[1]");
    StepStatus fan = status.step("fan");
    assertThat(fan.phase).isEqualTo(StepPhase.Failed);
    assertThat(fan.reason).isEqualTo("Cancelled");
    assertThat(List.of(fan.loop.failed, fan.loop.skipped)).containsExactly(2, 1);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Cancelled);
  }

  @Test
  void aLoopOfTenThousandItemsKeepsTheWholeStatusUnderOneMebibyte() {
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      items.add("item-" + i);
    }
    WorkflowSpec spec = spec(retrying(step("fan"), 1, 1, null));
    spec.steps.getFirst().items = items;
    spec.steps.getFirst().maxParallel = 500;
    WorkflowStatus status = new WorkflowStatus();

    int largest = 0;
    int starts = 0;
    Plan plan = engine.plan(spec, status, 1);
    while (!status.phase.isFinal()) {
      for (StepStart s : plan.start()) {
        starts++;
        // every 7th item fails once, then succeeds on its retry
        boolean fails = LoopStatus.indexOf(s.step()) % 7 == 0 && s.attempt() == 1;
        engine.finished(spec, status, s.step(), s.attempt(), Outcome.exited(fails ? 1 : 0));
      }
      largest = Math.max(largest, size(status));
      clock.advanceSeconds(1);
      plan = engine.plan(spec, status, 1);
    }

    assertThat(starts).isEqualTo(10_000 + 1_429);
    assertThat(status.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(status.step("fan").loop.succeeded).isEqualTo(10_000);
    assertThat(largest).isLessThan(1 << 20);
  }

  @Test
  void aRunningLoopOfTenThousandItemsWithoutALimitStaysUnderOneMebibyteToo() {
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      items.add(i);
    }
    WorkflowSpec spec = spec(step("fan"));
    spec.steps.getFirst().items = items;
    WorkflowStatus status = new WorkflowStatus();

    engine.plan(spec, status, 1);

    assertThat(status.running()).hasSize(10_000);
    assertThat(size(status)).isLessThan(1 << 20);
    RunStatus first = status.running().getFirst();
    assertThat(first.name).isEqualTo("fan[0]");
  }

  /** The status as the API server would store it: its JSON, in bytes. */
  private static int size(WorkflowStatus status) {
    return StatusJson.write(StatusJson.tree(status)).getBytes(StandardCharsets.UTF_8).length;
  }
}
