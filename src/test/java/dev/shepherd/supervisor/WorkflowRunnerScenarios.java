package dev.shepherd.supervisor;

import static dev.shepherd.supervisor.Scenarios.awaitTrue;
import static dev.shepherd.supervisor.Scenarios.check;

import dev.shepherd.api.Param;
import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Outcome;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs one {@link WorkflowRunner} scenario with real processes in a JVM of its own (a subreaper
 * that uses posix_spawn only), and exits 0 only if it passed. {@link WorkflowRunnerProcessTest}
 * starts it once per scenario; see there why it needs a JVM of its own.
 *
 * <p>Usage: {@code WorkflowRunnerScenarios SCENARIO}. After every scenario: no process of ours
 * left, and no zombie.
 */
public final class WorkflowRunnerScenarios {
  private final Supervisor supervisor;
  private final Path dir;

  /** Every snapshot the listener got, and the threads it got them on. */
  private final List<WorkflowStatus> snapshots = new CopyOnWriteArrayList<>();

  private final List<String> snapshotsAsDelivered = new CopyOnWriteArrayList<>();
  private final List<String> listenerThreads = new CopyOnWriteArrayList<>();
  private final List<String> attemptEvents = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> started = new ConcurrentHashMap<>();

  private WorkflowRunnerScenarios(Supervisor supervisor, Path dir) {
    this.supervisor = supervisor;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    int self = Native.getpid();
    var options = Supervisor.Options.defaults();
    Scenarios.runAndExit(
        scenario,
        () -> {
          try (Supervisor supervisor = Supervisor.start(options)) {
            WorkflowRunnerScenarios s =
                new WorkflowRunnerScenarios(
                    supervisor, Files.createTempDirectory("shepherd-runner-" + scenario));
            Scenarios.run(s, scenario);
            nothingLeft(self);
          }
        });
  }

  // ---- scenarios ----

  /**
   * A DAG (a; b and c after a; d after b and c; e after d) whose steps append their names to one
   * file: the file's order proves every dependency was waited for. The listener sees snapshots that
   * are never changed after delivery, never on the reaper thread, and its last one is the final
   * status.
   */
  @Scenario
  void dagOrder() throws Exception {
    Path order = dir.resolve("order");
    String append = "echo \"$SHEPHERD_STEP\" >> \"$ORDER\"";
    WorkflowSpec spec =
        spec(
            step("a", "sleep 0.1; " + append),
            step("b", "sleep 0.2; " + append, "a"),
            step("c", append, "a"),
            step("d", append, "b", "c"),
            step("e", append, "d"));
    spec.params = List.of(new Param("ORDER", order.toString()));
    WorkflowStatus status = run("dag", spec);

    check(status.phase == WorkflowPhase.Succeeded, "phase: " + describe(status));
    for (StepStatus st : status.steps) {
      check(
          st.phase == StepPhase.Succeeded && st.exitCode == 0 && st.attempts == 1,
          "step: " + describe(status));
    }
    List<String> lines = Files.readAllLines(order);
    check(
        lines.size() == 5
            && lines.getFirst().equals("a")
            && lines.get(3).equals("d")
            && lines.get(4).equals("e")
            && lines.subList(1, 3).containsAll(List.of("b", "c")),
        "order: " + lines);

    check(!snapshots.isEmpty(), "no snapshot");
    check(
        listenerThreads.stream().noneMatch(t -> t.equals("shepherd-reaper")),
        "threads: " + listenerThreads);
    WorkflowStatus last = snapshots.getLast();
    check(
        last != status && last.phase == WorkflowPhase.Succeeded && "5/5".equals(last.progress),
        "last snapshot: " + describe(last));
    // The runner never changes a snapshot it delivered (consecutive snapshots may share unchanged
    // steps, so listeners must not change them either), and the result shares nothing with them.
    for (int i = 0; i < snapshots.size(); i++) {
      check(
          json(snapshots.get(i)).equals(snapshotsAsDelivered.get(i)),
          "snapshot " + i + " changed after delivery");
      if (i > 0) {
        check(
            !snapshotsAsDelivered.get(i).equals(snapshotsAsDelivered.get(i - 1)),
            "snapshot " + i + " repeats the one before");
      }
    }
    check(
        snapshots.get(1).steps.get(4) == snapshots.get(0).steps.get(4),
        "an unchanged step is copied again");
    status.steps.forEach(st -> st.phase = StepPhase.Failed);
    status.conditions.clear();
    for (int i = 0; i < snapshots.size(); i++) {
      check(
          json(snapshots.get(i)).equals(snapshotsAsDelivered.get(i)),
          "snapshot " + i + " shares state with the result");
    }
    check(
        attemptEvents.indexOf("start a 1") < attemptEvents.indexOf("start b 1")
            && attemptEvents.indexOf("end d 1 0") < attemptEvents.indexOf("start e 1"),
        "events: " + attemptEvents);
  }

