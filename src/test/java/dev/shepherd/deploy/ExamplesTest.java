package dev.shepherd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.e2e.Example;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ is a valid Workflow (after the WorkflowTemplates it uses) or
 * CronWorkflow: the {@code # ends:} header that later tests read, strict parsing of every document
 * into the Java model (a misspelt field fails), and a well-formed DAG in the spec that runs ({@link
 * Example#spec}: a template's with the Workflow's fields over it; a CronWorkflow's workflowSpec).
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("examples");
  static final Pattern ENDS = Pattern.compile("^# ends: (Succeeded|Failed)$");
  static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  /** Kubernetes expands $(NAME) and $$ in command and args; a local process run would not. */
  static final Pattern K8S_EXPANSION = Pattern.compile("\\$\\$|\\$\\([A-Za-z_][A-Za-z0-9_]*\\)");

  static final ObjectMapper STRICT =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<Path> all = files.filter(Files::isRegularFile).sorted().toList();
      assertFalse(all.isEmpty(), "no examples");
      return all;
    }
  }

  /**
   * The example's Workflow, with the spec it runs, after a strict read of each of its documents.
   */
  static Workflow read(Path file) throws IOException {
    for (JsonNode d : Example.documents(file)) {
      Class<?> kind =
          switch (d.path("kind").asText()) {
            case "WorkflowTemplate" -> WorkflowTemplate.class;
            case "CronWorkflow" -> CronWorkflow.class;
            default -> Workflow.class;
          };
      STRICT.treeToValue(d, kind);
    }
    Example example = Example.read(file);
    Workflow w = example.workflow();
    w.setSpec(example.spec());
    return w;
  }

  @Test
  void theDocumentedExamplesExist() {
    for (String name : List.of("hello", "diamond", "retry", "failing", "params")) {
      assertTrue(Files.isRegularFile(EXAMPLES.resolve(name + ".yaml")), name + ".yaml");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void startsWithTheEndsHeaderAndADescription(Path file) throws IOException {
    assertTrue(file.getFileName().toString().endsWith(".yaml"), "examples are *.yaml: " + file);
    List<String> lines = Files.readAllLines(file);
    assertTrue(lines.size() > 2, file + " is too short");
    assertTrue(
        ENDS.matcher(lines.get(0)).matches(),
        file
            + ": line 1 must be '# ends: Succeeded' or '# ends: Failed', is '"
            + lines.get(0)
            + "'");
    assertTrue(
        lines.get(1).matches("^# \\S.*"), file + ": line 2 must be a one-line description comment");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void parsesStrictlyIntoAWorkflow(Path file) throws IOException {
    // CustomResource computes apiVersion and kind from the class and ignores what the file says,
    // so check them in the raw tree.
    List<JsonNode> documents = Example.documents(file);
    for (JsonNode tree : documents) {
      assertEquals(
          "shepherd.dev/v1alpha1", tree.path("apiVersion").asText(), file + ": apiVersion");
      assertEquals(Workflow.API_VERSION, tree.path("apiVersion").asText());
      String kind = tree.path("kind").asText();
      if (tree == documents.getLast()) {
        assertTrue(Set.of("Workflow", "CronWorkflow").contains(kind), file + ": last kind " + kind);
      } else {
        assertEquals("WorkflowTemplate", kind, file + ": a document before the Workflow");
      }
    }
    Workflow wf = read(file);
    assertNotNull(wf.getMetadata(), file + ": metadata");
    assertNotNull(wf.getMetadata().getName(), file + ": metadata.name");
    assertTrue(DNS_LABEL.matcher(wf.getMetadata().getName()).matches(), file + ": metadata.name");
    assertTrue(
        wf.getStatus() == null || wf.getStatus().phase == null,
        file + ": examples carry no status");
    // fabric8's own types keep unknown fields in additionalProperties instead of failing.
    assertTrue(
        wf.getMetadata().getAdditionalProperties().isEmpty(),
        file + ": unknown metadata fields " + wf.getMetadata().getAdditionalProperties().keySet());
    assertNotNull(wf.getSpec(), file + ": spec");
    assertFalse(wf.getSpec().steps.isEmpty(), file + ": no steps");
    for (Step s : wf.getSpec().steps) {
      for (EnvVar e : s.env == null ? List.<EnvVar>of() : s.env) {
        assertTrue(
            e.getAdditionalProperties().isEmpty(),
            file + ": step " + s.name + " env " + e.getName());
      }
      if (s.resources != null) {
        assertTrue(
            s.resources.getAdditionalProperties().isEmpty(),
            file + ": step " + s.name + " resources");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void stepsFormADag(Path file) throws IOException {
    List<Step> steps = read(file).getSpec().steps;
    Map<String, Step> byName = new HashMap<>();
    for (Step s : steps) {
      assertNotNull(s.name, file + ": a step without a name");
      assertTrue(DNS_LABEL.matcher(s.name).matches(), file + ": step name " + s.name);
      assertTrue(byName.put(s.name, s) == null, file + ": duplicate step " + s.name);
    }
    for (Step s : steps) {
      for (String d : s.dependsOrEmpty()) {
        assertTrue(
            byName.containsKey(d), file + ": step " + s.name + " depends on unknown step " + d);
        assertFalse(d.equals(s.name), file + ": step " + s.name + " depends on itself");
      }
    }
    // Kahn: every step must come out, or there is a cycle.
    Map<String, Integer> waiting = new HashMap<>();
    Map<String, List<String>> dependents = new HashMap<>();
    for (Step s : steps) {
      waiting.put(s.name, new HashSet<>(s.dependsOrEmpty()).size());
      for (String d : new HashSet<>(s.dependsOrEmpty())) {
        dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s.name);
      }
    }
    Deque<String> ready = new ArrayDeque<>();
    waiting.forEach(
        (n, w) -> {
          if (w == 0) {
            ready.add(n);
          }
        });
    int done = 0;
    while (!ready.isEmpty()) {
      String n = ready.poll();
      done++;
      for (String m : dependents.getOrDefault(n, List.of())) {
        if (waiting.merge(m, -1, Integer::sum) == 0) {
          ready.add(m);
        }
      }
    }
    assertEquals(steps.size(), done, file + ": the depends lists form a cycle");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void stepsRunPortableShellInBusybox(Path file) throws IOException {
    Workflow wf = read(file);
    Set<String> names = new HashSet<>();
    for (Param p : wf.getSpec().params == null ? List.<Param>of() : wf.getSpec().params) {
      assertTrue(names.add(p.name), file + ": duplicate param " + p.name);
    }
    for (Step s : wf.getSpec().steps) {
      String image = s.image != null ? s.image : wf.getSpec().image;
      assertEquals("busybox:1.36", image, file + ": step " + s.name + " image");
      List<String> argv = new ArrayList<>(s.command == null ? List.of() : s.command);
      argv.addAll(s.args == null ? List.of() : s.args);
      assertTrue(
          argv.size() == 3 && argv.get(0).equals("sh") && argv.get(1).equals("-c"),
          file + ": step " + s.name + " must run sh -c <script>, runs " + argv);
      Matcher m = K8S_EXPANSION.matcher(argv.get(2));
      assertFalse(
          m.find(),
          () ->
              file
                  + ": step "
                  + s.name
                  + " uses "
                  + m.group()
                  + ", which Kubernetes expands in pods but a local run does not; use ${NAME}");
    }
  }

  @Test
  void exampleNamesAreUniqueSoAllCanBeAppliedToOneNamespace() throws IOException {
    Set<String> names = new HashSet<>();
    for (Path file : examples()) {
      assertTrue(names.add(read(file).getMetadata().getName()), file + ": duplicate metadata.name");
    }
  }

  @Test
  void strictParsingRejectsAMisspeltField() {
    String typo =
        """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata:
          name: typo
        spec:
          steps:
            - name: a
              dependson: [b]
        """;
    assertThrows(UnrecognizedPropertyException.class, () -> STRICT.readValue(typo, Workflow.class));
    assertThrows(
        UnrecognizedPropertyException.class,
        () -> STRICT.readValue(typo.replace("dependson: [b]", "retry: {limt: 2}"), Workflow.class));
    assertThrows(
        UnrecognizedPropertyException.class,
        () -> STRICT.readValue(typo.replace("spec:", "sepc:\n  x: 1\nspec:"), Workflow.class));
  }
}
