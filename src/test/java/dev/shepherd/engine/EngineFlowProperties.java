package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The flow of random workflows with allowFailure, when, loops and finally steps, run by a random
 * executor that sometimes cancels: finally steps run exactly once, after every main step; a loop's
 * counts add up; skips propagate from failures that nothing excuses, and only from those; a false
 * when skips its step and lets its dependents run.
 */
class EngineFlowProperties {
  /** A random spec: main steps that may loop or allow failure, and finally steps. */
  static WorkflowSpec spec(Random r) {
    WorkflowSpec spec = new WorkflowSpec();
    int main = 1 + r.nextInt(10);
    for (int i = 0; i < main; i++) {
      spec.steps.add(step(r, "s" + i, i, "s"));
    }
    int fin = r.nextInt(4);
    if (fin > 0) {
      spec.finallySteps = new ArrayList<>();
      for (int i = 0; i < fin; i++) {
        spec.finallySteps.add(step(r, "f" + i, i, "f"));
      }
    }
    return spec;
  }

  private static Step step(Random r, String name, int before, String prefix) {
    Step step = new Step(name);
    Set<String> deps = new LinkedHashSet<>();
    for (int k = 0, n = before == 0 ? 0 : r.nextInt(3); k < n; k++) {
      deps.add(prefix + r.nextInt(before));
    }
    step.depends = deps.isEmpty() ? null : new ArrayList<>(deps);
    step.allowFailure = r.nextInt(4) == 0 ? true : null;
    if (r.nextInt(4) == 0) {
      step.when = r.nextBoolean() ? "1 < 2" : "params.size() > 0";
    }
    if (r.nextInt(3) == 0) {
      step.retry = new Retry(1, r.nextInt(3), null);
    }
    if (r.nextInt(3) == 0) {
      step.items = new ArrayList<>();
      for (int k = 0, n = r.nextInt(6); k < n; k++) {
        step.items.add("i" + k);
      }
      step.maxParallel = r.nextBoolean() ? null : 1 + r.nextInt(2);
    }
    return step;
  }

  @Property(tries = 300)
  void finallyRunsOnceAfterTheMainStepsLoopsAddUpAndSkipsFollowUnexcusedFailures(
      @ForAll long seed) {
    Random r = new Random(seed);
    WorkflowSpec spec = spec(r);
    TestingClock clock = new TestingClock();
    Engine engine = new Engine(clock);
    WorkflowStatus status = new WorkflowStatus();
    List<StepStart> running = new ArrayList<>();
    Map<String, Integer> firstStarts = new HashMap<>();
    Set<String> finallyNames = new LinkedHashSet<>();
    if (spec.finallySteps != null) {
      spec.finallySteps.forEach(s -> finallyNames.add(s.name));
    }
    boolean cancelled = false;
    boolean mainDoneAtCancel = false;
    int mainCount = spec.steps.size();

    Plan plan = engine.plan(spec, status, 1);
    for (int i = 0; i < 10_000 && !status.phase.isFinal(); i++) {
      for (StepStart s : plan.start()) {
        running.add(s);
        if (s.attempt() == 1) {
          firstStarts.merge(s.step(), 1, Integer::sum);
        }
        if (finallyNames.contains(s.step())) {
          for (int m = 0; m < mainCount; m++) {
            assertThat(status.steps.get(m).phase.isFinal())
                .as("main step %s has ended when finally step %s starts", m, s.step())
                .isTrue();
          }
        }
      }
      List<String> stopped = plan.stop();
      running.removeIf(s -> stopped.contains(s.step()));
      if (!cancelled && r.nextInt(40) == 0) {
        cancelled = true;
        mainDoneAtCancel =
            status.steps.subList(0, mainCount).stream().allMatch(st -> st.phase.isFinal());
        Plan stop = engine.cancel(spec, status, "Stop.", 1);
        running.removeIf(s -> stop.stop().contains(s.step()));
      } else if (running.isEmpty()) {
        clock.advanceSeconds(1);
      } else {
        StepStart done = running.remove(r.nextInt(running.size()));
        engine.finished(
            spec, status, done.step(), done.attempt(), Outcome.exited(r.nextInt(10) < 3 ? 1 : 0));
      }
      plan = engine.plan(spec, status, 1);
    }

    assertThat(status.phase.isFinal()).as("the workflow ends").isTrue();
    if (!mainDoneAtCancel) {
      for (String f : finallyNames) {
        StepStatus st = status.step(f);
        boolean depsOk =
            spec.allSteps().stream()
                .filter(s -> s.name.equals(f))
                .findFirst()
                .orElseThrow()
                .dependsOrEmpty()
                .stream()
                .allMatch(d -> passed(spec, status.step(d)));
        boolean conditionFalse = "ConditionFalse".equals(st.reason);
        if (depsOk && st.loop == null && !conditionFalse) {
          assertThat(firstStarts.getOrDefault(f, 0))
              .as("finally step %s starts once", f)
              .isEqualTo(1);
        } else if (depsOk && !conditionFalse) {
          assertThat(st.loop.total).as("finally loop %s began", f).isNotNull();
        }
        assertThat(firstStarts.getOrDefault(f, 0)).isLessThanOrEqualTo(1);
      }
    }
    for (Step step : spec.allSteps()) {
      StepStatus st = status.step(step.name);
      if (st.loop != null) {
        assertThat(st.loop.succeeded + st.loop.failed + st.loop.skipped)
            .as("loop %s counts add up", step.name)
            .isEqualTo(st.loop.total);
        int instanceStarts = 0;
        for (String name : firstStarts.keySet()) {
          if (name.startsWith(step.name + "[")) {
            instanceStarts++;
          }
        }
        assertThat(instanceStarts).isEqualTo(st.loop.started);
        assertThat(st.loop.instances).allMatch(instance -> instance.phase == StepPhase.Failed);
      }
      boolean ran = st.attemptsOrZero() > 0 || st.loop != null;
      if (ran) {
        for (String d : step.dependsOrEmpty()) {
          assertThat(passed(spec, status.step(d)))
              .as("%s ran, so its dependency %s passed", step.name, d)
              .isTrue();
        }
      } else if (st.phase == StepPhase.Skipped && "ConditionFalse".equals(st.reason)) {
        assertThat(step.when).as("%s was skipped by its condition", step.name).isNotNull();
        for (String d : step.dependsOrEmpty()) {
          assertThat(passed(spec, status.step(d))).isTrue();
        }
      } else if (!cancelled && st.phase == StepPhase.Skipped) {
        assertThat(step.dependsOrEmpty())
            .as("%s was skipped for a dependency that did not pass", step.name)
            .anyMatch(d -> !passed(spec, status.step(d)));
      }
    }
    if (!cancelled) {
      boolean allPassed = status.steps.stream().allMatch(st -> passed(spec, st));
      assertThat(status.phase)
          .isEqualTo(allPassed ? WorkflowPhase.Succeeded : WorkflowPhase.Failed);
    }
  }

  /** Succeeded, failed with allowFailure, or skipped by a false when. */
  private static boolean passed(WorkflowSpec spec, StepStatus st) {
    if (st.phase == StepPhase.Succeeded
        || (st.phase == StepPhase.Skipped && "ConditionFalse".equals(st.reason))) {
      return true;
    }
    Step step =
        spec.allSteps().stream().filter(s -> s.name.equals(st.name)).findFirst().orElseThrow();
    return st.phase == StepPhase.Failed && step.allowsFailure();
  }
}
