package dev.shepherd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random acyclic workflows run against a random simulated executor: attempts succeed, fail with a
 * random exit code or hang past their timeout; time moves by random amounts or to wakeAt; late and
 * repeated reports arrive; the executor sometimes restarts from the status' JSON.
 */
class EngineProperties {
  static final int MAX_ITERATIONS = 10_000;
  static final Instant EPOCH = Instant.parse("2025-03-01T10:00:00Z");

  // ---------------------------------------------------------------- generated workflows

  /** One generated step: raw dependency picks (reduced to earlier steps), retry and timeout. */
  record StepGen(
      List<Integer> dependencyPicks,
      int retryLimit,
      int backoffSeconds,
      Integer maxBackoffSeconds,
      Integer timeoutSeconds) {}

  /** A generated workflow; toString shows it compactly when jqwik reports a falsified sample. */
  record Dag(List<StepGen> gens, Integer parallelism, Long activeDeadlineSeconds) {
    WorkflowSpec spec() {
      WorkflowSpec spec = new WorkflowSpec();
      spec.parallelism = parallelism;
      spec.activeDeadlineSeconds = activeDeadlineSeconds;
      for (int i = 0; i < gens.size(); i++) {
        StepGen g = gens.get(i);
        Step step = new Step("s" + i);
        Set<String> deps = new LinkedHashSet<>();
        for (int pick : g.dependencyPicks()) {
          if (i > 0) {
            deps.add("s" + (pick % i));
          }
        }
        step.depends = deps.isEmpty() ? null : new ArrayList<>(deps);
        if (g.retryLimit() > 0 || g.maxBackoffSeconds() != null) {
          step.retry = new Retry(g.retryLimit(), g.backoffSeconds(), g.maxBackoffSeconds());
        }
        step.timeoutSeconds = g.timeoutSeconds() == null ? null : g.timeoutSeconds().longValue();
        spec.steps.add(step);
      }
      return spec;
    }

    @Override
    public String toString() {
      StringBuilder b =
          new StringBuilder(
              "Dag[parallelism=" + parallelism + ", deadline=" + activeDeadlineSeconds);
      WorkflowSpec spec = spec();
      for (Step s : spec.steps) {
        b.append("; ").append(s.name).append(s.dependsOrEmpty());
        if (s.retry != null) {
          b.append(" retry=")
              .append(s.retry.limit)
              .append('/')
              .append(s.retry.backoffSeconds)
              .append('/')
              .append(s.retry.maxBackoffSeconds);
        }
        if (s.timeoutSeconds != null) {
          b.append(" timeout=").append(s.timeoutSeconds);
        }
      }
      return b.append(']').toString();
    }
  }

