package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code shepherd run} on a real terminal: a tmux pane (its own server, 100 x 30 unless said) runs
 * {@code Main run} in a JVM of its own; the test reads the screen with {@code tmux capture-pane}.
 * Skipped where tmux is not installed ({@code apt-get install -y tmux}).
 */
class RunCommandTerminalTest {
  private static final Pattern SLOW_RUNNING =
      Pattern.compile("(?m)^slow\\s+Running\\s+1\\s+(\\d+\\.\\d)s\\s+-$");
  private static final Pattern HEADER =
      Pattern.compile("(?m)^STEP\\s+PHASE\\s+ATTEMPTS\\s+DURATION\\s+EXIT\\s+REASON$");

  @TempDir Path dir;
  private final String server =
      "shepherd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  private boolean started;

  @BeforeAll
  static void tmuxIsInstalled() {
    boolean installed;
    try {
      Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
      installed = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      installed = false;
    }
    assumeTrue(
        installed,
        "tmux is not installed (apt-get install -y tmux): the live table on a terminal is not tested");
  }

  @AfterEach
  void killServer() throws Exception {
    if (started) {
      tmux("kill-server");
    }
  }

  @Test
  void liveTableIsRedrawnInPlaceAndTheSummaryStaysOnce() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("live.yaml"),
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: live}
        spec:
          steps:
            - name: first
              command: [sh, -c, 'echo hello from first']
            - name: slow
              depends: [first]
              command: [sh, -c, 'echo going to sleep; sleep 3; echo woke up']
        """);
    start("", file.toString());

    // Mid-run: first has succeeded while slow runs, the table below the output lines.
    String mid = waitForScreen(s -> SLOW_RUNNING.matcher(s).find(), "slow Running in the table");
    List<String> lines = nonEmptyLines(mid);
    assertThat(HEADER.matcher(mid).results().count())
        .as("headers on the screen:\n%s", mid)
        .isEqualTo(1);
    int header = indexOf(lines, HEADER);
    assertThat(lines.subList(header + 1, lines.size())).as(mid).hasSize(2);
    assertThat(lines.get(header + 1))
        .as(mid)
        .matches("first\\s+Succeeded\\s+1\\s+\\d+\\.\\ds\\s+0");
    assertThat(lines.get(header + 2)).as(mid).matches("slow\\s+Running\\s+1\\s+\\d+\\.\\ds\\s+-");
    assertThat(lines.subList(0, header))
        .as(mid)
        .contains(
            "[first] started (attempt 1)",
            "[first] hello from first",
            "[slow] started (attempt 1)");

    // The running duration goes on while nothing else changes.
    Set<String> durations = new LinkedHashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String screen = mid;
    while (System.nanoTime() < deadline) {
      Matcher m = SLOW_RUNNING.matcher(screen);
      if (!m.find()) {
        break;
      }
      durations.add(m.group(1));
      if (durations.size() >= 3) {
        break;
      }
      Thread.sleep(100);
      screen = capture(false);
    }
    assertThat(durations).as("durations of the running step seen").hasSizeGreaterThanOrEqualTo(2);

    // The end: the headline and the final table once, in the whole history; no live table left
    // over.
    String end = waitForScreen(s -> s.contains("EXIT="), "the end of the run");
    assertThat(end).contains("EXIT=0");
    String history = capture(true);
    List<String> all = nonEmptyLines(history);
    assertThat(HEADER.matcher(history).results().count())
        .as("headers in the history:\n%s", history)
        .isEqualTo(1);
    int summary = indexOf(all, HEADER);
    assertThat(all.get(summary - 1)).isEqualTo("workflow live Succeeded: All 2 steps succeeded.");
    assertThat(all.get(summary + 1)).matches("first\\s+Succeeded\\s+1\\s+\\d+\\.\\ds\\s+0");
    assertThat(all.get(summary + 2)).matches("slow\\s+Succeeded\\s+1\\s+\\d+\\.\\ds\\s+0");
    assertThat(Double.parseDouble(all.get(summary + 2).split("\\s+")[3].replace("s", "")))
        .isGreaterThanOrEqualTo(3.0);
    assertThat(all.get(summary + 3)).isEqualTo("EXIT=0");
    assertThat(all).noneMatch(l -> l.contains("Running") || l.contains("Pending"));
    assertThat(all.subList(0, summary - 1))
        .containsSubsequence("[first] hello from first", "[slow] going to sleep", "[slow] woke up");
    assertThat(all.get(summary - 2)).startsWith("[slow] exit 0 after ");
    // Colours: the header is bold, the phases green.
    String coloured = tmux("capture-pane", "-p", "-e", "-S", "-", "-t", server);
    assertThat(coloured).contains("\033[1mSTEP").contains("\033[32mSucceeded");
  }

  /** The terminal's height (asked of the terminal: no LINES in a tmux pane) caps the live table. */
  @Test
  void theTableFitsASmallTerminal() throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: small}
        spec:
          steps:
            - name: s0
              command: [sh, -c, 'sleep 2']
        """);
    for (int i = 1; i < 8; i++) {
      yaml.append("    - name: s")
          .append(i)
          .append("\n      depends: [s0]\n      command: [sh, -c, 'true']\n");
    }
    Path file = Files.writeString(dir.resolve("small.yaml"), yaml.toString());
    start(70, 8, "", file.toString());

    // 8 rows: the cursor's line and 7 of table: the header, a collapsed line, 5 steps.
    String mid = waitForScreen(s -> s.contains("s0    Running"), "s0 Running in the table");
    List<String> lines = nonEmptyLines(mid);
    int header = indexOf(lines, HEADER);
    assertThat(lines.subList(header, lines.size())).as(mid).hasSize(7);
    assertThat(lines.get(header + 1)).isEqualTo("(3 more pending)");
    assertThat(lines.get(header + 2)).startsWith("s0    Running");
    assertThat(lines.subList(header + 3, lines.size()))
        .extracting(l -> l.split("\\s+")[0])
        .containsExactly("s1", "s2", "s3", "s4");

    waitForScreen(s -> s.contains("EXIT="), "the end of the run");
    List<String> all = nonEmptyLines(capture(true));
    int summary = indexOf(all, HEADER);
    assertThat(all.subList(summary + 1, all.size() - 1))
        .hasSize(8)
        .allMatch(l -> l.contains("Succeeded"));
    assertThat(all.getLast()).isEqualTo("EXIT=0");
  }

  /**
   * A dumb terminal, or --plain: the plain lines, and the table once at the end, without colour.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TERM=dumb", "--plain"})
  void plainOnATerminalWhenAsked(String how) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("plain.yaml"),
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: plain}
        spec:
          steps:
            - name: only
              command: [sh, -c, 'echo just one']
        """);
    start(how.startsWith("TERM=") ? how : "", file.toString(), how.startsWith("--") ? how : "");

    waitForScreen(s -> s.contains("EXIT="), "the end of the run");
    String coloured = tmux("capture-pane", "-p", "-e", "-S", "-", "-t", server);
    assertThat(coloured).doesNotContain("\033[");
    List<String> all = nonEmptyLines(capture(true));
    assertThat(all)
        .containsSubsequence(
            "[only] started (attempt 1)",
            "[only] just one",
            "workflow plain Succeeded: The step succeeded.",
            "EXIT=0");
    assertThat(all).filteredOn(l -> HEADER.matcher(l).matches()).hasSize(1);
  }

  // ---- helpers ----

  /**
   * Starts the pane: {@code env ENV java ... Main run ARGS}, then {@code EXIT=<code>}, then it
   * waits.
   */
  private void start(String env, String... args) throws Exception {
    start(100, 30, env, args);
  }

  private void start(int columns, int rows, String env, String... args) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> java =
        new ArrayList<>(
            List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                Main.class.getName(),
                "run"));
    for (String a : args) {
      if (!a.isEmpty()) {
        java.add(a);
      }
    }
    Path argfile = dir.resolve("java-args");
    Files.write(argfile, java.stream().map(a -> "\"" + a.replace("\\", "\\\\") + "\"").toList());
    Path script =
        Files.writeString(
            dir.resolve("pane.sh"),
            "env "
                + env
                + " '"
                + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' @'"
                + argfile
                + "'\n"
                + "echo \"EXIT=$?\"\nexec sleep 600\n");
    tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        server,
        "-x",
        Integer.toString(columns),
        "-y",
        Integer.toString(rows),
        "sh " + script);
    started = true;
  }

  private String waitForScreen(Predicate<String> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String screen = "";
    while (System.nanoTime() < deadline) {
      screen = capture(false);
      if (condition.test(screen)) {
        return screen;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + what + " in 60 s; the screen:\n" + capture(true));
  }

  /** The pane's text: the visible screen, or all of its history too. */
  private String capture(boolean history) throws Exception {
    return history
        ? tmux("capture-pane", "-p", "-S", "-", "-t", server)
        : tmux("capture-pane", "-p", "-t", server);
  }

  private String tmux(String... args) throws Exception {
    // The server's socket in the test's directory, deleted with it.
    List<String> command =
        new ArrayList<>(List.of("tmux", "-S", dir.resolve("tmux.socket").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }

  private static List<String> nonEmptyLines(String screen) {
    return screen.lines().filter(l -> !l.isBlank()).toList();
  }

  private static int indexOf(List<String> lines, Pattern pattern) {
    for (int i = 0; i < lines.size(); i++) {
      if (pattern.matcher(lines.get(i)).matches()) {
        return i;
      }
    }
    throw new AssertionError("no line matches " + pattern + " in\n" + String.join("\n", lines));
  }
}
