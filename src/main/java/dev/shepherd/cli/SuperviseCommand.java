package dev.shepherd.cli;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.Workspace;
import dev.shepherd.api.wire.CarriedManifest;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.engine.Outcome;
import dev.shepherd.engine.PinnedSpec;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.engine.WorkflowRef;
import dev.shepherd.supervisor.ExitStatus;
import dev.shepherd.supervisor.Signal;
import dev.shepherd.supervisor.Supervisor;
import dev.shepherd.supervisor.WorkflowRunner;
import dev.shepherd.supervisor.report.ApiServer;
import dev.shepherd.supervisor.report.StatusApi;
import dev.shepherd.supervisor.report.StatusReporter;
import dev.shepherd.supervisor.report.TerminationMessage;
import dev.shepherd.supervisor.report.WorkflowStatusApi;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code shepherd supervise}: PID 1 of a supervisor-mode Pod. Takes its Workflow from {@code
 * SHEPHERD_MANIFEST}, which the controller sets to the manifest the Pod was made for, or else reads
 * it from the API server (through the status subresource: the only thing its Role allows besides
 * patching it); runs the steps as its children with {@link WorkflowRunner}; and reports every
 * status change with a {@link StatusReporter} (merge patches of the supervisor-owned fields, and
 * the termination message) with a {@link WorkflowStatusApi} ({@link ApiServer} says how it finds
 * and authenticates to the API server).
 *
 * <p>Environment: {@code SHEPHERD_WORKFLOW} (required), {@code SHEPHERD_NAMESPACE} (default: the
 * service account's namespace), {@code SHEPHERD_MANIFEST} (optional), {@code SHEPHERD_POD_NAME}
 * (for the logs), {@code SHEPHERD_GRACE_SECONDS} (SIGTERM to SIGKILL when cancelled, default 10),
 * {@code SHEPHERD_REPORT_TIMEOUT_SECONDS} (how long to wait at exit for the final status to be
 * written, default 60), {@code SHEPHERD_TERMINATION_LOG} (default /dev/termination-log), {@code
 * SHEPHERD_OUTPUTS_DIR} (a directory, writable by the steps, for the files of their outputs;
 * default: a temporary directory).
 *
 * <p>Exit code: 0 Succeeded, 1 Failed (or the workflow could not be read), 128+N when cancelled by
 * signal N (SIGTERM 143, SIGINT 130), 2 for a usage error. SIGHUP, SIGUSR1 and SIGUSR2 are relayed
 * to the process groups of the running steps.
 */
final class SuperviseCommand {
  private static final Logger log = LoggerFactory.getLogger(SuperviseCommand.class);
  private static final Set<Signal> STOP = Set.of(Signal.TERM, Signal.INT);
  private static final Set<Signal> RELAYED = Set.of(Signal.HUP, Signal.USR1, Signal.USR2);
  private static final Duration READ_BACKOFF_MAX = Duration.ofSeconds(5);

  /**
   * How often the supervisor reads its Workflow for spec.suspend: the Pod runs the spec it was made
   * for, and its Role allows no watch; a GET of one object every few seconds is cheap for both.
   */
  static final Duration CONTROL_POLL = Duration.ofSeconds(2);

  /** The variable that names the directory of the steps' outputs files (the Pod sets it). */
  static final String OUTPUTS_DIR = "SHEPHERD_OUTPUTS_DIR";

  private SuperviseCommand() {}

  static int run(String[] args) {
    return run(args, System.getenv());
  }

  /** As {@link #run(String[])}, configured by {@code env} instead of this process' environment. */
  static int run(String[] args, Map<String, String> env) {
    if (args.length > 0) {
      System.err.println(
          "shepherd supervise: takes no arguments; it is configured by SHEPHERD_* environment variables");
      return 2;
    }
    String name = env.get("SHEPHERD_WORKFLOW");
    if (name == null || name.isBlank()) {
      System.err.println(
          "shepherd supervise: SHEPHERD_WORKFLOW is not set (the name of the Workflow to run)");
      return 2;
    }
    Duration grace;
    Duration reportTimeout;
    try {
      grace = Duration.ofSeconds(seconds(env, "SHEPHERD_GRACE_SECONDS", 10));
      reportTimeout = Duration.ofSeconds(seconds(env, "SHEPHERD_REPORT_TIMEOUT_SECONDS", 60));
    } catch (IllegalArgumentException e) {
      System.err.println("shepherd supervise: " + e.getMessage());
      return 2;
    }
    Path terminationLog =
        Path.of(
            env.getOrDefault(
                "SHEPHERD_TERMINATION_LOG", TerminationMessage.DEFAULT_PATH.toString()));
    String outputs = env.get(OUTPUTS_DIR);
    Path outputsDir = outputs == null || outputs.isBlank() ? null : Path.of(outputs);

    ApiServer server;
    try {
      server = ApiServer.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      System.err.println("shepherd supervise: " + e.getMessage());
      return 2;
    }
    String namespace =
        Optional.ofNullable(env.get("SHEPHERD_NAMESPACE"))
            .filter(n -> !n.isBlank())
            .or(ApiServer::serviceAccountNamespace)
            .orElse(null);
    if (namespace == null) {
      System.err.println(
          "shepherd supervise: SHEPHERD_NAMESPACE is not set and there is no service account namespace");
      return 2;
    }
    try (WorkflowStatusApi api =
            new WorkflowStatusApi(server, namespace, name, Duration.ofSeconds(10));
        Supervisor supervisor = Supervisor.start()) {
      Run carried = carried(env.get(CarriedManifest.ENV), name);
      log.info(
          "supervising workflow {}/{} ({}) in pod {} (pid {}{}); status to {}",
          namespace,
          name,
          carried != null ? "from " + CarriedManifest.ENV : "read from the API server",
          env.getOrDefault("SHEPHERD_POD_NAME", "?"),
          ProcessHandle.current().pid(),
          supervisor.isPid1() ? ", PID 1" : ", subreaper",
          server.url());
      return new Session(
              name, namespace, supervisor, api, terminationLog, outputsDir, grace, reportTimeout)
          .run(carried, env.get(CarriedManifest.RETRY_ENV) != null);
    }
  }

  /** What the supervisor runs: a spec, the status to start from, and the generation of the spec. */
  private record Run(WorkflowSpec spec, WorkflowStatus initial, long generation) {}

  /**
   * The Workflow the Pod carries in {@value CarriedManifest#ENV}, which the controller sets when
   * the manifest is small enough for an environment variable: then the first step starts without
   * waiting for the API server. Null if there is none, or it is unusable (then it is read from the
   * API server, as when there is none).
   */
  private static Run carried(String manifest, String name) {
    if (manifest == null || manifest.isBlank()) {
      return null;
    }
    try {
      Manifest carried = CarriedManifest.read(manifest);
      if (!name.equals(carried.name())) {
        log.warn(
            "{} does not hold workflow {}; reading the workflow from the API server",
            CarriedManifest.ENV,
            name);
        return null;
      }
      return new Run(carried.spec(), new WorkflowStatus(), carried.generation());
    } catch (CarriedManifest.Unreadable e) {
      log.warn(
          "{} cannot be read ({}); reading the workflow from the API server",
          CarriedManifest.ENV,
          e.getMessage());
      return null;
    }
  }

  /**
   * The spec a Workflow read from the API server runs: with the templates its status pinned laid
   * over and expanded, as the controller resolved it for a carried manifest (which this one was too
   * big to be).
   */
  private static WorkflowSpec runs(Workflow workflow) {
    WorkflowSpec own = workflow.getSpec() == null ? new WorkflowSpec() : workflow.getSpec();
    if (workflow.getStatus() == null
        || workflow.getStatus().templateSpec == null
            && workflow.getStatus().stepTemplates == null) {
      return own;
    }
    KubernetesSerialization json = new KubernetesSerialization();
    return PinnedSpec.of(
        own, workflow.getStatus(), text -> json.unmarshal(text, WorkflowSpec.class));
  }

  private static long seconds(Map<String, String> env, String variable, long fallback) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return seconds;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + "=" + value + " is not a number of seconds");
    }
  }

  /** One run: signals, the initial read, the runner, the reporter. */
  private static final class Session {
    private final String name;
    private final String namespace;
    private final Supervisor supervisor;
    private final StatusApi api;
    private final Path terminationLog;
    private final Path outputsDir;
    private final Duration grace;
    private final Duration reportTimeout;
    private final AtomicReference<Signal> stopSignal = new AtomicReference<>();
    private final AtomicReference<WorkflowRunner> runner = new AtomicReference<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    Session(
        String name,
        String namespace,
        Supervisor supervisor,
        StatusApi api,
        Path terminationLog,
        Path outputsDir,
        Duration grace,
        Duration reportTimeout) {
      this.name = name;
      this.namespace = namespace;
      this.supervisor = supervisor;
      this.api = api;
      this.terminationLog = terminationLog;
      this.outputsDir = outputsDir;
      this.grace = grace;
      this.reportTimeout = reportTimeout;
    }

    /**
     * Runs {@code carried}, or the workflow read from the API server if null; a retry's run goes on
     * from the stored status.
     */
    int run(Run carried, boolean retry) {
      installSignalHandlers();
      Run what = carried;
      if (what == null || retry) {
        Workflow workflow;
        try {
          workflow = read();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 1;
        }
        if (workflow == null) {
          return exitBeforeStart();
        }
        WorkflowStatus stored =
            workflow.getStatus() == null ? new WorkflowStatus() : workflow.getStatus();
        what =
            what != null
                ? new Run(what.spec(), stored, what.generation())
                : new Run(runs(workflow), stored, workflow.generationOrZero());
      }
      String mounted = System.getenv(Workspace.VARIABLE);
      if (what.spec().workspace != null && mounted != null && !mounted.isBlank()) {
        // The Pod mounts the workspace where its environment says (SupervisorPodBuilder): that is
        // the path the steps get, also where a stand-in kubelet maps container paths elsewhere.
        what.spec().workspace.mountPath = mounted;
      }
      AtomicBoolean suspended = new AtomicBoolean(what.spec().suspended());
      try (StatusReporter reporter =
          new StatusReporter(
              api,
              terminationLog,
              StatusReporter.Backoff.defaults(),
              CONTROL_POLL,
              control -> {
                if (suspended.getAndSet(control.suspend()) != control.suspend()) {
                  log.info(
                      "spec.suspend is {} (generation {}): {}",
                      control.suspend(),
                      control.generation(),
                      control.suspend() ? "no step starts" : "resuming");
                }
                WorkflowRunner r = runner.get();
                if (r != null) {
                  r.follow(control.suspend(), control.generation());
                }
              })) {
        AtomicReference<WorkflowStatus> lastSubmitted = new AtomicReference<>();
        WorkflowRunner r =
            new WorkflowRunner(
                supervisor,
                Clock.systemUTC(),
                new WorkflowRunner.Listener() {
                  @Override
                  public void statusChanged(WorkflowStatus snapshot) {
                    lastSubmitted.set(snapshot);
                    reporter.submit(snapshot);
                  }

                  @Override
                  public void attemptEnded(
                      String step,
                      int attempt,
                      ExitStatus exit,
                      Outcome outcome,
                      Duration took,
                      boolean counted) {
                    String already =
                        counted ? "" : " [already ended: stopped by a timeout or a cancel]";
                    // No exit status: not started, or its end was lost; the message says which.
                    if (exit == null) {
                      log.warn(
                          "step {} attempt {} failed ({}): {}{}",
                          step,
                          attempt,
                          outcome.reason(),
                          outcome.message(),
                          already);
                      return;
                    }
                    log.info(
                        "step {} attempt {} {} after {} ({}){}",
                        step,
                        attempt,
                        exit.describe(),
                        formatSeconds(took),
                        outcome.succeeded()
                            ? "succeeded"
                            : "failed" + (outcome.reason() == null ? "" : ": " + outcome.reason()),
                        already);
                  }
                },
                WorkflowRunner.DEFAULT_STOP_GRACE,
                outputsDir);
        runner.set(r);
        Signal early = stopSignal.get();
        if (early != null) {
          r.cancel(cancelReason(early), grace);
        }

        WorkflowStatus done;
        try {
          List<Problem> problems =
              SpecValidation.problems(what.spec(), SpecValidation.Target.LOCAL);
          done =
              problems.isEmpty()
                  ? r.run(
                      new WorkflowRef(name, namespace),
                      what.spec(),
                      what.initial(),
                      what.generation())
                  : r.reject(problems, what.initial(), what.generation());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 1;
        }
        WorkflowStatus last = lastSubmitted.get();
        if (last == null || last.phase != done.phase) {
          reporter.submit(done);
        }
        log.info("workflow {} {} ({}): {}", name, done.phase, done.progress, done.message);
        flush(reporter);
        return exitCode(done.phase);
      }
    }

    private void installSignalHandlers() {
      supervisor.onSignals(
          STOP,
          signal -> {
            if (!stopSignal.compareAndSet(null, signal)) {
              log.info("received {} again; the cancellation is under way", signal);
              return;
            }
            log.info(
                "received {}: cancelling the workflow (steps get SIGTERM, SIGKILL after {} s)",
                signal,
                grace.toSeconds());
            stopRequested.countDown();
            WorkflowRunner r = runner.get();
            if (r != null) {
              r.cancel(cancelReason(signal), grace);
            }
          });
      for (Signal signal : RELAYED) {
        try {
          supervisor.onSignals(
              Set.of(signal),
              s -> {
                log.info("relaying {} to the running steps", s);
                supervisor.signalAll(s);
              });
        } catch (IllegalArgumentException e) {
          log.warn("{} will not be relayed to the steps: {}", signal, e.getMessage());
        }
      }
    }

    /** The Workflow, or null if it cannot be read for good or a stop signal came first. */
    private Workflow read() throws InterruptedException {
      long delay = 100;
      for (int attempt = 1; ; attempt++) {
        if (stopSignal.get() != null) {
          return null;
        }
        try {
          Workflow w = api.read();
          if (attempt > 1) {
            log.info("read workflow {} after {} attempts", name, attempt);
          }
          return w;
        } catch (StatusApi.ApiException e) {
          if (!e.retryable()) {
            String why =
                "The supervisor cannot read its workflow: "
                    + e.getMessage()
                    + (e.code() == 403 ? " (its Role must allow get on workflows/status)" : "");
            log.error(why);
            writeTerminationMessage(WorkflowPhase.Failed, why);
            return null;
          }
          if (attempt == 1 || attempt % 10 == 0) {
            log.warn(
                "cannot read workflow {} yet (attempt {}; retrying): {}",
                name,
                attempt,
                e.getMessage());
          }
        }
        if (stopRequested.await(delay, TimeUnit.MILLISECONDS)) {
          return null;
        }
        delay = Math.min(delay * 2, READ_BACKOFF_MAX.toMillis());
      }
    }

    private int exitBeforeStart() {
      Signal signal = stopSignal.get();
      if (signal == null) {
        return 1; // could not read the workflow; already logged and written
      }
      String why = cancelReason(signal) + " No step had started.";
      log.info(why);
      writeTerminationMessage(WorkflowPhase.Cancelled, why);
      return 128 + signal.number();
    }

    /** Only the termination message: without the stored status, a patch could only lose steps. */
    private void writeTerminationMessage(WorkflowPhase phase, String message) {
      WorkflowStatus status = new WorkflowStatus();
      status.phase = phase;
      status.message = message;
      try {
        TerminationMessage.write(terminationLog, status);
      } catch (IOException e) {
        log.warn("cannot write the termination message to {}: {}", terminationLog, e.toString());
      }
    }

    private void flush(StatusReporter reporter) {
      try {
        switch (reporter.flush(reportTimeout)) {
          case WRITTEN -> log.info("final status written");
          case REFUSED ->
              log.error(
                  "the API server refused the final status; it is in the termination message");
          case TIMED_OUT ->
              log.error(
                  "the final status could not be written within {} s (API server unreachable);"
                      + " it is in the termination message",
                  reportTimeout.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private int exitCode(WorkflowPhase phase) {
      Signal signal = stopSignal.get();
      if (phase == WorkflowPhase.Succeeded) {
        return 0;
      }
      if (phase == WorkflowPhase.Cancelled && signal != null) {
        return 128 + signal.number();
      }
      return 1;
    }

    private static String cancelReason(Signal signal) {
      return "The supervisor received " + signal + ".";
    }
  }

  /**
   * {@code 1.2 s}: tenths of a second, rounded half up (as {@code %.1f} does), by hand: a
   * Formatter's number formatting loads the locale providers, ~25 classes in every supervisor.
   */
  static String formatSeconds(Duration d) {
    long tenths = (Math.max(0, d.toMillis()) + 50) / 100;
    return tenths / 10 + "." + tenths % 10 + " s";
  }
}