  /**
   * A step exiting 3 fails with exactly that code and its last output lines; its dependents (and
   * theirs) are skipped and never run; an independent step still succeeds.
   */
  @Scenario
  void failureSkipsDependents() throws Exception {
    Path ran = dir.resolve("ran");
    Files.createDirectory(ran);
    String mark = "touch \"$RAN/$SHEPHERD_STEP\"";
    WorkflowSpec spec =
        spec(
            step("broken", mark + "; echo first line; echo boom >&2; exit 3"),
            step("after", mark, "broken"),
            step("after-after", mark, "after"),
            step("independent", "sleep 0.2; " + mark));
    spec.params = List.of(new Param("RAN", ran.toString()));
    WorkflowStatus status = run("fails", spec);

    check(status.phase == WorkflowPhase.Failed, "phase: " + describe(status));
    StepStatus broken = status.step("broken");
    check(
        broken.phase == StepPhase.Failed
            && broken.exitCode == 3
            && "Error".equals(broken.reason)
            && broken.attempts == 1,
        "broken: " + describe(status));
    check(
        broken.message != null
            && broken.message.contains("boom")
            && broken.message.contains("first line"),
        "message of broken: " + broken.message);
    check(
        status.step("after").phase == StepPhase.Skipped
            && status.step("after-after").phase == StepPhase.Skipped,
        "dependents: " + describe(status));
    check(
        status.step("independent").phase == StepPhase.Succeeded,
        "independent: " + describe(status));
    try (var files = Files.list(ran)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      check(names.equals(List.of("broken", "independent")), "steps that ran: " + names);
    }
    check(status.message.contains("exit code 3"), "workflow message: " + status.message);
  }

  /**
   * SHEPHERD_ATTEMPT counts the attempts: a step failing on attempt 1 succeeds on attempt 2 after
   * its backoff; one that always fails stops after limit+1 attempts with its last exit code.
   */
  @Scenario
  void retriesSeeTheirAttempt() throws Exception {
    Path attempts = dir.resolve("attempts");
    WorkflowSpec spec =
        spec(
            step(
                "flaky",
                "echo \"$SHEPHERD_STEP $SHEPHERD_ATTEMPT $SHEPHERD_WORKFLOW\" >> \"$LOG\";"
                    + " [ \"$SHEPHERD_ATTEMPT\" -ge 2 ] || exit 9"),
            step(
                "hopeless",
                "echo \"$SHEPHERD_STEP $SHEPHERD_ATTEMPT\" >> \"$LOG\"; exit $((10 + SHEPHERD_ATTEMPT))"),
            step("after", "true", "flaky"));
    spec.steps.get(0).retry = new Retry(3, 1, 1);
    spec.steps.get(1).retry = new Retry(2, 0, 0);
    spec.params = List.of(new Param("LOG", attempts.toString()));
    WorkflowStatus status = run("retries", spec);

    StepStatus flaky = status.step("flaky");
    check(
        flaky.phase == StepPhase.Succeeded && flaky.attempts == 2 && flaky.exitCode == 0,
        describe(status));
    StepStatus hopeless = status.step("hopeless");
    check(
        hopeless.phase == StepPhase.Failed && hopeless.attempts == 3 && hopeless.exitCode == 13,
        describe(status));
    check(status.step("after").phase == StepPhase.Succeeded, describe(status));
    List<String> lines = Files.readAllLines(attempts);
    check(
        lines.stream()
            .filter(l -> l.startsWith("flaky"))
            .toList()
            .equals(List.of("flaky 1 retries", "flaky 2 retries")),
        "flaky attempts: " + lines);
    check(
        lines.stream()
            .filter(l -> l.startsWith("hopeless"))
            .toList()
            .equals(List.of("hopeless 1", "hopeless 2", "hopeless 3")),
        "hopeless attempts: " + lines);
    // The backoff of 1 s lies between flaky's attempts: its status says when each ended and began.
    check(
        attemptEvents.contains("end flaky 1 9") && attemptEvents.contains("end hopeless 3 13"),
        "events: " + attemptEvents);
  }

