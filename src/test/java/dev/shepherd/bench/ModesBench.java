package dev.shepherd.bench;

import ch.qos.logback.classic.Level;
import dev.shepherd.api.Executor;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.e2e.TestKubelet;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.slf4j.LoggerFactory;

/**
 * One workflow of N {@code sh -c 'true'} steps, run three (four) ways, interleaved round by round
 * (bench/MODES.md):
 *
 * <ul>
 *   <li>{@code pod}: executor POD through the real {@link ShepherdOperator} on the mock API server
 *       ({@link TestingCluster}), every step Pod run as a process by the e2e {@link TestKubelet};
 *   <li>{@code supervisor}: executor SUPERVISOR, one Pod whose init container copies the jlinked
 *       runtime and whose main container is {@code shepherd supervise} (a JVM of its own) talking
 *       to the mock server;
 *   <li>{@code run}: {@code $JAVA_HOME/bin/java -jar shepherd.jar run FILE.yaml} as a process;
 *   <li>{@code run-jlinked}: {@code supervisor-runtime/bin/shepherd run FILE.yaml}: the launcher
 *       and JVM of supervisor mode, without the API server.
 * </ul>
 *
 * <p>Shapes: {@code chain} (s001 depends on s000, ...) and {@code wide} (no dependencies,
 * parallelism 10). The same YAML file is the input of every mode.
 *
 * <p>Times are taken in this JVM: for the cluster modes from the Workflow's create to the moment an
 * informer sees a final phase, with marks for the first Pod, the supervisor Pod's main container
 * starting, and the first step seen past Pending; for the run modes from the process start to its
 * exit, with the mark of the first "[step] started" progress line. Not a test: a plain main, never
 * run by surefire or failsafe.
 *
 * <p>Usage: {@code ModesBench --jar=target/shepherd.jar --runtime=target/supervisor-runtime
 * [--rounds=5] [--steps=100] [--parallelism=10] [--shapes=chain,wide]
 * [--modes=pod,supervisor,run,run-jlinked] [--out=bench/modes/results]}
 */
public final class ModesBench {
  static final List<String> ALL_MODES = List.of("pod", "supervisor", "run", "run-jlinked");

