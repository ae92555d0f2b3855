package dev.shepherd.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.supervisor.Supervisor;
import dev.shepherd.supervisor.WorkflowRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The supervisor benchmarks' stand-in for {@code shepherd run FILE.yaml} while that command is not
 * in the build (bench/SUPERVISOR.md): reads a Workflow file, runs it with a {@link Supervisor} and
 * a {@link WorkflowRunner} (step output goes to stdout as {@code [step] line}, as in {@code
 * shepherd supervise}), and exits 0 if it Succeeded, 1 otherwise.
 *
 * <p>On stderr, one line of numbers from inside the JVM: {@code bench-run parse_ms=.. start_ms=..
 * run_ms=.. steps=N phase=.. orphans=.. sigchld_wakeups=.. timer_wakeups=.. hwm_kb=.. rss_kb=..
 * attempt_ms=.. between_ms=.. statuses=..}: parse is reading the file (Jackson YAML), start is
 * {@link Supervisor#start()}, run is {@link WorkflowRunner#run} (first plan to the last exit), the
 * memory is this JVM's VmHWM/VmRSS when the run ended; attempt_ms and between_ms: see {@link
 * Timings}.
 *
 * <p>Started by the scripts in bench/supervisor with the shaded jar and this class's directory on
 * the class path (never with target/test-classes, whose logback-test.xml would change the logging).
 * It is a main class, not a test: nothing here runs in {@code mvn test}.
 */
public final class SupervisorRunBench {
  private SupervisorRunBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SupervisorRunBench FILE.yaml");
      System.exit(2);
    }
    long t0 = System.nanoTime();
    Path file = Path.of(args[0]);
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    JsonNode doc = yaml.readTree(Files.readAllBytes(file));
    if (doc == null || doc.get("spec") == null) {
      System.err.println(
          file + ": no spec (a Workflow file has apiVersion, kind, metadata and spec)");
      System.exit(2);
    }
    String name = doc.path("metadata").path("name").asText(file.getFileName().toString());
    WorkflowSpec spec = yaml.treeToValue(doc.get("spec"), WorkflowSpec.class);
    long t1 = System.nanoTime();
    try (Supervisor supervisor = Supervisor.start()) {
      long t2 = System.nanoTime();
      Timings timings = new Timings();
      WorkflowStatus status =
          new WorkflowRunner(supervisor, Clock.systemUTC(), timings).run(name, spec, null, 1);
      long t3 = System.nanoTime();
      System.out.flush();
      long[] memory = memoryKb();
      System.err.printf(
          "bench-run parse_ms=%.3f start_ms=%.3f run_ms=%.3f steps=%d phase=%s orphans=%d"
              + " reap_wakeups=%d hwm_kb=%d rss_kb=%d attempt_ms=%.3f between_ms=%.3f"
              + " statuses=%d%n",
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          (t3 - t2) / 1e6,
          spec.steps.size(),
          status.phase,
          supervisor.orphansReaped(),
          supervisor.wakeups(),
          memory[0],
          memory[1],
          timings.attempts == 0 ? 0 : timings.tookNanos / 1e6 / timings.attempts,
          timings.gaps == 0 ? 0 : timings.gapNanos / 1e6 / timings.gaps,
          timings.statuses);
      if (status.phase != WorkflowPhase.Succeeded) {
        for (StepStatus st : status.steps) {
          if (st.phase == StepPhase.Failed) {
            System.err.println("step " + st.name + " failed: " + st.message);
          }
        }
      }
      System.exit(status.phase == WorkflowPhase.Succeeded ? 0 : 1);
    }
  }

  /**
   * Where the time of a run goes, from the runner's own callbacks (all on its thread): {@code
   * attempt_ms}, the mean time from just before an attempt's spawn to the moment its exit was
   * handed to the runner's queue (process, pipes, reaping, log drain, and the hand-offs between the
   * reaper, log and completion threads); {@code between_ms}, the mean time on the runner's thread
   * from handling one attempt's end to the next attempt's spawn having returned (waking up,
   * Engine.finished, Engine.plan, the status copy, building the command, the spawn itself) — in a
   * chain these two add up to the time per step.
   */
  private static final class Timings implements WorkflowRunner.Listener {
    long attempts;
    long tookNanos;
    long gaps;
    long gapNanos;
    long statuses;
    private long lastEnded;

    @Override
    public void statusChanged(WorkflowStatus snapshot) {
      statuses++;
    }

    @Override
    public void attemptStarted(String step, int attempt, int pid) {
      if (lastEnded != 0) {
        gaps++;
        gapNanos += System.nanoTime() - lastEnded;
        lastEnded = 0;
      }
    }

    @Override
    public void attemptEnded(
        String step,
        int attempt,
        dev.shepherd.supervisor.ExitStatus exit,
        dev.shepherd.engine.Outcome outcome,
        java.time.Duration took,
        boolean counted) {
      attempts++;
      tookNanos += took.toNanos();
      lastEnded = System.nanoTime();
    }
  }

  /** VmHWM and VmRSS of this process in kB (-1 if /proc is not there). */
  private static long[] memoryKb() {
    long[] kb = {-1, -1};
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          kb[0] = Long.parseLong(line.replaceAll("\\D", ""));
        }
        if (line.startsWith("VmRSS:")) {
          kb[1] = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // reported as -1
    }
    return kb;
  }
}
