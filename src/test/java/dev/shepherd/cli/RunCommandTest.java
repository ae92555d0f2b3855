package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.cli.run.TerminalScreen;
import dev.shepherd.e2e.Example;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code shepherd run} end to end: each run is {@code Main run ...} in a JVM of its own (its
 * Supervisor reaps with waitpid(-1), which must not happen in this JVM, which uses ProcessBuilder).
 */
class RunCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  record Result(int exit, String stdout, String stderr) {
    JsonNode lastJson() throws IOException {
      List<String> lines = stdout.lines().filter(l -> l.startsWith("{")).toList();
      assertThat(lines).as("JSON lines on stdout:\n%s", stdout).isNotEmpty();
      return JSON.readTree(lines.getLast());
    }
  }

  static Stream<Path> examples() throws IOException {
    return Example.files().stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void examplesEndAsTheirHeaderSays(Path example) throws Exception {
    String header = Files.readAllLines(example).getFirst();
    assertThat(header).matches("# ends: (Succeeded|Failed)");
    String expected = header.substring("# ends: ".length());

    Result r = run(null, "run", example.toString(), "--output", "json");

    assertThat(r.exit())
        .as("exit code; stderr:\n%s", r.stderr())
        .isEqualTo(expected.equals("Succeeded") ? 0 : 1);
    JsonNode status = r.lastJson();
    assertThat(status.path("phase").asText()).isEqualTo(expected);
    assertThat(status.path("steps")).isNotEmpty();
    assertThat(status.path("conditions").findValuesAsText("type")).contains("Complete", "Failed");
    // With --output json, stdout is JSON only; progress and the steps' output go to stderr.
    assertThat(r.stdout().lines()).allMatch(l -> l.startsWith("{"));
    assertThat(r.stderr()).contains("] started (attempt 1)");
  }

  @Test
  void plainProgressLinesStepOutputAndSummary() throws Exception {
    Result r = run(null, "run", "examples/diamond.yaml");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    List<String> out = r.stdout().lines().toList();
    assertThat(out)
        .contains(
            "[fetch] started (attempt 1)",
            "[fetch] fetching sources for linux-amd64",
            "[report] linux-amd64: built and tested");
    assertThat(out).anyMatch(l -> l.matches("\\[build] exit 0 after \\d+\\.\\ds"));
    assertThat(out.indexOf("[fetch] started (attempt 1)"))
        .isLessThan(out.indexOf("[build] started (attempt 1)"));
    assertThat(out).contains("workflow diamond Succeeded: All 4 steps succeeded.");
    int table =
        out.indexOf(out.stream().filter(l -> l.startsWith("STEP ")).findFirst().orElseThrow());
    assertThat(out.get(table).split("\\s+"))
        .containsExactly("STEP", "PHASE", "ATTEMPTS", "DURATION", "EXIT", "REASON");
    assertThat(out.subList(table + 1, table + 5))
        .extracting(l -> Arrays.asList(l.split("\\s+")))
        .allSatisfy(cols -> assertThat(cols.subList(1, 3)).containsExactly("Succeeded", "1"))
        .extracting(cols -> cols.getFirst())
        .containsExactly("fetch", "build", "test", "report");
    assertThat(r.stderr()).containsOnlyOnce("images are ignored");
  }

  /**
   * --live without a terminal: the table is drawn and erased in place; played on a screen, the
   * plain lines and the summary remain.
   */
  @Test
  void liveForcedWithoutATerminalLeavesLinesAndTheSummaryOnce() throws Exception {
    Result r = run(null, "run", "examples/diamond.yaml", "--live");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    assertThat(r.stdout()).contains("\033[2K").contains("\033[32mSucceeded");
    List<String> screen = TerminalScreen.play(r.stdout());
    assertThat(screen)
        .contains(
            "[fetch] started (attempt 1)",
            "[fetch] fetching sources for linux-amd64",
            "[report] linux-amd64: built and tested");
    assertThat(screen).noneMatch(l -> l.contains("Pending") || l.contains("Running"));
    assertThat(screen).filteredOn(l -> l.startsWith("STEP ")).hasSize(1);
    int table = screen.indexOf("workflow diamond Succeeded: All 4 steps succeeded.");
    assertThat(screen.subList(table + 1, screen.size())).hasSize(5);
    assertThat(screen.subList(table + 2, table + 6))
        .extracting(l -> Arrays.asList(l.split("\\s+")))
        .allSatisfy(cols -> assertThat(cols.subList(1, 3)).containsExactly("Succeeded", "1"))
        .extracting(cols -> cols.getFirst())
        .containsExactly("fetch", "build", "test", "report");
  }

  @Test
  void liveAndPlainExcludeEachOtherAndJson() throws Exception {
    Result both = run(null, "run", "examples/hello.yaml", "--plain", "--live");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.stderr()).contains("--plain or --live, not both");

    Result json = run(null, "run", "examples/hello.yaml", "--live", "--output", "json");
    assertThat(json.exit()).isEqualTo(2);
    assertThat(json.stderr()).contains("--live and --output json");

    Result plain = run(null, "run", "examples/hello.yaml", "--plain");
    assertThat(plain.exit()).as(plain.stderr()).isEqualTo(0);
    assertThat(plain.stdout()).doesNotContain("\033");
  }

  /**
   * Steps written for any runner use $SHEPHERD_WORKSPACE: here a new temporary directory, printed
   * before the first step and kept after the run.
   */
  @Test
  void theWorkspaceIsATemporaryDirectoryThatTheStepsShareAndThatIsKept() throws Exception {
    Result r =
        run(
            """
            apiVersion: shepherd.dev/v1alpha1
            kind: Workflow
            metadata: {name: shared}
            spec:
              workspace: {mountPath: /workspace}
              podTemplate: {nodeSelector: {disk: ssd}}
              steps:
                - {name: write, command: [sh, -c, 'echo from write > "$SHEPHERD_WORKSPACE/note"']}
                - name: read
                  depends: [write]
                  command: [sh, -c, 'test "$(cat "$SHEPHERD_WORKSPACE/note")" = "from write"']
            """,
            "run",
            "-",
            "--plain");
    java.util.regex.Matcher printed =
        java.util.regex.Pattern.compile("(?m)^workspace: (\\S+) \\(kept after the run\\)$")
            .matcher(r.stdout());
    assertThat(printed.find()).as(r.stdout()).isTrue();
    Path workspace = Path.of(printed.group(1));
    try {
      assertThat(r.exit())
          .as("exit code; stdout:%n%s%nstderr:%n%s", r.stdout(), r.stderr())
          .isZero();
      assertThat(workspace).isDirectory();
      assertThat(workspace.resolve("note")).hasContent("from write");
      assertThat(r.stdout().indexOf("workspace: "))
          .as("printed at the start")
          .isLessThan(r.stdout().indexOf("[write]"));
      assertThat(r.stderr()).contains("spec.podTemplate and the steps' volumeMounts are ignored");
    } finally {
      Files.deleteIfExists(workspace.resolve("note"));
      Files.deleteIfExists(workspace);
    }
  }

  @Test
  void failedStepShowsItsExitCodeAndSkips() throws Exception {
    Result r = run(null, "run", "examples/failing.yaml");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stdout())
        .contains(
            "[compile] exit 3 after",
            "[package] skipped: Skipped because dependency compile failed.");
    assertThat(
            r.stdout()
                .lines()
                .filter(l -> l.startsWith("compile "))
                .findFirst()
                .orElseThrow()
                .split("\\s+"))
        .containsExactly(
            "compile",
            "Failed",
            "1",
            r.stdout()
                .lines()
                .filter(l -> l.startsWith("compile "))
                .findFirst()
                .orElseThrow()
                .split("\\s+")[3],
            "3",
            "Error");
  }

  /**
   * Outputs land in the status; malformed ones and ones over the limit fail their step with
   * OutputsInvalid (allowed to fail here, so that every step runs), a failed step's are dropped.
   */
  @Test
  void outputsLandInTheStatusAndInvalidOnesFailTheirStep() throws Exception {
    Path file =
        write(
            "outputs.yaml",
            """
            apiVersion: shepherd.dev/v1alpha1
            kind: Workflow
            metadata: {name: outputs}
            spec:
              steps:
                - name: good
                  command: [sh, -c, 'echo a=1 >> "$SHEPHERD_OUTPUT"; printf "b<<END\\nx\\ny\\nEND\\n" >> "$SHEPHERD_OUTPUT"']
                - name: malformed
                  allowFailure: true
                  command: [sh, -c, 'echo a=1 >> "$SHEPHERD_OUTPUT"; echo oops >> "$SHEPHERD_OUTPUT"']
                - name: oversize
                  allowFailure: true
                  command: [sh, -c, 'printf "big=%04096d\\n" 0 >> "$SHEPHERD_OUTPUT"']
                - name: failed
                  allowFailure: true
                  command: [sh, -c, 'echo a=1 >> "$SHEPHERD_OUTPUT"; exit 4']
            """);

    Result r = run(null, "run", file.toString(), "--output", "json");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    JsonNode steps = r.lastJson().path("steps");
    assertThat(steps.get(0).path("outputs").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"x\\ny\"}");
    assertThat(steps.get(1).path("reason").asText()).isEqualTo("OutputsInvalid");
    assertThat(steps.get(1).path("message").asText())
        .isEqualTo("Invalid outputs: line 2: \"oops\" is neither name=value nor name<<DELIMITER.");
    assertThat(steps.get(2).path("reason").asText()).isEqualTo("OutputsInvalid");
    assertThat(steps.get(2).path("message").asText()).contains("over 4095 bytes");
    assertThat(steps.get(3).path("reason").asText()).isEqualTo("Error");
    for (int i = 1; i < 4; i++) {
      assertThat(steps.get(i).has("outputs")).as(steps.get(i).toString()).isFalse();
      assertThat(steps.get(i).path("phase").asText()).isEqualTo("Failed");
    }
  }

  @Test
  void paramsOverrideAndAdd() throws Exception {
    Path file =
        write(
            "params.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: p}
        spec:
          params:
            - {name: KEPT, value: kept}
            - {name: CHANGED, value: old}
          steps:
            - name: check
              command: [sh, -c]
              args: ['echo "$KEPT $CHANGED $ADDED"; [ "$KEPT/$CHANGED/$ADDED" = kept/new/added ]']
        """);
    Result with =
        run(null, "run", file.toString(), "--param", "CHANGED=new", "--param=ADDED=added");
    assertThat(with.exit()).as(with.stdout()).isEqualTo(0);
    assertThat(with.stdout()).contains("[check] kept new added");
    assertThat(with.stderr()).doesNotContain("images are ignored");

    Result without = run(null, "run", file.toString(), "--output", "json");
    assertThat(without.exit()).isEqualTo(1);
    assertThat(without.lastJson().path("steps").get(0).path("exitCode").asInt()).isEqualTo(1);

    Result bad = run(null, "run", file.toString(), "--param", "NO_EQUALS");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--param needs NAME=VALUE");
  }

  @Test
  void documentsRunInOrderAndAFailureStopsTheFile() throws Exception {
    Path log = dir.resolve("log");
    String doc =
        """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: %s}
        spec:
          steps:
            - name: only
              command: [sh, -c, 'sleep 0.2; echo "$SHEPHERD_WORKFLOW" >> "$LOG"; exit %d']
        """;
    Path file =
        write(
            "multi.yaml",
            String.format(doc, "first", 0) + "---\n" + String.format(doc, "second", 0));
    Result r = run(null, "run", file.toString(), "--output", "json", "--param", "LOG=" + log);
    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    assertThat(Files.readAllLines(log)).containsExactly("first", "second");
    assertThat(r.stdout().lines().filter(l -> l.startsWith("{")).count()).isEqualTo(2);

    Files.delete(log);
    Path failing =
        write(
            "multi-fail.yaml",
            String.format(doc, "first", 4) + "---\n" + String.format(doc, "second", 0));
    Result f = run(null, "run", failing.toString(), "--param", "LOG=" + log);
    assertThat(f.exit()).isEqualTo(1);
    assertThat(Files.readAllLines(log)).containsExactly("first");
  }

  @Test
  void unknownFieldIsInvalidWithFileDocumentAndLine() throws Exception {
    Path marker = dir.resolve("ran");
    Path file =
        write(
            "bad.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: ok}
        spec:
          steps:
            - name: fetch
              command: [sh, -c, 'touch "$MARKER"']
        ---
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: typo}
        spec:
          steps:
            - name: fetch
              command: [sh, -c, 'touch "$MARKER"']
            - name: build
              dependz: [fetch]
              command: [sh, -c, 'true']
        """);
    Result r = run(null, "run", file.toString(), "--param", "MARKER=" + marker);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr().strip())
        .isEqualTo(
            file
                + ": document 2, line 17: unknown field \"dependz\" in step \"build\" (did you mean \"depends\"?).");
    assertThat(marker).doesNotExist();
  }

  /**
   * WorkflowTemplate documents in the file: a step calls one, with a param from an earlier step's
   * output, and another Workflow runs one through workflowTemplateRef.
   */
  @Test
  void theFilesWorkflowTemplatesAreCalledByStepsAndRunByReference() throws Exception {
    Path file =
        write(
            "templates.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: greet}
        spec:
          params: [{name: WHO, value: nobody}]
          steps:
            - {name: hello, command: [sh, -c, 'echo "hello $WHO ${{ params.WHO }}"; echo "said=$WHO" >> "$SHEPHERD_OUTPUT"']}
            - {name: check, depends: [hello], when: "steps.hello.outputs.said == params.WHO", command: [echo, checked]}
        ---
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: calls}
        spec:
          steps:
            - {name: name-it, command: [sh, -c, 'echo "who=world" >> "$SHEPHERD_OUTPUT"']}
            - name: greet-them
              depends: [name-it]
              template:
                name: greet
                params: [{name: WHO, value: '${{ steps.name-it.outputs.who }}'}]
            - {name: after, depends: [greet-them], command: [echo, after]}
        ---
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: refers}
        spec:
          workflowTemplateRef: {name: greet}
        """);
    Result r = run(null, "run", file.toString(), "--output", "json");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    assertThat(r.stderr())
        .contains("[greet-them-hello] hello world world")
        .contains("[greet-them-check] checked")
        .contains("[hello] hello nobody nobody");
    List<JsonNode> statuses = new ArrayList<>();
    for (String line : r.stdout().lines().filter(l -> l.startsWith("{")).toList()) {
      statuses.add(JSON.readTree(line));
    }
    assertThat(statuses.getFirst().path("steps").findValuesAsText("name"))
        .containsExactly("name-it", "greet-them-hello", "greet-them-check", "after");
    assertThat(statuses.getLast().path("steps").findValuesAsText("phase"))
        .containsExactly("Succeeded", "Succeeded");
  }

  @Test
  void aTemplateThatIsNotInTheFileIsInvalidNamingTheField() throws Exception {
    Path file =
        write(
            "unknown.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: lost}
        spec:
          steps:
            - {name: first, command: ['true']}
            - name: call
              template: {name: nowhere}
        """);
    Result r = run(null, "run", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .contains(
            "unknown.yaml: document 1, line 8: spec.steps[1].template.name: Step \"call\" calls"
                + " WorkflowTemplate \"nowhere\", which was not found.");
  }

  @Test
  void aProblemOfAnExpandedSpecPointsAtItsStepOrAtTheCallingStep() throws Exception {
    Path file =
        write(
            "lines.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: t}
        spec:
          steps:
            - {name: inner, command: ['true'], timeoutSeconds: 0}
            - {name: other, command: ['true']}
        ---
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          steps:
            - name: c
              template: {name: t}
            - name: last
              command: ['true']
              depends: [nope]
        """);
    Result r = run(null, "run", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("lines.yaml: document 2, line 14: Step \"c-inner\" has timeoutSeconds 0")
        .contains("lines.yaml: document 2, line 18: Step \"last\" depends on \"nope\"");
  }

  /** A CronWorkflow runs its workflowSpec once, now; its problems point at their lines. */
  @Test
  void aCronWorkflowRunsItsWorkflowSpecOnceNow() throws Exception {
    Path marker = dir.resolve("ran");
    Path file =
        write(
            "cron.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly}
        spec:
          schedule: "@daily"
          concurrencyPolicy: Forbid
          workflowSpec:
            params:
              - {name: MARKER, value: unset}
            steps:
              - name: touch
                command: [sh, -c, 'echo once >> "$MARKER"']
        """);
    Result r = run(null, "run", file.toString(), "--param", "MARKER=" + marker, "--output", "json");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    assertThat(r.lastJson().path("phase").asText()).isEqualTo("Succeeded");
    assertThat(Files.readString(marker)).isEqualTo("once\n");

    Path bad =
        write(
            "cron-bad.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly}
        spec:
          schedule: "@daily"
          workflowSpec:
            steps:
              - name: a
                command: [sh, -c, 'true']
                depends: [b]
        """);
    Result invalid = run(null, "run", bad.toString());
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.stderr())
        .contains(
            bad
                + ": document 1, line 10: Step \"a\" depends on \"b\", which is not a step of this workflow.");

    Path typo =
        write(
            "cron-typo.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly}
        spec:
          schedule: "@daily"
          suspended: true
          workflowSpec:
            steps:
              - {name: a, command: [sh, -c, 'true']}
        """);
    Result unknown = run(null, "run", typo.toString());
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.stderr().strip())
        .isEqualTo(
            typo
                + ": document 1, line 6: unknown field \"suspended\" in spec (did you mean \"suspend\"?).");
  }

  @Test
  void theCronWorkflowExampleRunsItsWorkflowSpecOnce() throws Exception {
    Result r = run(null, "run", "examples/cron-nightly.yaml", "--output", "json");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(0);
    assertThat(r.lastJson().path("phase").asText()).isEqualTo("Succeeded");
    assertThat(r.stderr()).contains("collecting for reports").contains("report for reports");
  }

  @Test
  void cycleIsInvalid() throws Exception {
    Path file =
        write(
            "cycle.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: cycle}
        spec:
          steps:
            - name: a
              command: [sh, -c, 'true']
              depends: [b]
            - name: b
              command: [sh, -c, 'true']
              depends: [a]
        """);
    Result r = run(null, "run", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .contains(
            file
                + ": document 1, line 6: Steps form a cycle: \"a\" depends on \"b\" depends on \"a\".");
  }

  /**
   * Each problem points at the line of its own field: the second of two steps of the same name, the
   * misspelt entry of depends, the second param, not the first thing that carries the name.
   */
  @Test
  void eachProblemPointsAtTheLineOfItsField() throws Exception {
    Path file =
        write(
            "lines.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: lines}
        spec:
          params:
            - {name: OK, value: "1"}
            - {name: OK, value: "2"}
          steps:
            - name: build
              command: [sh, -c, 'true']
            - name: test
              command: [sh, -c, 'true']
              depends:
                - build
                - buidl
            - name: build
              command: [sh, -c, 'true']
            - name: deploy
              env:
                - name: TOKEN
                  valueFrom: {secretKeyRef: {name: creds, key: token}}
        """);
    Result r = run(null, "run", file.toString());
    assertThat(r.exit()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr().lines())
        .containsExactly(
            file + ": document 1, line 16: Step name \"build\" is used more than once.",
            file
                + ": document 1, line 15: Step \"test\" depends on \"buidl\", which is not a step of this workflow.",
            file + ": document 1, line 7: Param \"OK\" is given more than once.",
            file
                + ": document 1, line 18: Step \"deploy\" has no command; executor supervisor and `shepherd run` do"
                + " not run the image's entrypoint, so every step needs one.",
            file
                + ": document 1, line 21: Step \"deploy\": env \"TOKEN\" uses valueFrom, which only executor pod"
                + " can resolve; executor supervisor and `shepherd run` take a plain value.");
  }

  @Test
  void yamlSyntaxErrorIsInvalid() throws Exception {
    Path file =
        write(
            "syntax.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: s}
        spec:
          steps:
            - name: a
              command: [sh, -c, 'true'
            - name: b
        """);
    Result r = run(null, "run", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .containsPattern(
            java.util.regex.Pattern.quote(file.toString())
                + ": document 1, line [78]: invalid YAML: ");
  }

  /**
   * Nested past the limit a manifest has (PlainJson's), in YAML or JSON: an error naming the depth.
   */
  @Test
  void fileNestedTooDeepIsInvalidNotAStackOverflow() throws Exception {
    for (String name : List.of("deep.yaml", "deep.json")) {
      String steps = "[".repeat(490) + "]".repeat(490);
      Path file =
          write(
              name,
              name.endsWith(".json")
                  ? "{\"apiVersion\":\"shepherd.dev/v1alpha1\",\"kind\":\"Workflow\",\"metadata\":{\"name\":\"d\"},"
                      + "\"spec\":{\"steps\":"
                      + steps
                      + "}}"
                  : "apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata: {name: d}\nspec:\n  steps: "
                      + steps
                      + "\n");
      Result r = run(null, "run", file.toString());
      assertThat(r.exit()).as(r.stderr()).isEqualTo(2);
      assertThat(r.stderr())
          .contains(file + ": document 1: invalid YAML: Document nesting depth (101) exceeds")
          .doesNotContain("StackOverflowError");
    }
  }

  @Test
  void stdinAndMissingCommand() throws Exception {
    Result r =
        run(
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: s}
        spec:
          image: busybox
          steps:
            - name: entrypoint-only
        """,
            "run",
            "-");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("<stdin>: document 1, line 7: Step \"entrypoint-only\" has no command");
  }

  /**
   * SIGTERM (SIGINT) to the run: the running step and its child are stopped first, then exit 143
   * (130).
   */
  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void signalStopsStepsAndExits(String signal) throws Exception {
    Path pids = dir.resolve("pids");
    Path file =
        write(
            "long.yaml",
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: long}
        spec:
          steps:
            - name: long
              command: [sh, -c, 'sleep 600 & echo "$$ $!" > "$PIDS.tmp"; mv "$PIDS.tmp" "$PIDS"; wait']
            - name: after
              depends: [long]
              command: [sh, -c, 'echo never']
        """);
    Process process =
        start(null, "run", file.toString(), "--output", "json", "--param", "PIDS=" + pids);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(pids) && System.nanoTime() < deadline && process.isAlive()) {
      Thread.sleep(20);
    }
    assertThat(pids).as("the step never started").exists();
    List<Long> stepPids =
        Arrays.stream(Files.readString(pids).trim().split(" ")).map(Long::parseLong).toList();
    assertThat(stepPids).allMatch(RunCommandTest::alive);

    new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    Result r = finish(process);

    assertThat(r.exit()).as(r.stderr()).isEqualTo(signal.equals("TERM") ? 143 : 130);
    JsonNode status = r.lastJson();
    assertThat(status.path("phase").asText()).isEqualTo("Cancelled");
    assertThat(status.path("steps").get(0).path("reason").asText()).isEqualTo("Cancelled");
    assertThat(status.path("steps").get(1).path("phase").asText()).isEqualTo("Skipped");
    assertThat(stepPids).noneMatch(RunCommandTest::alive);
    assertThat(r.stderr()).doesNotContain("never");
  }

  // ---- helpers ----

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }

  private Result run(String stdin, String... args) throws Exception {
    Process p = start(stdin, args);
    return finish(p);
  }

  private Process start(String stdin, String... args) throws IOException {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                Main.class.getName()));
    command.addAll(List.of(args));
    File out = dir.resolve("stdout-" + System.nanoTime()).toFile();
    File err = dir.resolve("stderr-" + System.nanoTime()).toFile();
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
    Process p = builder.start();
    p.getOutputStream().write(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    outputs.put(p, new File[] {out, err});
    return p;
  }

  private final java.util.Map<Process, File[]> outputs = new java.util.HashMap<>();

  private Result finish(Process p) throws Exception {
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly().waitFor();
    }
    File[] files = outputs.remove(p);
    String stdout = Files.readString(files[0].toPath());
    String stderr = Files.readString(files[1].toPath());
    assertThat(done)
        .as("did not finish in 60 s; stdout:\n%s\nstderr:\n%s", stdout, stderr)
        .isTrue();
    return new Result(p.exitValue(), stdout, stderr);
  }
}
