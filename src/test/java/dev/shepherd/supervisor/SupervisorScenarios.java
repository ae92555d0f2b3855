package dev.shepherd.supervisor;

import static dev.shepherd.supervisor.Scenarios.awaitTrue;
import static dev.shepherd.supervisor.Scenarios.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Runs one supervisor scenario against real processes, in a JVM of its own, and exits 0 only if it
 * passed. {@link SupervisorProcessTest} starts it twice per scenario: as PID 1 of a fresh PID
 * namespace ({@code unshare -pf --mount-proc}) and as a plain child JVM (subreaper mode).
 *
 * <p>Usage: {@code SupervisorScenarios pid1|subreaper SCENARIO}. After the scenario it checks
 * /proc: no zombie, and nothing left of the scenario (as PID 1: no other process in the namespace
 * at all; as subreaper: no descendant). The reap loop has no timer: every exit must be reported by
 * its blocking waitid or the scenario times out.
 *
 * <p>This JVM never uses ProcessBuilder (see {@link Reaper}); every process is a step.
 */
public final class SupervisorScenarios {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(25);

  private final Supervisor supervisor;

  /** Every line the sink printed, but those of steps named quiet-*. */
  private final ConcurrentLinkedQueue<String> printed;

  private SupervisorScenarios(Supervisor supervisor, ConcurrentLinkedQueue<String> printed) {
    this.supervisor = supervisor;
    this.printed = printed;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String scenario = args[1];
    int self = Native.getpid();
    ConcurrentLinkedQueue<String> printed = new ConcurrentLinkedQueue<>();
    LineSink stdout = LineSink.prefixed(System.out);
    var options =
        new Supervisor.Options(
            20,
            Duration.ofSeconds(1),
            (step, line) -> {
              if (step.startsWith("quiet-")) {
                return; // floods of output: kept in the step's tail only
              }
              printed.add("[" + step + "] " + line);
              stdout.line(step, line);
            });
    Scenarios.runAndExit(
        scenario,
        () -> {
          try (Supervisor supervisor = Supervisor.start(options)) {
            switch (mode) {
              case "pid1" ->
                  check(self == 1 && supervisor.isPid1(), "expected to be PID 1, am " + self);
              case "subreaper" ->
                  check(self != 1 && Native.isChildSubreaper(), "expected a child subreaper");
              default -> throw new IllegalArgumentException("mode " + mode);
            }
            Scenarios.run(new SupervisorScenarios(supervisor, printed), scenario);
            nothingLeft(mode, self);
            System.out.printf(
                "orphans reaped %d, reap loop wake-ups %d%n",
                supervisor.orphansReaped(), supervisor.wakeups());
          }
        });
  }

  // ---- scenarios ----

  /** Every exit code 0..255 passes through exactly; 16 steps at a time. */
  @Scenario
  void exitCodes() throws Exception {
    for (int start = 0; start < 256; start += 16) {
      List<StepProcess> steps = new ArrayList<>();
      for (int code = start; code < start + 16; code++) {
        steps.add(spawn(Command.of("exit-" + code, "sh", "-c", "exit $0", String.valueOf(code))));
      }
      for (int i = 0; i < steps.size(); i++) {
        expect(steps.get(i), ExitStatus.exited(start + i));
      }
    }
  }

