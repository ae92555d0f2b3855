package dev.shepherd.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.Executor;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.cli.run.WorkflowFile;
import dev.shepherd.engine.SpecValidation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A file for {@code submit} and {@code lint}: Workflows, and the WorkflowTemplates they name. Read
 * by {@link WorkflowFile}, as {@code shepherd run} reads one, so that the errors are the same and
 * name the document, line and field. A WorkflowTemplate has a Workflow's shape (metadata and a
 * Workflow's spec), so its document is read as a Workflow, its {@code kind} line rewritten in place
 * (the lines stay where they are), and its kind remembered by its lines.
 */
record ManifestFile(List<Doc> docs) {
  static final String TEMPLATE = "WorkflowTemplate";

  /** One document, its kind as the file says it. */
  record Doc(String kind, WorkflowFile.Document document) {
    boolean isTemplate() {
      return TEMPLATE.equals(kind);
    }

    /**
     * What lint finds: what the operator would refuse for the executor the spec names; for a
     * Workflow that runs a template, the reference itself (the template is checked as a document of
     * its own, or by the operator when it reads it).
     */
    List<String> problems() {
      WorkflowSpec spec = document.spec();
      if (spec.workflowTemplateRef != null) {
        return document.located(SpecValidation.referenceProblems(spec));
      }
      return document.problems(
          spec.executorOrDefault() == Executor.SUPERVISOR
              ? SpecValidation.Target.SUPERVISOR
              : SpecValidation.Target.POD);
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Reads FILE ({@code -} for stdin). */
  static ManifestFile read(String file, InputStream stdin) throws WorkflowFile.InvalidFile {
    String text;
    try {
      text =
          file.equals("-")
              ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new WorkflowFile.InvalidFile(file + ": no such file");
    } catch (IOException e) {
      throw new WorkflowFile.InvalidFile(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.equals("-") ? "<stdin>" : file, text);
  }

  static ManifestFile parse(String source, String text) throws WorkflowFile.InvalidFile {
    List<String> lines = new ArrayList<>(text.lines().toList());
    // The documents by their lines: a line "---" starts the next one.
    List<int[]> ranges = new ArrayList<>(); // first and last line, counting from 1
    List<String> kinds = new ArrayList<>();
    int start = 1;
    for (int i = 1; i <= lines.size() + 1; i++) {
      boolean end = i == lines.size() + 1;
      if (end || lines.get(i - 1).equals("---") || lines.get(i - 1).startsWith("--- ")) {
        ranges.add(new int[] {start, i - 1});
        kinds.add(kind(lines.subList(start - 1, i - 1)));
        start = i + 1;
      }
    }
    for (int r = 0; r < ranges.size(); r++) {
      if (!TEMPLATE.equals(kinds.get(r))) {
        continue;
      }
      for (int l = ranges.get(r)[0]; l <= ranges.get(r)[1]; l++) {
        String line = lines.get(l - 1);
        if (line.matches("kind:\\s*[\"']?" + TEMPLATE + "[\"']?\\s*(#.*)?")) {
          lines.set(l - 1, "kind: Workflow");
        }
      }
    }
    List<Doc> docs = new ArrayList<>();
    for (WorkflowFile.Document d : WorkflowFile.parse(source, String.join("\n", lines) + "\n")) {
      String kind = "Workflow";
      for (int r = 0; r < ranges.size(); r++) {
        if (d.line() >= ranges.get(r)[0] && d.line() <= ranges.get(r)[1]) {
          kind = kinds.get(r) == null ? kind : kinds.get(r);
        }
      }
      docs.add(new Doc(kind, d));
    }
    return new ManifestFile(docs);
  }

  /**
   * The kind of the document of these lines, or null if they don't parse (WorkflowFile says why).
   */
  private static String kind(List<String> lines) {
    try {
      JsonNode tree = YAML.readTree(String.join("\n", lines));
      return tree != null && tree.path("kind").isTextual() ? tree.path("kind").asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Every document's problems, in file order; empty when all can run. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (Doc d : docs) {
      problems.addAll(d.problems());
    }
    return problems;
  }

  /** Sets the params in every Workflow (not in the templates: a Workflow's params win there). */
  void applyParams(Map<String, String> params) {
    for (Doc d : docs) {
      if (!d.isTemplate()) {
        WorkflowFile.applyParams(d.document().spec(), params);
      }
    }
  }
}