  static Arbitrary<StepGen> steps() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 10_000).list().ofMaxSize(4),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(1, 10).injectNull(0.6),
            Arbitraries.integers().between(1, 20).injectNull(0.6))
        .as(StepGen::new);
  }

  @Provide
  Arbitrary<Dag> dags() {
    return Combinators.combine(
            steps().list().ofMinSize(1).ofMaxSize(30),
            Arbitraries.integers().between(1, 5).injectNull(0.4))
        .as((s, p) -> new Dag(s, p, null));
  }

  @Provide
  Arbitrary<Dag> dagsWithDeadline() {
    return Combinators.combine(
            steps().list().ofMinSize(1).ofMaxSize(30),
            Arbitraries.integers().between(1, 5).injectNull(0.4),
            Arbitraries.longs().between(1, 120))
        .as(Dag::new);
  }

  // ---------------------------------------------------------------- the simulated executor

  enum Fate {
    SUCCEED,
    FAIL,
    HANG
  }

  record Attempt(int number, Fate fate, int exitCode) {}

  /** What one run did, and every broken rule it saw, by rule. */
  static final class Run {
    final WorkflowSpec spec;
    final Map<String, List<String>> violations = new TreeMap<>();
    WorkflowStatus status = new WorkflowStatus();
    int iterations;
    Instant finalAt;
    Instant deadline;
    long maxRunning;
    int timeouts;

    Run(WorkflowSpec spec) {
      this.spec = spec;
    }

    void check(String rule, boolean ok, Supplier<String> what) {
      if (!ok) {
        violations
            .computeIfAbsent(rule, r -> new ArrayList<>())
            .add("iteration " + iterations + ": " + what.get());
      }
    }

    void assertNo(String rule) {
      List<String> found = violations.getOrDefault(rule, List.of());
      assertTrue(
          found.isEmpty(),
          rule
              + " broken "
              + found.size()
              + " times, first: "
              + found.stream().limit(3).toList()
              + "\nfinal status: "
              + Serialization.asJson(status));
    }
  }

  static Run simulate(WorkflowSpec spec, long seed) {
    Random random = new Random(seed);
    TestingClock clock = new TestingClock(EPOCH.plusMillis(random.nextInt(1000)));
    Engine engine = new Engine(clock);
    Run run = new Run(spec);
    Map<String, Step> steps = new HashMap<>();
    spec.steps.forEach(s -> steps.put(s.name, s));
    Map<String, Attempt> running = new LinkedHashMap<>();
    Map<String, Integer> starts = new HashMap<>();
    Set<String> reportedSuccess = new HashSet<>();
    List<String[]> stale = new ArrayList<>(); // step, attempt: ends the engine must ignore

    for (run.iterations = 0; run.iterations < MAX_ITERATIONS; run.iterations++) {
      Instant now = clock.instant();
      Plan plan = engine.plan(spec, run.status, 1);
      WorkflowStatus status = run.status;
      if (run.deadline == null && spec.activeDeadlineSeconds != null) {
        run.deadline = Timestamps.parse(status.startedAt).plusSeconds(spec.activeDeadlineSeconds);
      }
      Instant deadline = run.deadline;

      for (String stopped : plan.stop()) {
        Attempt a = running.remove(stopped);
        run.check("consistency", a != null, () -> "stop of " + stopped + " which is not running");
        if (a != null) {
          stale.add(new String[] {stopped, String.valueOf(a.number())});
        }
      }
      for (StepStart s : plan.start()) {
        Step step = steps.get(s.step());
        for (String dep : step.dependsOrEmpty()) {
          run.check(
              "order",
              status.step(dep).phase == StepPhase.Succeeded && reportedSuccess.contains(dep),
              () -> s + " while its dependency " + dep + " is " + status.step(dep).phase);
        }
        int previous = starts.getOrDefault(s.step(), 0);
        starts.put(s.step(), previous + 1);
        run.check(
            "attempts", s.attempt() == previous + 1, () -> s + " after " + previous + " starts");
        run.check(
            "attempts",
            s.attempt() <= Engine.retryLimit(step) + 1,
            () -> s + " exceeds retry.limit " + Engine.retryLimit(step));
        run.check(
            "attempts",
            status.step(s.step()).attemptsOrZero() == s.attempt(),
            () -> s + " but status says " + status.step(s.step()).attempts);
        run.check(
            "consistency",
            !running.containsKey(s.step()),
            () -> s + " while attempt " + running.get(s.step()) + " runs");
        run.check(
            "deadline",
            deadline == null || now.isBefore(deadline),
            () -> s + " at " + now + ", deadline " + deadline);
        double r = random.nextDouble();
        Fate fate =
            r < 0.7 ? Fate.SUCCEED : r < 0.9 || step.timeoutSeconds == null ? Fate.FAIL : Fate.HANG;
        running.put(s.step(), new Attempt(s.attempt(), fate, 1 + random.nextInt(255)));
      }

      long runningSteps = status.steps.stream().filter(st -> st.phase == StepPhase.Running).count();
      run.maxRunning = Math.max(run.maxRunning, runningSteps);
      run.timeouts += (int) plan.stop().stream().filter(name -> !status.phase.isFinal()).count();
      run.check(
          "parallelism",
          spec.parallelism == null || runningSteps <= spec.parallelism,
          () -> runningSteps + " running steps, parallelism " + spec.parallelism);
      Set<String> runningInStatus = new HashSet<>();
      status.steps.stream()
          .filter(st -> st.phase == StepPhase.Running)
          .forEach(st -> runningInStatus.add(st.name));
      run.check(
          "consistency",
          runningInStatus.equals(running.keySet()),
          () -> "status runs " + runningInStatus + ", executor runs " + running.keySet());
      run.check(
          "wakeAt",
          plan.wakeAt() == null || plan.wakeAt().isAfter(now),
          () -> "wakeAt " + plan.wakeAt() + " is not after now " + now);

      if (random.nextInt(5) == 0) { // asked again at once: nothing new to do
        Plan again = engine.plan(spec, status, 1);
        run.check(
            "idempotence",
            again.start().isEmpty()
                && again.stop().isEmpty()
                && java.util.Objects.equals(again.wakeAt(), plan.wakeAt()),
            () -> "second plan " + again + " after " + plan);
      }

      if (status.phase.isFinal()) {
        run.finalAt = now;
        run.check(
            "deadline",
            deadline == null || !now.isAfter(deadline) || plan.wakeAt() == null,
            () -> "final at " + now + " after deadline " + deadline);
        for (int i = 0; i < 3; i++) {
          clock.advance(Duration.ofSeconds(random.nextInt(1000)));
          Plan after = engine.plan(spec, status, 1);
          run.check(
              "termination",
              after.start().isEmpty() && after.stop().isEmpty() && after.wakeAt() == null,
              () -> "plan after the end: " + after);
        }
        for (String[] late : stale) {
          run.check(
              "late-ends",
              !engine.finished(spec, status, late[0], Integer.parseInt(late[1]), Outcome.exited(0)),
              () -> "late end of " + late[0] + " attempt " + late[1] + " accepted after the end");
        }
        checkOutcome(run, starts, reportedSuccess);
        return run;
      }

      if (deadline != null && plan.wakeAt() != null) {
        run.check(
            "deadline",
            !plan.wakeAt().isAfter(deadline),
            () -> "wakeAt " + plan.wakeAt() + " after the deadline");
      }
      List<String> endable =
          running.entrySet().stream()
              .filter(e -> e.getValue().fate() != Fate.HANG)
              .map(Map.Entry::getKey)
              .toList();
      if (endable.isEmpty() && plan.wakeAt() == null) {
        run.check(
            "termination",
            false,
            () ->
                "stuck: nothing runs to an end and no wakeAt, status "
                    + Serialization.asJson(status));
        return run;
      }

      if (random.nextInt(10) == 0) { // the executor restarts: all it keeps is the status, as JSON
        run.status = Serialization.unmarshal(Serialization.asJson(status), WorkflowStatus.class);
      }
      WorkflowStatus current = run.status;

      double r = random.nextDouble();
      if (!endable.isEmpty() && r < 0.6) {
        clock.advance(Duration.ofMillis(random.nextInt(3000)));
        String name = endable.get(random.nextInt(endable.size()));
        Attempt a = running.remove(name);
        Outcome outcome =
            a.fate() == Fate.SUCCEED
                ? Outcome.exited(0)
                : new Outcome(
                    a.exitCode(),
                    random.nextBoolean() ? "Error" : "OOMKilled",
                    "exit " + a.exitCode());
        boolean accepted = engine.finished(spec, current, name, a.number(), outcome);
        // The attempt may have been stopped in the meantime only if its time ran out; then it's
        // stale.
        if (accepted) {
          if (a.fate() == Fate.SUCCEED) {
            reportedSuccess.add(name);
          }
        }
        run.check(
            "consistency",
            accepted,
            () -> "end of running " + name + " attempt " + a.number() + " ignored");
        if (accepted && random.nextInt(4) == 0) { // the same report again
          run.check(
              "late-ends",
              !engine.finished(spec, current, name, a.number(), outcome),
              () -> "repeated end of " + name + " attempt " + a.number() + " accepted");
        }
      } else if (r < 0.7 && !stale.isEmpty()) {
        String[] late = stale.get(random.nextInt(stale.size()));
        run.check(
            "late-ends",
            !engine.finished(
                spec,
                current,
                late[0],
                Integer.parseInt(late[1]),
                random.nextBoolean() ? Outcome.exited(0) : Outcome.exited(9)),
            () -> "late end of " + late[0] + " attempt " + late[1] + " accepted");
      } else if (plan.wakeAt() != null
          && plan.wakeAt().isAfter(clock.instant())
          && (endable.isEmpty() ? random.nextInt(10) < 7 : random.nextBoolean())) {
        clock.advanceTo(plan.wakeAt());
      } else {
        clock.advance(Duration.ofMillis(random.nextInt(8000)));
      }
    }
    run.check(
        "termination",
        false,
        () ->
            "not final after "
                + MAX_ITERATIONS
                + " iterations: "
                + Serialization.asJson(run.status));
    return run;
  }

  static void checkOutcome(Run run, Map<String, Integer> starts, Set<String> reportedSuccess) {
    WorkflowStatus status = run.status;
    Map<String, Step> steps = new HashMap<>();
    run.spec.steps.forEach(s -> steps.put(s.name, s));
    boolean allSucceeded = status.steps.stream().allMatch(s -> s.phase == StepPhase.Succeeded);
    boolean deadlineExceeded =
        status.phase == WorkflowPhase.Failed
            && Reason.DeadlineExceeded.name()
                .equals(Conditions.find(status, Conditions.FAILED).getReason());
    if (allSucceeded && deadlineExceeded) {
      // The engine fails a workflow whose last success is reported at or after
      // activeDeadlineSeconds
      // (as a Job does); that is the one way to end Failed with every step Succeeded. Without a
      // deadline the rule below is strict.
      Instant deadline =
          Timestamps.parse(status.startedAt).plusSeconds(run.spec.activeDeadlineSeconds);
      Instant lastEnd =
          status.steps.stream()
              .map(s -> Timestamps.parse(s.finishedAt))
              .max(Instant::compareTo)
              .orElseThrow();
      run.check(
          "outcome",
          !lastEnd.isBefore(deadline),
          () ->
              "Failed by the deadline " + deadline + " though every step succeeded by " + lastEnd);
    } else {
      run.check(
          "outcome",
          (status.phase == WorkflowPhase.Succeeded) == allSucceeded,
          () -> "workflow " + status.phase + " but all steps succeeded: " + allSucceeded);
    }
    run.check(
        "outcome",
        status.steps.size() == run.spec.steps.size(),
        () -> "status has " + status.steps.size() + " steps");
    run.check(
        "outcome",
        status.steps.stream().allMatch(s -> s.phase.isFinal()),
        () -> "a step is not final");
    if (status.phase == WorkflowPhase.Failed && !deadlineExceeded) {
      run.check(
          "outcome",
          status.steps.stream().anyMatch(s -> s.phase == StepPhase.Failed),
          () -> "workflow Failed without a failed step");
    }
    run.check(
        "outcome",
        status.progress.equals(status.steps.size() + "/" + status.steps.size()),
        () -> "progress " + status.progress);
    for (StepStatus st : status.steps) {
      Step step = steps.get(st.name);
      run.check(
          "attempts",
          st.attemptsOrZero() == starts.getOrDefault(st.name, 0),
          () ->
              st.name
                  + " has attempts "
                  + st.attempts
                  + " but was started "
                  + starts.getOrDefault(st.name, 0)
                  + " times");
      switch (st.phase) {
        case Skipped -> {
          if (!deadlineExceeded) {
            run.check(
                "skips",
                step.dependsOrEmpty().stream()
                    .map(status::step)
                    .anyMatch(d -> d.phase == StepPhase.Failed || d.phase == StepPhase.Skipped),
                () -> st.name + " Skipped with no failed or skipped dependency");
            run.check("skips", st.attemptsOrZero() == 0, () -> st.name + " Skipped after running");
          }
        }
        case Succeeded ->
            run.check(
                "outcome",
                reportedSuccess.contains(st.name),
                () -> st.name + " Succeeded unreported");
        case Failed -> {
          if (!deadlineExceeded) {
            run.check(
                "attempts",
                st.attemptsOrZero() == Engine.retryLimit(step) + 1,
                () ->
                    st.name
                        + " Failed after "
                        + st.attempts
                        + " attempts with retry.limit "
                        + Engine.retryLimit(step));
          }
        }
        default -> run.check("outcome", false, () -> st.name + " ends " + st.phase);
      }
    }
  }

  // ---------------------------------------------------------------- properties

  @Property(tries = 150)
  void noStepStartsBeforeAllItsDependenciesSucceeded(@ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    run.assertNo("order");
    run.assertNo("consistency");
  }

  @Property(tries = 150)
  void attemptsNeverExceedRetryLimitPlusOne(@ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    run.assertNo("attempts");
    run.assertNo("late-ends");
  }

  @Property(tries = 150)
  void runningStepsNeverExceedParallelism(@ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    run.assertNo("parallelism");
  }

  @Property(tries = 150)
  void everyWorkflowEndsAndThenStartsNothing(@ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    Statistics.label("phase").collect(run.status.phase);
    Statistics.label("timed out").collect(run.timeouts > 0);
    Statistics.label("parallelism reached")
        .collect(run.spec.parallelism == null ? "none" : run.maxRunning == run.spec.parallelism);
    Statistics.label("iterations")
        .collect(run.iterations < 50 ? "<50" : run.iterations < 200 ? "<200" : ">=200");
    run.assertNo("termination");
    run.assertNo("idempotence");
    assertTrue(run.status.phase.isFinal(), "final phase");
  }

  @Property(tries = 150)
  void succeededIffEveryStepSucceededAndSkipsFollowFailures(
      @ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    run.assertNo("outcome");
    run.assertNo("skips");
  }

  @Property(tries = 150)
  void wakeAtIsAlwaysInTheFuture(@ForAll("dags") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    run.assertNo("wakeAt");
  }

  @Property(tries = 150)
  void activeDeadlineEndsTheWorkflowAndNothingStartsAfterIt(
      @ForAll("dagsWithDeadline") Dag dag, @ForAll long seed) {
    Run run = simulate(dag.spec(), seed);
    for (String rule :
        List.of(
            "deadline",
            "order",
            "attempts",
            "parallelism",
            "termination",
            "outcome",
            "skips",
            "consistency",
            "wakeAt",
            "late-ends",
            "idempotence")) {
      run.assertNo(rule);
    }
  }

  // ---------------------------------------------------------------- cycles

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

  @Property(tries = 300)
  void graphWithABackEdgeIsRejectedAsACycle(@ForAll("dags") Dag dag, @ForAll long seed) {
    WorkflowSpec spec = dag.spec();
    Random random = new Random(seed);
    if (spec.steps.size() == 1) {
      spec.steps.add(new Step("s1", "s0"));
    }
    int n = spec.steps.size();
    Map<String, Step> byName = new HashMap<>();
    spec.steps.forEach(s -> byName.put(s.name, s));
    Step late = spec.steps.get(1 + random.nextInt(n - 1));
    List<String> ancestors = new ArrayList<>(ancestors(late, byName));
    String earlier;
    if (ancestors.isEmpty()) {
      earlier = "s" + random.nextInt(Integer.parseInt(late.name.substring(1)));
      late.depends = new ArrayList<>(List.of(earlier));
    } else {
      earlier = ancestors.get(random.nextInt(ancestors.size()));
    }
    Step back = byName.get(earlier);
    List<String> deps = new ArrayList<>(back.dependsOrEmpty());
    deps.add(random.nextInt(deps.size() + 1), late.name);
    back.depends = deps;

    spec.image = "busybox:1.36";
    List<Problem> problems = SpecValidation.problems(spec, SpecValidation.Target.POD);
    assertEquals(1, problems.size(), problems.toString());
    String problem = problems.getFirst().message();
    assertTrue(problem.startsWith("Steps form a cycle: "), problem);
    List<String> names = new ArrayList<>();
    Matcher m = QUOTED.matcher(problem);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertTrue(names.size() >= 3, "a cycle of two steps or more: " + problem);
    assertEquals(names.getFirst(), names.getLast(), "the cycle closes: " + problem);
    assertEquals(names.size() - 1, new HashSet<>(names).size(), "each step once: " + problem);
    for (int i = 0; i + 1 < names.size(); i++) {
      assertTrue(
          byName.get(names.get(i)).dependsOrEmpty().contains(names.get(i + 1)),
          names.get(i) + " does not depend on " + names.get(i + 1) + ": " + problem);
    }

    assertEquals(
        "spec.steps[" + spec.steps.indexOf(byName.get(names.getFirst())) + "]",
        problems.getFirst().path());
    assertEquals(names.getFirst(), problems.getFirst().step());

    WorkflowStatus status = new WorkflowStatus();
    Engine engine = new Engine(new TestingClock());
    engine.reject(status, problems, 2);
    assertEquals(Plan.NOTHING, engine.plan(spec, status, 2));
    assertEquals(WorkflowPhase.Failed, status.phase);
    assertEquals(Reason.InvalidSpec.name(), Conditions.find(status, Conditions.FAILED).getReason());
    assertTrue(status.message.contains(problem), status.message);
  }

  private static Set<String> ancestors(Step step, Map<String, Step> byName) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(step.dependsOrEmpty());
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (seen.add(name)) {
        todo.addAll(byName.get(name).dependsOrEmpty());
      }
    }
    return seen;
  }
}