  record Options(
      Path jar,
      Path runtime,
      int rounds,
      int steps,
      int parallelism,
      List<String> shapes,
      List<String> modes,
      Path out,
      int timeoutSeconds) {
    static Options parse(String[] args) {
      Map<String, String> o = new LinkedHashMap<>();
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) {
          throw new IllegalArgumentException("arguments are --name=value, got " + a);
        }
        o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
      Options opts =
          new Options(
              Path.of(o.getOrDefault("jar", "target/shepherd.jar")).toAbsolutePath(),
              Path.of(o.getOrDefault("runtime", "target/supervisor-runtime")).toAbsolutePath(),
              Integer.parseInt(o.getOrDefault("rounds", "5")),
              Integer.parseInt(o.getOrDefault("steps", "100")),
              Integer.parseInt(o.getOrDefault("parallelism", "10")),
              List.of(o.getOrDefault("shapes", "chain,wide").split(",")),
              List.of(o.getOrDefault("modes", String.join(",", ALL_MODES)).split(",")),
              Path.of(o.getOrDefault("out", "bench/modes/results")).toAbsolutePath(),
              Integer.parseInt(o.getOrDefault("timeout-seconds", "900")));
      for (String m : opts.modes) {
        if (!ALL_MODES.contains(m)) {
          throw new IllegalArgumentException("--modes: unknown mode " + m);
        }
      }
      for (String s : opts.shapes) {
        if (!s.equals("chain") && !s.equals("wide")) {
          throw new IllegalArgumentException("--shapes: unknown shape " + s);
        }
      }
      if (!Files.isRegularFile(opts.jar)) {
        throw new IllegalArgumentException("--jar: no file " + opts.jar);
      }
      if (!Files.isExecutable(opts.runtime.resolve("bin/shepherd"))) {
        throw new IllegalArgumentException(
            "--runtime: no " + opts.runtime.resolve("bin/shepherd") + " (mvn package builds it)");
      }
      return opts;
    }
  }

  /**
   * One run of one mode. Marks are ms after the start; NaN when not seen. firstExit/lastExit: the
   * first and last step end, from the process's own log line (supervisor: SuperviseCommand's "step
   * ... exited"; run: Progress's "[step] exit 0"), or for pod mode from the Workflow status as the
   * informer saw it (first step Succeeded; the final phase). cpuMs: see the table notes.
   */
  record Result(
      String shape,
      String mode,
      int round,
      String phase,
      double load1,
      long wallMs,
      double firstPodMs,
      double podRunningMs,
      double supervisingMs,
      double firstStepMs,
      double firstExitMs,
      double lastExitMs,
      double cpuMs,
      String note) {
    boolean ok() {
      return "Succeeded".equals(phase);
    }
  }

  /** What the informers saw of one workflow in the cluster. */
  static final class Tracker {
    final long t0 = System.nanoTime();
    final AtomicLong firstPod = new AtomicLong();
    final AtomicLong mainStarted = new AtomicLong();
    final AtomicLong firstStep = new AtomicLong();
    final AtomicLong done = new AtomicLong();
    final AtomicLong supervising = new AtomicLong();
    final AtomicLong firstExit = new AtomicLong();
    final AtomicLong lastExit = new AtomicLong();
    volatile WorkflowPhase phase;
    final CountDownLatch finished = new CountDownLatch(1);

    static void mark(AtomicLong at) {
      at.compareAndSet(0, System.nanoTime());
    }

    double ms(AtomicLong at) {
      long v = at.get();
      return v == 0 ? Double.NaN : (v - t0) / 1e6;
    }
  }

  private final Options opts;
  private final PrintWriter log;
  private final Map<String, Tracker> tracking = new ConcurrentHashMap<>();
  private TestingCluster cluster;
  private ShepherdOperator operator;
  private TestKubelet kubelet;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  ModesBench(Options opts, PrintWriter log) {
    this.opts = opts;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    Options opts;
    try {
      opts = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ModesBench: " + e.getMessage());
      System.exit(2);
      return;
    }
    quietLogs();
    Files.createDirectories(opts.out);
    try (PrintWriter log =
        new PrintWriter(Files.newBufferedWriter(opts.out.resolve("processes.log")), true)) {
      ModesBench bench = new ModesBench(opts, log);
      int code;
      try {
        bench.start();
        code = bench.runAll();
      } finally {
        bench.stop();
      }
      System.exit(code);
    }
  }

  private static void quietLogs() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.shepherd")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
  }

  void start() throws IOException {
    cluster = new TestingCluster();
    operator =
        new ShepherdOperator(
            cluster.client,
            Clock.systemUTC(),
            o ->
                o.withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.start();
    Path root = Files.createTempDirectory("modes-bench-kubelet");
    kubelet =
        new TestKubelet(
                cluster.client,
                Map.of("/opt/shepherd/runtime", opts.runtime),
                TestKubelet.mockApiServerEnv(cluster.port()),
                root,
                this::kubeletLine)
            .start();

    informers.add(
        cluster
            .client
            .resources(Workflow.class)
            .inNamespace(TestingCluster.NAMESPACE)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Workflow w) {
                    seen(w);
                  }

                  @Override
                  public void onUpdate(Workflow before, Workflow w) {
                    seen(w);
                  }

                  @Override
                  public void onDelete(Workflow w, boolean unknown) {}
                }));
    informers.add(
        cluster
            .client
            .pods()
            .inNamespace(TestingCluster.NAMESPACE)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod p) {
                    seen(p);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod p) {
                    seen(p);
                  }

                  @Override
                  public void onDelete(Pod p, boolean unknown) {}
                }));
  }

  /** A line of a Pod's output: "[pod/container] line". The supervisor logs every step's end. */
  private void kubeletLine(String line) {
    long now = System.nanoTime();
    log.println(Instant.now() + " " + line);
    int slash = line.indexOf('/');
    if (!line.startsWith("[")
        || slash < 0
        || !line.startsWith("-supervisor", slash - "-supervisor".length())) {
      return;
    }
    Tracker t = tracking.get(line.substring(1, slash - "-supervisor".length()));
    if (t == null) {
      return;
    }
    if (line.contains(" exited with code ")) {
      t.firstExit.compareAndSet(0, now);
      t.lastExit.set(now);
    } else if (line.contains("supervising workflow")) {
      t.supervising.compareAndSet(0, now);
    }
  }

  private void seen(Workflow w) {
    Tracker t = tracking.get(w.getMetadata().getName());
    if (t == null || w.getStatus() == null) {
      return;
    }
    for (StepStatus s : w.getStatus().steps) {
      if (s.phase != StepPhase.Pending || s.attemptsOrZero() > 0) {
        Tracker.mark(t.firstStep);
        break;
      }
    }
    if (w.getSpec().executor == Executor.POD
        && w.getStatus().steps.stream().anyMatch(s -> s.phase == StepPhase.Succeeded)) {
      Tracker.mark(t.firstExit);
    }
    if (w.getStatus().phase != null && w.getStatus().phase.isFinal()) {
      t.phase = w.getStatus().phase;
      Tracker.mark(t.done);
      if (w.getSpec().executor == Executor.POD) {
        Tracker.mark(t.lastExit);
      }
      t.finished.countDown();
    }
  }

  private void seen(Pod p) {
    Map<String, String> labels = p.getMetadata().getLabels();
    String wf = labels == null ? null : labels.get(StepPodBuilder.WORKFLOW_LABEL);
    Tracker t = wf == null ? null : tracking.get(wf);
    if (t == null) {
      return;
    }
    Tracker.mark(t.firstPod);
    if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) {
      Tracker.mark(t.mainStarted);
    }
  }

  void stop() {
    informers.forEach(SharedIndexInformer::close);
    if (kubelet != null) {
      kubelet.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  String yaml(String shape, int steps, String name) {
    StringBuilder b = new StringBuilder();
    b.append("apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata:\n  name: ")
        .append(name)
        .append('\n');
    b.append("spec:\n  image: busybox:1.36\n");
    if (shape.equals("wide")) {
      b.append("  parallelism: ").append(opts.parallelism).append('\n');
    }
    b.append("  steps:\n");
    for (int i = 0; i < steps; i++) {
      b.append("    - {name: ").append(stepName(i));
      if (shape.equals("chain") && i > 0) {
        b.append(", depends: [").append(stepName(i - 1)).append(']');
      }
      b.append(", command: [sh, -c, 'true']}\n");
    }
    return b.toString();
  }

  private static String stepName(int i) {
    return String.format(Locale.ROOT, "s%03d", i);
  }

  int runAll() throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String shape : opts.shapes) {
      Path f = opts.out.resolve(shape + "-" + opts.steps + ".yaml");
      Files.writeString(f, yaml(shape, opts.steps, shape + "-" + opts.steps));
      files.put(shape, f);
    }
    Path warmFile = opts.out.resolve("warmup-chain-10.yaml");
    Files.writeString(warmFile, yaml("chain", 10, "warmup"));

    System.out.printf(
        "ModesBench: %d steps, shapes %s, modes %s, %d rounds (+ a 10-step warm-up round), nproc %d%n",
        opts.steps,
        opts.shapes,
        opts.modes,
        opts.rounds,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "  jar %s%n  runtime %s%n  java %s%n  out %s%n",
        opts.jar, opts.runtime, javaBin(), opts.out);
    for (String mode : opts.modes) {
      Result r = runOne("chain", mode, 0, warmFile, "warmup");
      System.out.println("  warm-up " + describe(r, 10));
    }

    List<Result> results = new ArrayList<>();
    for (int round = 1; round <= opts.rounds; round++) {
      for (String shape : opts.shapes) {
        List<String> order = rotate(opts.modes, round - 1);
        for (String mode : order) {
          Result r = runOne(shape, mode, round, files.get(shape), shape + "-" + opts.steps);
          results.add(r);
          System.out.println("  " + describe(r, opts.steps));
          appendCsv(r);
        }
      }
    }
    String table = Report.markdown(results, opts);
    System.out.println();
    System.out.println(table);
    Files.writeString(opts.out.resolve("table.md"), table);
    return results.stream().allMatch(Result::ok) ? 0 : 1;
  }

  private void appendCsv(Result r) throws IOException {
    Path csv = opts.out.resolve("runs.csv");
    if (!Files.exists(csv)) {
      Files.writeString(
          csv,
          "shape,mode,round,phase,load1,wall_ms,first_pod_ms,pod_running_ms,supervising_ms,first_step_ms,first_exit_ms,last_exit_ms,cpu_ms,note\n");
    }
    Files.writeString(
        csv,
        String.join(
                ",",
                r.shape(),
                r.mode(),
                "" + r.round(),
                r.phase(),
                "" + r.load1(),
                "" + r.wallMs(),
                "" + r.firstPodMs(),
                "" + r.podRunningMs(),
                "" + r.supervisingMs(),
                "" + r.firstStepMs(),
                "" + r.firstExitMs(),
                "" + r.lastExitMs(),
                "" + r.cpuMs(),
                r.note().replace(',', ';'))
            + "\n",
        java.nio.file.StandardOpenOption.APPEND);
  }

  static String describe(Result r, int steps) {
    return String.format(
        Locale.ROOT,
        "%-5s %-11s round %d: %-9s %8.2f s (%6.1f ms/step) first step at %7.0f ms, load %.2f%s",
        r.shape(),
        r.mode(),
        r.round(),
        r.phase(),
        r.wallMs() / 1000.0,
        (double) r.wallMs() / steps,
        r.firstStepMs(),
        r.load1(),
        r.note().isEmpty() ? "" : " [" + r.note() + "]");
  }

  static <T> List<T> rotate(List<T> list, int by) {
    List<T> out = new ArrayList<>(list);
    java.util.Collections.rotate(out, -(by % list.size()));
    return out;
  }

  private Result runOne(String shape, String mode, int round, Path file, String baseName)
      throws Exception {
    double load = load1();
    return switch (mode) {
      case "pod" -> cluster(shape, Executor.POD, round, file, baseName, load);
      case "supervisor" -> cluster(shape, Executor.SUPERVISOR, round, file, baseName, load);
      case "run" ->
          local(
              shape,
              mode,
              round,
              file,
              load,
              List.of(javaBin().toString(), "-jar", opts.jar.toString(), "run"));
      case "run-jlinked" ->
          local(
              shape,
              mode,
              round,
              file,
              load,
              List.of(opts.runtime.resolve("bin/shepherd").toString(), "run"));
      default -> throw new IllegalArgumentException(mode);
    };
  }

  private static Path javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private Result cluster(
      String shape, Executor executor, int round, Path file, String baseName, double load)
      throws Exception {
    Workflow w = Serialization.unmarshal(Files.readString(file), Workflow.class);
    String name = baseName + "-" + executor.name().toLowerCase(Locale.ROOT) + "-r" + round;
    w.getMetadata().setName(name);
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    w.getSpec().executor = executor;
    long cpu0 = processCpuNanos();
    Tracker t = new Tracker();
    tracking.put(name, t);
    cluster.client.resource(w).create();
    boolean inTime = t.finished.await(opts.timeoutSeconds, TimeUnit.SECONDS);
    long end = inTime ? t.done.get() : System.nanoTime();
    double cpuMs = (processCpuNanos() - cpu0) / 1e6;
    String mode = executor == Executor.POD ? "pod" : "supervisor";
    String note = inTime ? "" : "timed out after " + opts.timeoutSeconds + " s";
    Result r =
        new Result(
            shape,
            mode,
            round,
            inTime ? String.valueOf(t.phase) : "Timeout",
            load,
            (end - t.t0) / 1_000_000,
            t.ms(t.firstPod),
            t.ms(t.mainStarted),
            t.ms(t.supervising),
            t.ms(t.firstStep),
            t.ms(t.firstExit),
            t.ms(t.lastExit),
            cpuMs,
            note);
    tracking.remove(name);
    cleanUp(w);
    return r;
  }

  /**
   * Deletes the Workflow (the test kubelet deletes its Pods) and waits until nothing of it is left.
   */
  private void cleanUp(Workflow w) throws InterruptedException {
    cluster.client.resource(w).delete();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (cluster.pods(w.getMetadata().getName()).isEmpty() && kubelet.leftovers().isEmpty()) {
        return;
      }
      Thread.sleep(200);
    }
    System.out.println(
        "  warning: after 60 s, pods of "
            + w.getMetadata().getName()
            + ": "
            + cluster.pods(w.getMetadata().getName()).size()
            + ", processes left: "
            + kubelet.leftovers());
  }

  private Result local(
      String shape, String mode, int round, Path file, double load, List<String> command)
      throws Exception {
    // sh's `times` prints the CPU of its waited-for children (the JVM and every step) on stderr.
    List<String> argv =
        new ArrayList<>(List.of("sh", "-c", "\"$@\"; c=$?; times >&2; exit $c", "sh"));
    argv.addAll(command);
    argv.add(file.toString());
    Path err = opts.out.resolve("last-" + mode + ".stderr");
    ProcessBuilder pb = new ProcessBuilder(argv).redirectError(err.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    AtomicLong firstStep = new AtomicLong();
    long firstExit = 0;
    long lastExit = 0;
    int lines = 0;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (firstStep.get() == 0 && line.startsWith("[s") && line.contains("] started")) {
          firstStep.set(System.nanoTime());
        }
        if (line.startsWith("[s") && line.contains("] exit ")) {
          lastExit = System.nanoTime();
          if (firstExit == 0) {
            firstExit = lastExit;
          }
        }
        lines++;
      }
    }
    boolean inTime = p.waitFor(opts.timeoutSeconds, TimeUnit.SECONDS);
    long end = System.nanoTime();
    if (!inTime) {
      p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    int code = inTime ? p.exitValue() : -1;
    double cpuMs = childCpuMs(Files.readAllLines(err));
    String note = code == 0 ? "" : "exit " + code + ", see " + err;
    log.println(
        Instant.now()
            + " "
            + mode
            + " "
            + file
            + ": exit "
            + code
            + ", "
            + lines
            + " stdout lines");
    return new Result(
        shape,
        mode,
        round,
        code == 0 ? "Succeeded" : "Failed(" + code + ")",
        load,
        (end - t0) / 1_000_000,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        firstStep.get() == 0 ? Double.NaN : (firstStep.get() - t0) / 1e6,
        firstExit == 0 ? Double.NaN : (firstExit - t0) / 1e6,
        lastExit == 0 ? Double.NaN : (lastExit - t0) / 1e6,
        cpuMs,
        note);
  }

  /**
   * The second line of sh's {@code times}: children's user and system time, e.g. {@code 0m1.234s
   * 0m0.210s}.
   */
  static double childCpuMs(List<String> stderr) {
    if (stderr.size() < 2) {
      return Double.NaN;
    }
    String[] parts = stderr.get(stderr.size() - 1).trim().split("\\s+");
    if (parts.length != 2) {
      return Double.NaN;
    }
    try {
      return seconds(parts[0]) * 1000 + seconds(parts[1]) * 1000;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double seconds(String mMsS) {
    int m = mMsS.indexOf('m');
    return Integer.parseInt(mMsS.substring(0, m)) * 60
        + Double.parseDouble(mMsS.substring(m + 1, mMsS.length() - 1));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static double load1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The markdown tables: per shape, per mode, median [min..max] over the rounds, and ratios paired
   * by round.
   */
  static final class Report {
    static String markdown(List<Result> results, Options opts) {
      StringBuilder b = new StringBuilder();
      double[] loads = results.stream().mapToDouble(Result::load1).sorted().toArray();
      b.append(
          String.format(
              Locale.ROOT,
              "%d rounds, %d steps; 1-min load average at the start of each run: median %.1f [%.1f..%.1f]%n%n",
              opts.rounds,
              opts.steps,
              median(loads),
              loads[0],
              loads[loads.length - 1]));
      for (String shape : opts.shapes) {
        String title =
            shape.equals("chain")
                ? "chain of " + opts.steps + " `sh -c 'true'` steps"
                : opts.steps + " independent `sh -c 'true'` steps, parallelism " + opts.parallelism;
        b.append("### ").append(title).append("\n\n");
        b.append(
            "| mode | runs ok | wall (s) | wall per step (ms) | start → first step's end (s)² | step cycle: first → last step's end, per step (ms)² | CPU (s)¹ |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (String mode : opts.modes) {
          List<Result> rs = of(results, shape, mode);
          if (rs.isEmpty()) {
            continue;
          }
          long ok = rs.stream().filter(Result::ok).count();
          b.append("| ")
              .append(mode)
              .append(" | ")
              .append(ok)
              .append('/')
              .append(rs.size())
              .append(" | ")
              .append(stat(rs, r -> r.wallMs() / 1000.0, 2))
              .append(" | ")
              .append(stat(rs, r -> (double) r.wallMs() / opts.steps, 1))
              .append(" | ")
              .append(stat(rs, r -> r.firstExitMs() / 1000.0, 2))
              .append(" | ")
              .append(stat(rs, r -> (r.lastExitMs() - r.firstExitMs()) / (opts.steps - 1), 1))
              .append(" | ")
              .append(stat(rs, r -> r.cpuMs() / 1000.0, 1))
              .append(" |\n");
        }
        if (opts.modes.contains("supervisor")) {
          List<Result> sup = of(results, shape, "supervisor");
          b.append("\nsupervisor mode, inside: create → Pod created ")
              .append(stat(sup, Result::firstPodMs, 0))
              .append(" ms; → Pod Running (the init container's copy of the runtime done) ")
              .append(stat(sup, Result::podRunningMs, 0))
              .append(
                  " ms; → `shepherd supervise` logged `supervising workflow` (JVM start, API client built, Supervisor started; before its first API request) ")
              .append(stat(sup, Result::supervisingMs, 0))
              .append(
                  " ms; → first step ended (after the Workflow's GET, the runner's start and the first spawn) ")
              .append(stat(sup, Result::firstExitMs, 0))
              .append(" ms; → first step seen in the status ")
              .append(stat(sup, Result::firstStepMs, 0))
              .append(" ms; → last step ended ")
              .append(stat(sup, Result::lastExitMs, 0))
              .append(" ms; → final phase seen ")
              .append(stat(sup, r -> r.wallMs(), 0))
              .append(" ms\n");
        }
        b.append("\n| ratio of wall times (paired by round) | median [min..max] |\n|---|---|\n");
        String[][] pairs = {
          {"pod", "supervisor"},
          {"pod", "run"},
          {"supervisor", "run"},
          {"supervisor", "run-jlinked"},
          {"run", "run-jlinked"}
        };
        for (String[] pair : pairs) {
          List<Double> ratios = new ArrayList<>();
          for (int round = 1; round <= opts.rounds; round++) {
            Result a = find(results, shape, pair[0], round);
            Result c = find(results, shape, pair[1], round);
            if (a != null && c != null && a.ok() && c.ok()) {
              ratios.add((double) a.wallMs() / c.wallMs());
            }
          }
          if (ratios.isEmpty()) {
            continue;
          }
          double[] v = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
          b.append(
              String.format(
                  Locale.ROOT,
                  "| %s / %s | %.2f [%.2f..%.2f] |%n",
                  pair[0],
                  pair[1],
                  median(v),
                  v[0],
                  v[v.length - 1]));
        }
        b.append('\n');
      }
      b.append(
          "¹ pod, supervisor: CPU of the benchmark JVM during the run (operator, mock API server, test kubelet and "
              + "informers; not the step processes nor the supervise JVM). run, run-jlinked: CPU of the process and all "
              + "its children (the JVM and every step), from sh's `times`.\n"
              + "² supervisor, run, run-jlinked: when the process logged the step's end (SuperviseCommand's `step ... exited`, "
              + "Progress's `[step] exit 0`), seen on its stdout by this JVM; pod: when the informer saw the first step "
              + "Succeeded in the Workflow status, and the final phase.\n");
      return b.toString();
    }

    private static List<Result> of(List<Result> results, String shape, String mode) {
      return results.stream()
          .filter(r -> r.shape().equals(shape) && r.mode().equals(mode))
          .toList();
    }

    private static Result find(List<Result> results, String shape, String mode, int round) {
      return results.stream()
          .filter(r -> r.shape().equals(shape) && r.mode().equals(mode) && r.round() == round)
          .findFirst()
          .orElse(null);
    }

    static String stat(List<Result> rs, ToDoubleFunction<Result> f, int decimals) {
      double[] v =
          rs.stream()
              .filter(Result::ok)
              .mapToDouble(f)
              .filter(d -> !Double.isNaN(d))
              .sorted()
              .toArray();
      if (v.length == 0) {
        return "–";
      }
      String fmt = "%." + decimals + "f";
      return String.format(
          Locale.ROOT,
          "**" + fmt + "** [" + fmt + ".." + fmt + "]",
          median(v),
          v[0],
          v[v.length - 1]);
    }

    static double median(double[] sorted) {
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
  }
}
