package dev.shepherd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.Executor;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.engine.TemplateCalls;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An example manifest ({@code examples/*.yaml}) and the phase its first line says it ends in
 * ({@code # ends: Failed}), as every example test reads it. A file holds one Workflow, after the
 * WorkflowTemplates it uses (which a cluster test creates first), or one CronWorkflow, whose
 * workflow runs once, as {@code shepherd run} runs it: {@link #workflow} is then a Workflow of its
 * {@code workflowSpec}, named after it.
 */
public record Example(
    Path file, List<WorkflowTemplate> templates, Workflow workflow, WorkflowPhase ends) {
  public static final Path DIRECTORY = Path.of("examples");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Every example, in name order. */
  public static List<Path> files() throws IOException {
    try (Stream<Path> list = Files.list(DIRECTORY)) {
      return list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  public static Example read(Path file) throws IOException {
    String text = Files.readString(file);
    String header = text.lines().findFirst().orElse("");
    if (!header.startsWith("# ends: ")) {
      throw new IllegalArgumentException(file + ": the first line must be '# ends: <phase>'");
    }
    List<JsonNode> documents = documents(file);
    List<WorkflowTemplate> templates = new ArrayList<>();
    for (JsonNode d : documents.subList(0, documents.size() - 1)) {
      if (!"WorkflowTemplate".equals(d.path("kind").asText())) {
        throw new IllegalArgumentException(
            file + ": only WorkflowTemplates may come before the Workflow, not " + d.path("kind"));
      }
      templates.add(Serialization.unmarshal(d.toString(), WorkflowTemplate.class));
    }
    JsonNode last = documents.getLast();
    Workflow workflow =
        switch (last.path("kind").asText()) {
          case "Workflow" -> Serialization.unmarshal(last.toString(), Workflow.class);
          case "CronWorkflow" ->
              runOnce(Serialization.unmarshal(last.toString(), CronWorkflow.class));
          default ->
              throw new IllegalArgumentException(
                  file + ": the last document must be a Workflow or a CronWorkflow");
        };
    return new Example(
        file,
        List.copyOf(templates),
        workflow,
        WorkflowPhase.valueOf(header.substring("# ends: ".length()).strip()));
  }

  /** The YAML documents of {@code file}, as written (for strict checks of each one). */
  public static List<JsonNode> documents(Path file) throws IOException {
    try (var values = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      List<JsonNode> documents = new ArrayList<>();
      values.forEachRemaining(d -> documents.add((JsonNode) d));
      if (documents.isEmpty()) {
        throw new IllegalArgumentException(file + ": no YAML document");
      }
      return documents;
    }
  }

  /** The Workflow one run of {@code cron} creates, without the operator's labels. */
  private static Workflow runOnce(CronWorkflow cron) {
    Workflow w = new Workflow();
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName(cron.getMetadata().getName());
    metadata.setNamespace(cron.getMetadata().getNamespace());
    w.setMetadata(metadata);
    w.setSpec(cron.getSpec().workflowSpec);
    return w;
  }

  /** Whether the file is a CronWorkflow, which {@link #workflow} runs once. */
  public boolean isCron() throws IOException {
    return "CronWorkflow".equals(documents(file).getLast().path("kind").asText());
  }

  /**
   * The spec the Workflow runs: its own, or the one of the file's template it names with its own
   * fields laid over it; its steps' template calls expanded from the file's templates; as the
   * operator resolves it.
   */
  public WorkflowSpec spec() {
    WorkflowSpec own = workflow.getSpec();
    if (own == null) {
      return null;
    }
    Map<String, WorkflowSpec> byName = new LinkedHashMap<>();
    for (WorkflowTemplate t : templates) {
      byName.put(t.getMetadata().getName(), t.getSpec());
    }
    WorkflowSpec runs = own;
    if (own.workflowTemplateRef != null) {
      WorkflowSpec template = byName.get(own.workflowTemplateRef.name);
      if (template == null) {
        throw new IllegalArgumentException(
            file + ": no WorkflowTemplate " + own.workflowTemplateRef.name);
      }
      runs = TemplateOverlay.resolve(own, template);
    }
    TemplateCalls.Expansion expansion = TemplateCalls.expand(runs, byName);
    if (!expansion.problems().isEmpty()) {
      throw new IllegalArgumentException(file + ": " + expansion.problems());
    }
    return expansion.spec();
  }

  /**
   * Creates the file's WorkflowTemplates in {@code namespace}, before its Workflow: a Workflow
   * whose template is missing fails at once. Each executor's run of the example shares them.
   */
  public void createTemplates(KubernetesClient client, String namespace) {
    for (WorkflowTemplate t : templates) {
      var resource =
          client
              .resources(WorkflowTemplate.class)
              .inNamespace(namespace)
              .withName(t.getMetadata().getName());
      if (resource.get() == null) {
        WorkflowTemplate copy = Serialization.clone(t);
        copy.getMetadata().setNamespace(namespace);
        client.resource(copy).create();
      }
    }
  }

  /** A Workflow of the given steps (a YAML list, unindented), image and executor. */
  static Workflow workflow(
      String name, String namespace, String image, Executor executor, String steps) {
    Workflow w =
        inline(
            """
            apiVersion: shepherd.dev/v1alpha1
            kind: Workflow
            metadata: {name: %s, namespace: %s}
            spec:
              image: %s
              steps:
            %s"""
                .formatted(name, namespace, image, steps.indent(4)));
    w.getSpec().executor = executor;
    return w;
  }

  static Workflow inline(String yaml) {
    return Serialization.unmarshal(yaml, Workflow.class);
  }

  /**
   * What each step's phase says agrees with its exit code and reason; a loop step's counts agree
   * with its phase.
   */
  void assertStepsConsistent(Workflow done) {
    for (StepStatus st : done.getStatus().steps) {
      String what =
          file + ": step " + st.name + " " + st.phase + " " + st.reason + " " + st.message;
      if (st.loop != null) {
        assertThat(st.loop.succeeded + st.loop.failed + st.loop.skipped)
            .as(what)
            .isEqualTo(st.loop.total);
        assertThat(st.loop.failed == 0 && st.loop.skipped == 0)
            .as(what)
            .isEqualTo(st.phase == StepPhase.Succeeded);
        continue;
      }
      switch (st.phase) {
        case Succeeded -> assertThat(st.exitCode).as(what).isEqualTo(0);
        case Failed ->
            assertThat(st.reason != null && (st.exitCode == null || st.exitCode != 0))
                .as(what)
                .isTrue();
        case Skipped -> assertThat(st.attempts).as(what).isEqualTo(0);
        default -> throw new AssertionError("not final: " + what);
      }
    }
    if (ends == WorkflowPhase.Succeeded) {
      // Every step succeeded, but those allowed to fail (allowFailure), which may have failed,
      // and those skipped by a false when.
      assertThat(done.getStatus().steps)
          .as(file + ": " + done.getStatus().message)
          .allMatch(
              s ->
                  s.phase == StepPhase.Succeeded
                      || (s.phase == StepPhase.Skipped && "ConditionFalse".equals(s.reason))
                      || (s.phase == StepPhase.Failed
                          && spec().allSteps().stream()
                              .anyMatch(d -> d.name.equals(s.name) && d.allowsFailure())));
    }
  }
}