  /** posix_spawnp failures: 127 when nothing is found, 126 when found but not executable. */
  @Scenario
  void spawnFailures() throws Exception {
    Path dir = Files.createTempDirectory("shepherd-spawn");
    Path noExecBit = Files.writeString(dir.resolve("no-exec-bit"), "#!/bin/sh\nexit 0\n");
    Path garbage = Files.write(dir.resolve("garbage"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rwxr-xr-x"));
    expect(
        spawn(Command.of("missing-in-path", "shepherd-no-such-command-3f9a")),
        ExitStatus.notFound());
    expect(
        spawn(Command.of("missing-path", dir.resolve("absent").toString())), ExitStatus.notFound());
    expect(spawn(Command.of("no-exec-bit", noExecBit.toString())), ExitStatus.notExecutable());
    expect(spawn(Command.of("not-an-executable", garbage.toString())), ExitStatus.notExecutable());
    expect(spawn(Command.of("a-directory", dir.toString())), ExitStatus.notExecutable());
    StepProcess failed = spawn(Command.of("missing", "shepherd-no-such-command-3f9a"));
    check(failed.pid() == 0 && !failed.isRunning(), "a failed spawn leaves no process: " + failed);
    // A working step right after the failures still works.
    expect(spawn(Command.of("ok", "true")), ExitStatus.exited(0));
    for (Path p : List.of(noExecBit, garbage, dir)) {
      Files.delete(p);
    }
  }

  /** Death by signal N gives 128+N, for every signal whose default action ends the process. */
  @Scenario
  void killedBySignals() throws Exception {
    List<Signal> deadly =
        List.of(
            Signal.HUP,
            Signal.INT,
            Signal.QUIT,
            Signal.ILL,
            Signal.TRAP,
            Signal.ABRT,
            Signal.BUS,
            Signal.FPE,
            Signal.KILL,
            Signal.USR1,
            Signal.SEGV,
            Signal.USR2,
            Signal.PIPE,
            Signal.ALRM,
            Signal.TERM,
            Signal.STKFLT,
            Signal.XCPU,
            Signal.XFSZ,
            Signal.VTALRM,
            Signal.PROF,
            Signal.IO,
            Signal.PWR,
            Signal.SYS);
    List<StepProcess> steps = new ArrayList<>();
    for (Signal s : deadly) {
      steps.add(
          spawn(
              Command.of("self-" + s.name(), "sh", "-c", "kill -" + s.number() + " $$; sleep 60")));
    }
    for (int i = 0; i < deadly.size(); i++) {
      expect(steps.get(i), ExitStatus.killed(deadly.get(i)));
    }

    // Signals sent by the supervisor to the group. SIGQUIT is blocked in JVM threads: the step
    // must not inherit that, or it would ignore this.
    for (Signal s : List.of(Signal.QUIT, Signal.TERM, Signal.USR2, Signal.KILL)) {
      StepProcess step = spawn(Command.of("sleep-" + s.name(), "sleep", "60"));
      check(supervisor.signalGroup(step, s), "signalGroup(" + s + ") on a running step");
      expect(step, ExitStatus.killed(s));
      check(!supervisor.signalGroup(step, s), "signalGroup on a finished step must refuse");
    }
  }

  /**
   * The child starts with nothing blocked and no standard signal ignored, in its own process group.
   * (glibc's posix_spawn leaves its two internal real-time signals, 32 and 33, ignored in the
   * child; no program can use those through glibc, so only 1..31 are checked for SigIgn.)
   */
  @Scenario
  void signalMaskAndGroup() throws Exception {
    String spawningThread =
        Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
            .filter(l -> l.startsWith("SigBlk"))
            .findFirst()
            .orElseThrow();
    System.out.println("the spawning JVM thread's own mask: " + spawningThread);
    StepProcess direct =
        spawn(Command.of("mask", "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"));
    expect(direct, ExitStatus.exited(0));
    check(
        direct.tail().size() == 2 && direct.tail().getFirst().equals("SigBlk:\t0000000000000000"),
        "signal mask of the child: " + direct.tail());
    long ignored =
        Long.parseUnsignedLong(direct.tail().getLast().substring("SigIgn:\t".length()), 16);
    check((ignored & 0x7fff_ffffL) == 0, "signals 1..31 ignored in the child: " + direct.tail());

    // Spawned from another platform thread and from a virtual thread: same result.
    for (Thread.Builder builder : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
      StepProcess[] box = new StepProcess[1];
      Thread t =
          builder.start(
              () -> {
                try {
                  box[0] =
                      spawn(
                          Command.of("mask-thread", "grep", "-E", "^SigBlk", "/proc/self/status"));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      t.join();
      expect(box[0], ExitStatus.exited(0));
      check(box[0].tail().equals(List.of("SigBlk:\t0000000000000000")), "mask: " + box[0].tail());
    }

    StepProcess group =
        spawn(
            Command.of(
                "group",
                "sh",
                "-c",
                "read pid comm state ppid pgrp rest < /proc/$$/stat; echo \"pid=$pid pgrp=$pgrp\""));
    expect(group, ExitStatus.exited(0));
    check(
        group.tail().equals(List.of("pid=" + group.pid() + " pgrp=" + group.pid())),
        "the step leads its own process group: " + group.tail() + " for " + group);
  }

  /** 2,500 double-forked orphans: every one is reaped, none stays a zombie. */
  @Scenario
  void thousandsOfOrphans() throws Exception {
    StepProcess step = spawn(doubleForks("orphans", 2500));
    expect(step, ExitStatus.exited(0));
    awaitTrue(
        () -> supervisor.orphansReaped() >= 2500,
        () -> "orphans reaped: " + supervisor.orphansReaped());
    // Every child reaped (the step and each orphan) was found by the reap loop's blocking waitid.
    check(
        supervisor.wakeups() >= supervisor.orphansReaped() + 1,
        "reap loop wake-ups "
            + supervisor.wakeups()
            + " for "
            + supervisor.orphansReaped()
            + " orphans and 1 step");
  }

  /**
   * Many steps with distinct exit codes (and some deaths by signal) running at once, while two
   * other steps produce orphans: each step must get exactly its own status. A reap loop that mixes
   * up pids, loses an exit, or lets anyone else collect one fails here.
   */
  @Scenario
  void concurrentStepsWhileOrphansAreReaped() throws Exception {
    Random random = new Random(42);
    List<StepProcess> orphanMakers =
        List.of(spawn(doubleForks("orphans-a", 1000)), spawn(doubleForks("orphans-b", 1000)));
    List<StepProcess> steps = new ArrayList<>();
    List<ExitStatus> expected = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      List<Integer> codes = new ArrayList<>(IntStream.rangeClosed(0, 255).boxed().toList());
      Collections.shuffle(codes, random);
      for (int i = 0; i < 50; i++) {
        String delay = "0.0" + random.nextInt(10);
        int code = codes.get(i);
        if (i % 10 == 9) {
          Signal s =
              List.of(Signal.TERM, Signal.KILL, Signal.USR1, Signal.HUP).get(random.nextInt(4));
          steps.add(
              spawn(
                  Command.of(
                      "r" + round + "-sig" + s.number(),
                      "sh",
                      "-c",
                      "sleep " + delay + "; kill -" + s.number() + " $$; sleep 60")));
          expected.add(ExitStatus.killed(s));
        } else if (i % 3 == 0) {
          steps.add(spawn(Command.of("r" + round + "-now" + code, "sh", "-c", "exit " + code)));
          expected.add(ExitStatus.exited(code));
        } else {
          steps.add(
              spawn(
                  Command.of(
                      "r" + round + "-code" + code,
                      "sh",
                      "-c",
                      "sleep " + delay + "; (sleep 0 &); exit " + code)));
          expected.add(ExitStatus.exited(code));
        }
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      expect(steps.get(i), expected.get(i));
    }
    for (StepProcess p : orphanMakers) {
      expect(p, ExitStatus.exited(0));
    }
    awaitTrue(
        () -> supervisor.orphansReaped() >= 2000,
        () -> "orphans reaped: " + supervisor.orphansReaped());
  }

  /**
   * A timeout terminates the whole group: grandchildren that ignore SIGTERM are still killed
   * (SIGKILL to the group once the step's main process has gone).
   */
  @Scenario
  void timeoutKillsGrandchildren() throws Exception {
    StepProcess step =
        spawn(
            Command.of(
                "slow",
                "sh",
                "-c",
                "(trap '' TERM; exec sleep 600) & (trap '' TERM; exec sleep 601) & sleep 602 & echo started; wait"));
    awaitLine(step, "started");
    List<Integer> grandchildren = awaitGroupMembers(step, 4);
    expect(
        supervisor.terminate(step, Duration.ofSeconds(20)), step, ExitStatus.killed(Signal.TERM));
    awaitTrue(
        () -> grandchildren.stream().noneMatch(ProcessTable.read()::alive),
        () -> "grandchildren still alive: " + grandchildren);
  }

  /** A step that ignores SIGTERM gets SIGKILL after the grace period. */
  @Scenario
  void ignoredTermIsFollowedByKill() throws Exception {
    StepProcess step =
        spawn(
            Command.of(
                "stubborn", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"));
    awaitLine(step, "ready");
    expect(
        supervisor.terminate(step, Duration.ofMillis(300)), step, ExitStatus.killed(Signal.KILL));
  }

  /** A step that handles SIGTERM exits with its own code, within the grace period. */
  @Scenario
  void handledTermGivesOwnExitCode() throws Exception {
    StepProcess step =
        spawn(
            Command.of(
                "polite",
                "sh",
                "-c",
                "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do :; done"));
    awaitLine(step, "ready");
    expect(supervisor.terminate(step, Duration.ofSeconds(20)), step, ExitStatus.exited(42));
    check(step.tail().contains("got TERM"), "the trap ran: " + step.tail());
  }

  /**
   * Signals sent to the supervisor itself reach the step and its grandchildren (its process group)
   * through the callback, for each of TERM, INT, HUP, USR1, USR2.
   */
  @Scenario
  void forwardedSignalsReachTheGroup() throws Exception {
    supervisor.onSignals(Supervisor.FORWARDED, supervisor::signalAll);
    // The shells wait in loops of builtins: dash starts external commands with vfork, and a
    // signal that lands while a vforked child shares the shell's memory can lose a pending trap.
    StepProcess step =
        spawn(
            Command.of(
                "listener",
                "sh",
                "-c",
                """
        (for s in HUP USR1 USR2; do trap "echo grandchild got $s" $s; done
         while :; do :; done) &
        for s in HUP INT USR1 USR2; do trap "echo got $s" $s; done
        trap 'echo got TERM; wait; exit 3' TERM
        echo ready
        while :; do :; done
        """));
    awaitLine(step, "ready");
    int self = Native.getpid();
    for (Signal s : List.of(Signal.HUP, Signal.INT, Signal.USR1, Signal.USR2)) {
      check(Native.kill(self, s.number()) == 0, "kill(self, " + s + ")");
      awaitLine(step, "got " + s.name());
    }
    for (String s : List.of("HUP", "USR1", "USR2")) {
      awaitLine(step, "grandchild got " + s);
    }
    check(Native.kill(self, Signal.TERM.number()) == 0, "kill(self, SIGTERM)");
    expect(step, ExitStatus.exited(3));
  }

  /**
   * A grandchild that left the step's group (setsid) and keeps its stdout open must not keep the
   * step from finishing; it is still reaped when it dies.
   */
  @Scenario
  void escapedGrandchildDoesNotHangStep() throws Exception {
    // The step waits until the grandchild is in its own session: if the step ended first, the
    // kill of its process group would take the grandchild with it, and nothing would escape.
    Path marker = Files.createTempDirectory("shepherd-escape").resolve("escaped");
    StepProcess step =
        spawn(
            Command.of(
                "escaper",
                "sh",
                "-c",
                "setsid sh -c 'touch \"$0\"; exec sleep 600' \"$0\" & while [ ! -e \"$0\" ]; do sleep 0.01; done; echo bye",
                marker.toString()));
    expect(step, ExitStatus.exited(0));
    check(step.tail().equals(List.of("bye")), "output: " + step.tail());
    int self = Native.getpid();
    awaitTrue(
        () ->
            ProcessTable.read().descendantsOf(self).stream()
                .anyMatch(e -> e.comm().equals("sleep")),
        () -> "the escaped grandchild never became sleep");
    List<ProcessTable.Entry> escaped =
        ProcessTable.read().descendantsOf(self).stream()
            .filter(e -> e.comm().equals("sleep"))
            .toList();
    check(
        escaped.size() == 1 && escaped.getFirst().pgrp() != step.pid(),
        "one escaped sleep: " + escaped);
    long before = supervisor.orphansReaped();
    Native.kill(escaped.getFirst().pid(), Signal.KILL.number());
    awaitTrue(() -> supervisor.orphansReaped() > before, () -> "escaped grandchild not reaped");
  }

  /** stdout and stderr lines go to the sink with the step's name; the tail keeps the last 20. */
  @Scenario
  void outputLinesAndTail() throws Exception {
    StepProcess step =
        spawn(
            Command.of(
                "talker",
                "sh",
                "-c",
                "i=1; while [ $i -le 50 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done; printf 'no newline'; exit 7"));
    expect(step, ExitStatus.exited(7));
    List<String> tail = step.tail();
    check(tail.size() == 20 && tail.getLast().equals("no newline"), "tail: " + tail);
    List<String> mine = printed.stream().filter(l -> l.startsWith("[talker] ")).toList();
    check(mine.size() == 101, "all 101 lines printed, got " + mine.size());
    check(
        mine.subList(81, 101).equals(tail.stream().map(l -> "[talker] " + l).toList()),
        "the tail is the last 20 lines printed: " + tail);
    for (int i = 1; i <= 50; i++) {
      check(mine.contains("[talker] out " + i) && mine.contains("[talker] err " + i), "line " + i);
    }
    // Order within one stream is kept.
    List<String> outs = mine.stream().filter(l -> l.startsWith("[talker] out ")).toList();
    check(
        outs.equals(IntStream.rangeClosed(1, 50).mapToObj(i -> "[talker] out " + i).toList()),
        "order");
  }

  /**
   * A step that floods its pipe (without newlines: lines are cut at 16 KiB) does not keep other
   * steps' output and exits waiting: the one log reader thread takes turns between the pipes.
   */
  @Scenario
  void heavyOutputDoesNotStarveOthers() throws Exception {
    StepProcess flood = spawn(Command.of("quiet-flood", "sh", "-c", "exec cat /dev/zero"));
    awaitTrue(
        () -> flood.tail().stream().anyMatch(l -> l.length() == 16 * 1024),
        () ->
            "no 16 KiB line from the flood: " + flood.tail().stream().map(String::length).toList());
    for (int i = 0; i < 20; i++) {
      StepProcess quick =
          spawn(Command.of("quick-" + i, "sh", "-c", "echo hello $0; echo bye $0 >&2", "q" + i));
      ExitStatus status =
          quick.exit().get(5, TimeUnit.SECONDS); // a starved pipe would never get there
      check(status.equals(ExitStatus.exited(0)), quick + ": " + status);
      check(
          quick.tail().size() == 2 && quick.tail().containsAll(List.of("hello q" + i, "bye q" + i)),
          quick + ": " + quick.tail());
    }
    check(flood.isRunning(), "the flood should still be running");
    check(
        flood.tail().size() == 20 && flood.tail().stream().allMatch(l -> l.length() == 16 * 1024),
        "flood tail: " + flood.tail().stream().map(String::length).toList());
    expect(
        supervisor.terminate(flood, Duration.ofSeconds(10)), flood, ExitStatus.killed(Signal.TERM));
  }

  // ---- helpers ----

  private StepProcess spawn(Command command) throws Exception {
    return supervisor.spawn(command);
  }

  /** A step whose shell double-forks {@code count} times: each grandchild is orphaned at once. */
  private static Command doubleForks(String name, int count) {
    return Command.of(
        name, "sh", "-c", "i=0; while [ $i -lt " + count + " ]; do (true &); i=$((i+1)); done");
  }

  private static void expect(StepProcess step, ExitStatus expected) throws Exception {
    expect(step.exit(), step, expected);
  }

  private static void expect(
      java.util.concurrent.CompletableFuture<ExitStatus> exit,
      StepProcess step,
      ExitStatus expected)
      throws Exception {
    ExitStatus actual = exit.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    check(
        actual.equals(expected),
        step + ": expected " + expected + " but " + actual + ", tail " + step.tail());
  }

  private static void awaitLine(StepProcess step, String line) {
    awaitTrue(
        () -> step.tail().contains(line),
        () -> step + " never printed '" + line + "': " + step.tail());
  }

  /**
   * Waits until the step's process group has {@code count} live members; returns all but the
   * leader.
   */
  private static List<Integer> awaitGroupMembers(StepProcess step, int count) {
    awaitTrue(() -> members(step).size() >= count, () -> "group of " + step + ": " + members(step));
    return members(step).stream().filter(pid -> pid != step.pid()).toList();
  }

  private static List<Integer> members(StepProcess step) {
    return ProcessTable.read().entries().stream()
        .filter(e -> e.pgrp() == step.pid() && e.state() != 'Z')
        .map(ProcessTable.Entry::pid)
        .toList();
  }

  /** After the scenario: no zombie, and nothing of ours still running. */
  private static void nothingLeft(String mode, int self) {
    awaitTrue(() -> leftovers(mode, self).isEmpty(), () -> "left behind: " + leftovers(mode, self));
    ProcessTable table = ProcessTable.read();
    List<ProcessTable.Entry> zombies =
        mode.equals("pid1")
            ? table.zombies()
            : table.zombies().stream().filter(z -> table.descendantsOf(self).contains(z)).toList();
    check(zombies.isEmpty(), "zombies: " + zombies);
  }

  private static List<ProcessTable.Entry> leftovers(String mode, int self) {
    ProcessTable table = ProcessTable.read();
    return mode.equals("pid1") ? table.allExcept(self) : table.descendantsOf(self);
  }
}