  /**
   * A step over its timeoutSeconds fails with DeadlineExceeded; its whole group goes, including
   * grandchildren that ignore SIGTERM (SIGKILL after the grace). run() returns only once they are
   * gone, and nothing is left, not even a zombie.
   */
  @Scenario
  void timeoutKillsGrandchildren() throws Exception {
    Path pids = dir.resolve("pids");
    WorkflowSpec spec =
        spec(
            step(
                "slow",
                "(trap '' TERM; exec sleep 600) & (trap '' TERM; exec sleep 601) & "
                    + "echo \"$$ $!\" > \"$PIDS\"; trap '' TERM; wait"),
            step("after", "true", "slow"),
            step("quick", "true"));
    spec.steps.getFirst().timeoutSeconds = 1L;
    spec.params = List.of(new Param("PIDS", pids.toString()));
    WorkflowRunner runner = runner(Duration.ofMillis(300));
    WorkflowStatus status = runner.run("timeout", spec, new WorkflowStatus(), 1);

    StepStatus slow = status.step("slow");
    check(
        status.phase == WorkflowPhase.Failed
            && slow.phase == StepPhase.Failed
            && "DeadlineExceeded".equals(slow.reason),
        "status: " + describe(status));
    check(status.step("after").phase == StepPhase.Skipped, describe(status));
    check(status.step("quick").phase == StepPhase.Succeeded, describe(status));
    // The step's exit came after the engine had ended it: it did not count.
    check(
        attemptEvents.stream().anyMatch(e -> e.startsWith("stale slow 1 ")),
        "events: " + attemptEvents);
    List<Integer> group =
        java.util.Arrays.stream(Files.readString(pids).trim().split(" "))
            .map(Integer::parseInt)
            .toList();
    awaitTrue(
        () -> group.stream().noneMatch(ProcessTable.read()::alive), () -> "still alive: " + group);
  }

  /**
   * parallelism 2 over 6 independent steps: each step, while it runs, holds a slot directory, and
   * waits until it sees a second slot taken (or until it is the last step): the most slots ever
   * seen is exactly 2.
   */
  @Scenario
  void parallelismLimit() throws Exception {
    Path slots = dir.resolve("slots");
    Path done = dir.resolve("done");
    Files.createDirectory(slots);
    Files.createDirectory(done);
    String script =
        """
        mkdir "$SLOTS/$SHEPHERD_STEP"
        i=0
        while :; do
          n=$(ls "$SLOTS" | wc -l); echo "$n" >> "$SEEN"
          d=$(ls "$DONE" | wc -l)
          if [ "$n" -ge 2 ] || [ "$d" -ge 5 ]; then break; fi
          i=$((i + 1)); [ $i -lt 2000 ] || exit 99
          sleep 0.01
        done
        sleep 0.05
        n=$(ls "$SLOTS" | wc -l); echo "$n" >> "$SEEN"
        touch "$DONE/$SHEPHERD_STEP"
        rmdir "$SLOTS/$SHEPHERD_STEP"
        """;
    List<Step> steps = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      steps.add(step("s" + i, script));
    }
    WorkflowSpec spec = spec(steps.toArray(Step[]::new));
    spec.parallelism = 2;
    Path seen = dir.resolve("seen");
    spec.params =
        List.of(
            new Param("SLOTS", slots.toString()),
            new Param("DONE", done.toString()),
            new Param("SEEN", seen.toString()));
    WorkflowStatus status = run("parallel", spec);

