package dev.shepherd.cli.kubectl;

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
 * name the document, line and field; each document as written (a Workflow keeps its
 * workflowTemplateRef and its steps' calls: the operator resolves them).
 */
record ManifestFile(List<Doc> docs) {
  static final String TEMPLATE = "WorkflowTemplate";

  /** One document, its kind as the file says it, and the file it is in. */
  record Doc(String kind, WorkflowFile.Document document, WorkflowFile.Parsed file) {
    boolean isTemplate() {
      return TEMPLATE.equals(kind);
    }

    /**
     * What lint finds: for a Workflow, what the operator would refuse for the executor the spec
     * names, once the templates it runs or calls are resolved from the file; when one of them is
     * not in the file (it is in the cluster, say), only the references themselves. A template is
     * checked where a Workflow runs it (alone it may lack what the Workflow gives it, an image,
     * say): here only its calls, from the file's templates.
     */
    List<String> problems() {
      WorkflowSpec spec = document.spec();
      if (!file.selfContained(document)) {
        return document.located(SpecValidation.referenceProblems(spec));
      }
      WorkflowFile.Document runs;
      try {
        runs = file.resolved(document);
      } catch (WorkflowFile.InvalidFile e) {
        return List.of(e.getMessage());
      }
      if (isTemplate()) {
        return List.of();
      }
      return runs.problems(
          runs.spec().executorOrDefault() == Executor.SUPERVISOR
              ? SpecValidation.Target.SUPERVISOR
              : SpecValidation.Target.POD);
    }
  }

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
    WorkflowFile.Parsed file = WorkflowFile.read(source, text);
    List<Doc> docs = new ArrayList<>();
    for (WorkflowFile.Document t : file.templates()) {
      docs.add(new Doc(TEMPLATE, t, file));
    }
    for (int i = 0; i < file.workflows().size(); i++) {
      String kind = file.kinds().get(i);
      docs.add(new Doc(kind == null ? "Workflow" : kind, file.workflows().get(i), file));
    }
    return new ManifestFile(docs);
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
