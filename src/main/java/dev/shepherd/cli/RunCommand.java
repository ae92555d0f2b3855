package dev.shepherd.cli;

import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.cli.run.LiveTable;
import dev.shepherd.cli.run.Output;
import dev.shepherd.cli.run.Progress;
import dev.shepherd.cli.run.TerminalSize;
import dev.shepherd.cli.run.WorkflowFile;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.supervisor.ConsoleLog;
import dev.shepherd.supervisor.Signal;
import dev.shepherd.supervisor.Supervisor;
import dev.shepherd.supervisor.WorkflowRunner;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * {@code shepherd run FILE.yaml}: a Workflow file run locally, each step a process of this machine.
 */
final class RunCommand {
  static final String HELP =
      """
      usage: shepherd run FILE.yaml [--param NAME=VALUE]... [--output json] [--plain | --live]

      Runs the Workflows of FILE (what `kubectl apply -f FILE` would create) on this machine,
      each step as a local process: command + args, with this environment plus the params,
      SHEPHERD_WORKFLOW, SHEPHERD_STEP, SHEPHERD_ATTEMPT, SHEPHERD_OUTPUT (a file in a temporary
      directory, for the step's outputs) and the step's env. Images are ignored (the programs of
      this machine run), so every step needs a command. FILE - reads stdin.
      A spec.workspace is a new temporary directory, printed at the start and kept after the
      run, in SHEPHERD_WORKSPACE of every step; spec.podTemplate and volumeMounts are ignored.

      On a terminal, a table of the steps (phase, attempts, duration, exit code, reason) is kept
      at the bottom of the screen and redrawn in place, the steps' output and progress lines
      scrolling above it; at the end it stays as the summary. Otherwise plain lines are printed,
      each step's output as [step] LINE, and the table once at the end. NO_COLOR: no colours.

      Several documents in FILE run one after another, in file order; every document is checked
      before the first one starts, and a workflow that does not succeed stops the file.

      options:
        --param NAME=VALUE  set a param of every workflow in FILE (overrides or adds); repeatable
        --output json       print each workflow's final status on stdout, one line of JSON per
                            workflow, as its .status would read in the cluster; progress and
                            step output then go to stderr
        --plain             plain lines only, also on a terminal
        --live              the live table of the steps, also when stdout is no terminal
                            (the default on a terminal: TERM set and not dumb, no --output json)
        -h, --help          this help

      exit codes: 0 all succeeded, 1 a workflow failed, 2 invalid file or arguments,
      130 / 143 stopped by SIGINT / SIGTERM (running steps get SIGTERM, then SIGKILL after 5 s;
      a second signal kills them at once).
      """;

  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private RunCommand() {}

  static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  /** How progress is shown: AUTO is the live table on a terminal, else plain lines. */
  enum Display {
    AUTO,
    PLAIN,
    LIVE
  }

  private record Options(String file, Map<String, String> params, boolean json, Display display) {}