    check(status.phase == WorkflowPhase.Succeeded, describe(status));
    int max = Files.readAllLines(seen).stream().mapToInt(Integer::parseInt).max().orElse(0);
    check(max == 2, "most steps seen running at once: " + max + " (limit 2)");
    // From the status too: no snapshot ever had more than 2 steps Running.
    for (WorkflowStatus s : snapshots) {
      long running = s.steps.stream().filter(st -> st.phase == StepPhase.Running).count();
      check(running <= 2, "a snapshot with " + running + " running: " + describe(s));
    }
  }

  /**
   * cancel() from another thread while two steps run (one ignores SIGTERM): both are stopped, the
   * pending dependent is skipped, the workflow ends Cancelled, and run() returns with nothing left.
   */
  @Scenario
  void cancelStopsRunningSteps() throws Exception {
    WorkflowSpec spec =
        spec(
            step("polite", "echo ready; exec sleep 600"),
            step("stubborn", "trap '' TERM; echo ready; while :; do sleep 0.05; done"),
            step("later", "true", "polite"));
    WorkflowRunner runner = runner(WorkflowRunner.DEFAULT_STOP_GRACE);
    Thread canceller =
        Thread.ofPlatform()
            .start(
                () -> {
                  awaitTrue(() -> started.size() == 2, () -> "steps started: " + started);
                  awaitTrue(
                      () -> supervisor.running().stream().allMatch(p -> p.tail().contains("ready")),
                      () -> "not ready: " + supervisor.running());
                  runner.cancel("Stopped by the test.", Duration.ofMillis(300));
                });
    WorkflowStatus status = runner.run("cancel", spec, new WorkflowStatus(), 1);
    canceller.join();

    check(status.phase == WorkflowPhase.Cancelled, describe(status));
    for (String name : List.of("polite", "stubborn")) {
      StepStatus st = status.step(name);
      check(st.phase == StepPhase.Failed && "Cancelled".equals(st.reason), describe(status));
    }
    check(status.step("later").phase == StepPhase.Skipped, describe(status));
    check(supervisor.running().isEmpty(), "still running: " + supervisor.running());
    check(
        attemptEvents.stream().anyMatch(e -> e.startsWith("stale stubborn 1 137")),
        "stubborn got SIGKILL after the grace: " + attemptEvents);
    check(
        attemptEvents.stream().anyMatch(e -> e.startsWith("stale polite 1 143")),
        "events: " + attemptEvents);
    check(
        snapshots.getLast().phase == WorkflowPhase.Cancelled,
        "last snapshot: " + describe(snapshots.getLast()));

    // A runner cancelled before its run starts skips every step and starts nothing.
    WorkflowRunner early = runner(WorkflowRunner.DEFAULT_STOP_GRACE);
    early.cancel("Cancelled early.", Duration.ofSeconds(1));
    started.clear();
    WorkflowStatus none = early.run("early", spec, new WorkflowStatus(), 1);
    check(
        none.phase == WorkflowPhase.Cancelled
            && started.isEmpty()
            && none.steps.stream().allMatch(st -> st.phase == StepPhase.Skipped),
        describe(none));
  }

  /**
   * 60 steps at once, each ending with its own exit code or signal: each gets exactly its own code,
   * and a death by signal is named.
   */
  @Scenario
  void concurrentExitCodes() throws Exception {
    List<Step> steps = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      codes.add(1 + i * 4);
    }
    Collections.shuffle(codes, new java.util.Random(7));
    for (int i = 0; i < 60; i++) {
      String sleep = "sleep 0.0" + (i % 10) + "; ";
      if (i % 12 == 11) {
        steps.add(step("sig" + i, sleep + "kill -USR1 $$; sleep 60"));
      } else {
        steps.add(step("code" + i, sleep + "exit " + codes.get(i)));
      }
    }
    steps.add(step("ok", "exit 0"));
    WorkflowStatus status = run("codes", spec(steps.toArray(Step[]::new)));

    check(status.phase == WorkflowPhase.Failed, describe(status));
    for (int i = 0; i < 60; i++) {
      if (i % 12 == 11) {
        StepStatus st = status.step("sig" + i);
        check(
            st.exitCode == 138 && "Signal".equals(st.reason) && st.message.contains("SIGUSR1"),
            "sig" + i + ": " + json(st));
      } else {
        StepStatus st = status.step("code" + i);
        check(
            st.phase == StepPhase.Failed
                && st.exitCode.equals(codes.get(i))
                && "Error".equals(st.reason),
            "code" + i + " expected " + codes.get(i) + ": " + json(st));
      }
    }
    check(status.step("ok").phase == StepPhase.Succeeded, describe(status));
  }

  /**
   * A missing command ends with 127 and NotFound, a file that can't be executed with 126 and
   * NotExecutable, each naming the command. A spec that can't run locally is rejected with every
   * problem named, and the status published, before anything starts.
   */
  @Scenario
  void spawnFailuresAndInvalidSpecs() throws Exception {
    Path noExec = Files.writeString(dir.resolve("no-exec"), "#!/bin/sh\nexit 0\n");
    Step missing = step("missing", "unused");
    missing.command = List.of("shepherd-no-such-command-7c1");
    missing.args = null;
    Step notExecutable = step("not-executable", "unused");
    notExecutable.command = List.of(noExec.toString());
    notExecutable.args = null;
    Step badDir = step("bad-dir", "true");
    badDir.workingDir = dir.resolve("absent").toString();
    Step inDir = step("in-dir", "[ \"$(pwd)\" = \"$WANT\" ]");
    inDir.workingDir = dir.toString();
    inDir.env = List.of(new EnvVar("WANT", dir.toRealPath().toString(), null));
    WorkflowStatus status = run("spawn", spec(missing, notExecutable, badDir, inDir));
    StepStatus m = status.step("missing");
    check(
        m.exitCode == 127
            && "NotFound".equals(m.reason)
            && m.message.contains("shepherd-no-such-command-7c1"),
        describe(status));
    StepStatus n = status.step("not-executable");
    check(
        n.exitCode == 126
            && "NotExecutable".equals(n.reason)
            && n.message.contains(noExec.toString()),
        describe(status));
    StepStatus b = status.step("bad-dir");
    check(b.exitCode == 127 && b.message.contains(badDir.workingDir), describe(status));
    check(status.step("in-dir").phase == StepPhase.Succeeded, describe(status));

    Step noCommand = new Step("no-command");
    Step fromSecret = step("from-secret", "true");
    fromSecret.env =
        List.of(
            new EnvVar(
                "TOKEN",
                null,
                new EnvVarSourceBuilder().withNewSecretKeyRef("token", "creds", false).build()));
    Step cycleA = step("x", "true", "y");
    Step cycleB = step("y", "true", "x");
    started.clear();
    List<Problem> problems =
        SpecValidation.problems(
            spec(noCommand, fromSecret, cycleA, cycleB), SpecValidation.Target.LOCAL);
    WorkflowStatus rejected =
        runner(WorkflowRunner.DEFAULT_STOP_GRACE).reject(problems, new WorkflowStatus(), 1);
    check(rejected.phase == WorkflowPhase.Failed && started.isEmpty(), describe(rejected));
    check(
        snapshots.size() == 1 && snapshots.getFirst().equals(rejected), "published: " + snapshots);
    check(
        rejected.message.contains("Step \"no-command\" has no command")
            && rejected.message.contains("\"TOKEN\" uses valueFrom")
            && rejected.message.contains("cycle"),
        "message: " + rejected.message);
  }

  /**
   * A status from an executor that was restarted says a step is Running: that attempt is lost (not
   * a process of ours) and the engine retries it; a step already Succeeded is not run again.
   */
  @Scenario
  void lostAttemptIsRetried() throws Exception {
    Path log = dir.resolve("log");
    WorkflowSpec spec =
        spec(
            step("done", "echo done >> \"$LOG\""),
            step("interrupted", "echo \"interrupted $SHEPHERD_ATTEMPT\" >> \"$LOG\"", "done"),
            step("once", "echo once >> \"$LOG\"", "done"));
    spec.steps.get(1).retry = new Retry(1, 0, 0);
    spec.params = List.of(new Param("LOG", log.toString()));
    WorkflowStatus initial = new WorkflowStatus();
    String t = dev.shepherd.engine.Timestamps.format(Clock.systemUTC().instant());
    initial.startedAt = t;
    initial.phase = WorkflowPhase.Running;
    initial.steps.add(stepStatus("done", StepPhase.Succeeded, 1, t));
    initial.steps.add(stepStatus("interrupted", StepPhase.Running, 1, t));
    initial.steps.add(stepStatus("once", StepPhase.Running, 1, t));
    WorkflowStatus status = runner(WorkflowRunner.DEFAULT_STOP_GRACE).run("lost", spec, initial, 1);

    check(status.phase == WorkflowPhase.Failed, describe(status));
    StepStatus interrupted = status.step("interrupted");
    check(interrupted.phase == StepPhase.Succeeded && interrupted.attempts == 2, describe(status));
    StepStatus once = status.step("once");
    check(
        once.phase == StepPhase.Failed && WorkflowRunner.LOST_REASON.equals(once.reason),
        describe(status));
    check(
        Files.readAllLines(log).equals(List.of("interrupted 2")),
        "ran: " + Files.readAllLines(log));
    check(initial.steps.get(1).phase == StepPhase.Running, "the initial status was changed");
  }

  /**
   * Each attempt gets a file of its own in the outputs directory, empty at its start, read at a
   * clean exit and deleted after any exit; a retried attempt's new file starts empty. Without a
   * directory given, the run makes a temporary one and removes it at its end.
   */
  @Scenario
  void outputsFilesPerAttempt() throws Exception {
    Path outputs = Files.createDirectory(dir.resolve("outputs"));
    Step flaky =
        step(
            "flaky",
            "[ ! -s \"$SHEPHERD_OUTPUT\" ] || exit 9; echo \"attempt=$SHEPHERD_ATTEMPT\" >>"
                + " \"$SHEPHERD_OUTPUT\"; [ \"$SHEPHERD_ATTEMPT\" -ge 2 ] || exit 3");
    flaky.retry = new Retry(1, 0, 0);
    WorkflowSpec spec =
        spec(
            step("where", "echo \"file=$SHEPHERD_OUTPUT\" >> \"$SHEPHERD_OUTPUT\""),
            flaky,
            step("bad", "echo 'no equals sign' >> \"$SHEPHERD_OUTPUT\""));
    WorkflowStatus status =
        runner(WorkflowRunner.DEFAULT_STOP_GRACE, outputs)
            .run("outputs", spec, new WorkflowStatus(), 1);

    check(
        status.step("where").outputs.equals(Map.of("file", outputs.resolve("where.1").toString())),
        describe(status));
    check(
        status.step("flaky").outputs.equals(Map.of("attempt", "2"))
            && status.step("flaky").attempts == 2,
        describe(status));
    StepStatus bad = status.step("bad");
    check(
        bad.phase == StepPhase.Failed
            && "OutputsInvalid".equals(bad.reason)
            && bad.outputs == null
            && bad.message.startsWith("Invalid outputs: line 1: "),
        describe(status));
    try (var left = Files.list(outputs)) {
      List<Path> files = left.toList();
      check(files.isEmpty(), "left in the outputs directory: " + files);
    }

    WorkflowStatus own = run("own", spec(spec.steps.getFirst()));
    Path file = Path.of(own.step("where").outputs.get("file"));
    check(!file.getParent().equals(outputs), "the run's own directory: " + file);
    check(!Files.exists(file.getParent()), "not removed: " + file.getParent());
  }

  // ---- helpers ----

  private WorkflowStatus run(String name, WorkflowSpec spec) throws InterruptedException {
    return runner(WorkflowRunner.DEFAULT_STOP_GRACE).run(name, spec, new WorkflowStatus(), 1);
  }

  private WorkflowRunner runner(Duration grace) {
    return runner(grace, null);
  }

  private WorkflowRunner runner(Duration grace, Path outputs) {
    snapshots.clear();
    snapshotsAsDelivered.clear();
    listenerThreads.clear();
    attemptEvents.clear();
    return new WorkflowRunner(
        supervisor,
        Clock.systemUTC(),
        new WorkflowRunner.Listener() {
          @Override
          public void statusChanged(WorkflowStatus snapshot) {
            snapshots.add(snapshot);
            snapshotsAsDelivered.add(json(snapshot));
            listenerThreads.add(Thread.currentThread().getName());
          }

          @Override
          public void attemptStarted(String step, int attempt, int pid) {
            started.merge(step, 1, Integer::sum);
            attemptEvents.add("start " + step + " " + attempt);
          }

          @Override
          public void attemptEnded(
              String step,
              int attempt,
              ExitStatus exit,
              Outcome outcome,
              Duration took,
              boolean counted) {
            attemptEvents.add(
                (counted ? "end " : "stale ")
                    + step
                    + " "
                    + attempt
                    + " "
                    + (exit == null ? "none" : exit.code()));
          }
        },
        grace,
        outputs);
  }

  private static WorkflowSpec spec(Step... steps) {
    WorkflowSpec spec = new WorkflowSpec();
    spec.steps = new ArrayList<>(List.of(steps));
    return spec;
  }

  private static Step step(String name, String script, String... depends) {
    Step step = new Step(name, depends);
    step.command = List.of("sh", "-c");
    step.args = List.of(script);
    return step;
  }

  private static StepStatus stepStatus(String name, StepPhase phase, int attempts, String time) {
    StepStatus st = new StepStatus(name);
    st.phase = phase;
    st.attempts = attempts;
    st.startedAt = time;
    if (phase.isFinal()) {
      st.finishedAt = time;
      st.exitCode = 0;
    }
    return st;
  }

  private static String json(Object value) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(WorkflowStatus status) {
    return json(status);
  }

  /** After the scenario: no process of ours, and no zombie among them. */
  private static void nothingLeft(int self) {
    awaitTrue(
        () -> ProcessTable.read().descendantsOf(self).isEmpty(),
        () -> "left behind: " + ProcessTable.read().descendantsOf(self));
  }
}
