package dev.shepherd.cli.kubectl;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.cli.kubectl.KubectlCommand.Failure;
import dev.shepherd.cli.run.WorkflowFile;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code submit FILE}: checks the whole file as {@code lint} does, then creates or updates its
 * WorkflowTemplates (a Workflow that names one finds it) and creates its Workflows; with {@code
 * --watch}, watches each Workflow to its end.
 */
final class Submit {
  private Submit() {}

  static int run(Args args, Session s) throws Args.Invalid, Failure, InterruptedException {
    args.allow("submit", "--param", "--watch");
    String file = args.operands("submit FILE [--param K=V]... [--watch]", 1, 1).getFirst();
    Map<String, String> params = params(args);
    ManifestFile manifest;
    try {
      manifest = ManifestFile.read(file, System.in);
    } catch (WorkflowFile.InvalidFile e) {
      s.err().println(e.getMessage());
      return KubectlCommand.INVALID;
    }
    for (ManifestFile.Doc d : manifest.docs()) {
      // A CronWorkflow's document is read as the Workflow it creates: submit runs it once, now,
      // as shepherd run does (Argo's submit --from cronwf).
      if (!d.isTemplate() && !d.kind().equals("Workflow") && !d.kind().equals("CronWorkflow")) {
        throw new Failure(
            KubectlCommand.INVALID,
            d.document().where(d.document().line())
                + "submit takes Workflows, CronWorkflows (run once) and WorkflowTemplates; apply a "
                + d.kind()
                + " with kubectl apply");
      }
    }
    manifest.applyParams(params);
    List<String> problems = manifest.problems();
    if (!problems.isEmpty()) {
      problems.forEach(s.err()::println);
      return KubectlCommand.INVALID;
    }
    // Everything is made from the file before anything is created: a document that can't be is
    // refused with nothing created. The templates first, for the Workflows that name them.
    KubernetesSerialization json = s.client().getKubernetesSerialization();
    List<WorkflowTemplate> templates = new ArrayList<>();
    List<Workflow> workflows = new ArrayList<>();
    for (ManifestFile.Doc d : manifest.docs()) {
      ObjectMeta metadata = metadata(d.document(), json, s.namespace());
      if (d.isTemplate()) {
        if (metadata.getName() == null) {
          throw new Failure(
              KubectlCommand.INVALID,
              d.document().where(d.document().line())
                  + "a WorkflowTemplate needs a name: Workflows find it by its name");
        }
        WorkflowTemplate t = new WorkflowTemplate();
        t.setMetadata(metadata);
        t.setSpec(d.document().spec());
        templates.add(t);
      } else {
        Workflow w = new Workflow();
        w.setMetadata(metadata);
        w.setSpec(d.document().spec());
        workflows.add(w);
      }
    }
    for (WorkflowTemplate t : templates) {
      boolean existed =
          s.client()
                  .resources(WorkflowTemplate.class)
                  .inNamespace(s.namespace())
                  .withName(t.getMetadata().getName())
                  .get()
              != null;
      s.client().resource(t).createOr(NonDeletingOperation::update);
      s.out()
          .println(
              "workflowtemplate.shepherd.dev/"
                  + t.getMetadata().getName()
                  + (existed ? " configured" : " created"));
    }
    List<Workflow> made = new ArrayList<>();
    for (Workflow w : workflows) {
      Workflow created = s.client().resource(w).create();
      s.out().println("workflow.shepherd.dev/" + created.getMetadata().getName() + " created");
      made.add(created);
    }
    if (!args.has("--watch")) {
      return KubectlCommand.OK;
    }
    int code = KubectlCommand.OK;
    for (Workflow w : made) {
      code = Math.max(code, Watch.exitCode(Watch.follow(s, w.getMetadata().getName())));
    }
    return code;
  }

  /** The {@code --param NAME=VALUE} flags, in order (a later one of a name wins). */
  static Map<String, String> params(Args args) throws Args.Invalid {
    Map<String, String> params = new LinkedHashMap<>();
    for (String p : args.all("--param")) {
      try {
        Map.Entry<String, String> param = WorkflowFile.param(p);
        params.put(param.getKey(), param.getValue());
      } catch (IllegalArgumentException e) {
        throw new Args.Invalid(e.getMessage());
      }
    }
    return params;
  }

  /**
   * The document's metadata, in the session's namespace; a document of another namespace is refused
   * as kubectl refuses it.
   */
  private static ObjectMeta metadata(
      WorkflowFile.Document doc, KubernetesSerialization json, String namespace) throws Failure {
    Object tree = doc.tree() instanceof Map<?, ?> m ? m.get("metadata") : null;
    ObjectMeta metadata =
        tree == null ? new ObjectMeta() : json.convertValue(tree, ObjectMeta.class);
    if (metadata.getNamespace() != null && !metadata.getNamespace().equals(namespace)) {
      throw new Failure(
          KubectlCommand.ERROR,
          "the namespace from the provided object \""
              + metadata.getNamespace()
              + "\" does not match the namespace \""
              + namespace
              + "\". You must pass '--namespace="
              + metadata.getNamespace()
              + "' to perform this operation.");
    }
    metadata.setNamespace(namespace);
    if (metadata.getName() == null && metadata.getGenerateName() == null) {
      throw new Failure(
          KubectlCommand.INVALID, doc.where(doc.line()) + "resource name may not be empty");
    }
    return metadata;
  }
}