  static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      stderr.println("shepherd run: " + e.getMessage());
      stderr.println("Try 'shepherd run --help'.");
      return 2;
    }
    if (options == null) {
      stdout.print(HELP);
      return 0;
    }

    List<WorkflowFile.Document> documents;
    try {
      documents =
          WorkflowFile.parse(
              options.file().equals("-") ? "<stdin>" : options.file(), read(options.file()));
      List<String> problems = new ArrayList<>();
      for (WorkflowFile.Document doc : documents) {
        WorkflowFile.applyParams(doc.spec(), options.params());
        problems.addAll(doc.problems(SpecValidation.Target.LOCAL));
      }
      if (!problems.isEmpty()) {
        throw new WorkflowFile.InvalidFile(String.join("\n", problems));
      }
    } catch (WorkflowFile.InvalidFile e) {
      stderr.println(e.getMessage());
      return 2;
    }
    if (documents.stream().anyMatch(RunCommand::usesImages)) {
      stderr.println("shepherd run: images are ignored: steps run as processes of this machine.");
    }
    if (documents.stream().anyMatch(RunCommand::usesPodVolumes)) {
      stderr.println(
          "shepherd run: spec.podTemplate and the steps' volumeMounts are ignored: no Pod, no"
              + " volume is mounted here.");
    }

    PrintStream progress = options.json() ? stderr : stdout;
    quietSupervisorLogs();
    boolean live =
        options.display() == Display.LIVE
            || (options.display() == Display.AUTO
                && !options.json()
                && TerminalSize.stdoutIsTerminal(System.getenv("TERM")));
    try (Output output =
        live
            ? new LiveTable(
                progress,
                Clock.systemUTC(),
                TerminalSize::ofStdout,
                colours(System.getenv("NO_COLOR")))
            : Output.plain(progress)) {
      return run(options, documents, output, stdout, stderr);
    }
  }

  private static int run(
      Options options,
      List<WorkflowFile.Document> documents,
      Output output,
      PrintStream stdout,
      PrintStream stderr) {
    KubernetesSerialization serialization = options.json() ? new KubernetesSerialization() : null;
    AtomicReference<Signal> stoppedBy = new AtomicReference<>();
    AtomicReference<WorkflowRunner> current = new AtomicReference<>();
    Supervisor.Options supervisorOptions =
        Supervisor.Options.defaults()
            .withSink((step, line) -> output.line("[" + step + "] " + line));
    try (Supervisor supervisor = Supervisor.start(supervisorOptions)) {
      supervisor.onSignals(
          Set.of(Signal.INT, Signal.TERM),
          signal -> {
            if (!stoppedBy.compareAndSet(null, signal)) {
              supervisor.signalAll(Signal.KILL); // a second signal: no more grace
              return;
            }
            WorkflowRunner runner = current.get();
            if (runner != null) {
              runner.cancel("Stopped by " + signal + ".", STOP_GRACE);
            }
          });
      int code = 0;
      for (WorkflowFile.Document doc : documents) {
        if (stoppedBy.get() != null) {
          break;
        }
        Progress listener = new Progress(output, doc.spec());
        WorkflowRunner runner = new WorkflowRunner(supervisor, Clock.systemUTC(), listener);
        current.set(runner);
        Signal early = stoppedBy.get();
        if (early != null) {
          runner.cancel("Stopped by " + early + ".", STOP_GRACE);
        }
        if (documents.size() > 1) {
          output.line("== workflow " + doc.name() + " (document " + doc.index() + ")");
        }
        if (doc.spec().workspace != null) {
          Path workspace = Files.createTempDirectory("shepherd-workspace-" + doc.name() + "-");
          // Here the workspace is mounted nowhere: every step gets this directory instead.
          doc.spec().workspace.mountPath = workspace.toString();
          output.line("workspace: " + workspace + " (kept after the run)");
        }
        output.begin(doc.spec());
        WorkflowStatus status =
            runner.run(doc.name(), doc.spec(), new WorkflowStatus(), doc.manifest().generation());
        output.end("workflow " + doc.name() + " " + status.phase + ": " + status.message, status);
        if (options.json()) {
          synchronized (stdout) {
            stdout.println(serialization.asJson(status));
            stdout.flush();
          }
        }
        if (status.phase != WorkflowPhase.Succeeded) {
          code = 1;
          break;
        }
      }
      Signal signal = stoppedBy.get();
      return signal != null ? 128 + signal.number() : code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stderr.println("shepherd run: interrupted");
      return 1;
    } catch (IOException e) {
      stderr.println("shepherd run: cannot make the workspace directory: " + e.getMessage());
      return 1;
    }
  }

  /** The options, or null for --help. */
  private static Options parse(String[] args) {
    String file = null;
    Map<String, String> params = new LinkedHashMap<>();
    boolean json = false;
    Display display = Display.AUTO;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "-h", "--help" -> {
          return null;
        }
        case "--param", "-p" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("--param needs NAME=VALUE");
            }
            value = args[++i];
          }
          Map.Entry<String, String> param = WorkflowFile.param(value);
          params.put(param.getKey(), param.getValue());
        }
        case "--output", "-o" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("--output needs a format (json)");
            }
            value = args[++i];
          }
          if (!value.equals("json")) {
            throw new IllegalArgumentException("--output " + value + ": only json is known");
          }
          json = true;
        }
        case "--plain", "--live" -> {
          Display d = arg.equals("--plain") ? Display.PLAIN : Display.LIVE;
          if (display != Display.AUTO && display != d) {
            throw new IllegalArgumentException("--plain or --live, not both");
          }
          display = d;
        }
        default -> {
          if (arg.startsWith("-") && !arg.equals("-")) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          if (file != null) {
            throw new IllegalArgumentException("one FILE only (got " + file + " and " + arg + ")");
          }
          file = args[i];
        }
      }
    }
    if (file == null) {
      throw new IllegalArgumentException("no FILE given");
    }
    if (json && display == Display.LIVE) {
      throw new IllegalArgumentException("--live and --output json: stdout is for the JSON then");
    }
    return new Options(file, params, json, display);
  }

  private static String read(String file) throws WorkflowFile.InvalidFile {
    try {
      return file.equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new WorkflowFile.InvalidFile(file + ": no such file");
    } catch (IOException e) {
      throw new WorkflowFile.InvalidFile(file + ": cannot read: " + e.getMessage());
    }
  }

  private static boolean usesImages(WorkflowFile.Document doc) {
    WorkflowSpec spec = doc.spec();
    if (spec.image != null) {
      return true;
    }
    for (Step s : spec.allSteps()) {
      if (s != null && s.image != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean usesPodVolumes(WorkflowFile.Document doc) {
    WorkflowSpec spec = doc.spec();
    if (spec.podTemplate != null) {
      return true;
    }
    for (Step s : spec.allSteps()) {
      if (s != null && s.volumeMounts != null && !s.volumeMounts.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The supervisor's INFO lines (subreaper registration and such) are noise here. */
  private static void quietSupervisorLogs() {
    if (System.getenv("SHEPHERD_LOG_LEVEL") != null) {
      return;
    }
    if (ConsoleLog.selected()) {
      ConsoleLog.setLevel("dev.shepherd.supervisor", org.slf4j.event.Level.WARN);
    } else if (LoggerFactory.getLogger("dev.shepherd.supervisor")
        instanceof ch.qos.logback.classic.Logger logger) {
      logger.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** Colours unless NO_COLOR is set to something (https://no-color.org). */
  private static boolean colours(String noColor) {
    return noColor == null || noColor.isEmpty();
  }

  static boolean stdoutIsTerminal(String term) {
    return TerminalSize.stdoutIsTerminal(term);
  }
}
