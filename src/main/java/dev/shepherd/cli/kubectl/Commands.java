package dev.shepherd.cli.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.Workflow;
import dev.shepherd.cli.kubectl.KubectlCommand.Failure;
import dev.shepherd.cli.run.WorkflowFile;
import dev.shepherd.view.Controls;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The commands that talk to the API server, and the small ones among them. */
final class Commands {
  static final Set<String> KNOWN =
      Set.of("submit", "get", "watch", "logs", "cancel", "suspend", "resume", "retry", "resubmit");

  private Commands() {}

  static int run(String command, Args args, Session s)
      throws Args.Invalid, Failure, InterruptedException {
    return switch (command) {
      case "submit" -> Submit.run(args, s);
      case "get" -> get(args, s);
      case "watch" -> {
        args.allow("watch");
        yield Watch.exitCode(Watch.follow(s, args.operands("watch WF", 1, 1).getFirst()));
      }
      case "logs" -> Logs.run(args, s);
      case "cancel" -> control(args, s, Controls.Action.CANCEL, "cancelled");
      case "suspend" -> control(args, s, Controls.Action.SUSPEND, "suspended");
      case "resume" -> control(args, s, Controls.Action.RESUME, "resumed");
      case "retry" -> control(args, s, Controls.Action.RETRY, "retried");
      case "resubmit" -> resubmit(args, s);
      default -> throw new Args.Invalid("unknown command \"" + command + "\"");
    };
  }

  /** {@code get WF}: the tree of the steps; {@code -o json|yaml}: the Workflow as stored. */
  private static int get(Args args, Session s) throws Args.Invalid, Failure {
    args.allow("get", "--output");
    String name = args.operands("get WF [-o json|yaml]", 1, 1).getFirst();
    String format = args.value("--output");
    if (format != null && !format.equals("json") && !format.equals("yaml")) {
      throw new Args.Invalid(
          "unable to match a printer suitable for the output format \""
              + format
              + "\", allowed formats are: json,yaml");
    }
    if (format == null) {
      Workflow w = s.workflow(name);
      TreeText.print(w, s.runSpec(w), s.clock().instant(), s.out());
      return KubectlCommand.OK;
    }
    // As stored, every field, also those this version's model does not know.
    GenericKubernetesResource w = s.generic(name);
    KubernetesSerialization json = s.client().getKubernetesSerialization();
    if (format.equals("json")) {
      try {
        s.out().println(new ObjectMapper().readTree(json.asJson(w)).toPrettyString());
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      s.out().print(json.asYaml(w));
    }
    return KubectlCommand.OK;
  }

  /**
   * cancel, suspend, resume, retry: one merge patch of the spec ({@link Controls}), as kubectl
   * patch would send. The Workflow is read as a generic object, so that a retry counts the retries
   * in its status whatever this version's model knows of them.
   */
  private static int control(Args args, Session s, Controls.Action action, String done)
      throws Args.Invalid, Failure {
    args.allow(action.verb());
    String name = args.operands(action.verb() + " WF", 1, 1).getFirst();
    Map<String, Object> status = map(s.generic(name).getAdditionalProperties().get("status"));
    String patch;
    try {
      patch = Controls.specPatch(action, name, status);
    } catch (Controls.Refused e) {
      throw new Failure(KubectlCommand.ERROR, e.getMessage());
    }
    s.patchSpec(name, patch);
    s.out()
        .println(
            "workflow.shepherd.dev/"
                + name
                + " "
                + done
                + (action == Controls.Action.RETRY
                    ? " (retryGeneration " + Controls.nextRetry(status) + ")"
                    : ""));
    return KubectlCommand.OK;
  }

  /**
   * A new Workflow of the old one's spec, named {@code <name>-<random>} by the API server, with its
   * labels and annotations (kubectl's last-applied configuration left out) and the params given;
   * cancel, suspend and retryGeneration do not carry over.
   */
  private static int resubmit(Args args, Session s) throws Args.Invalid, Failure {
    args.allow("resubmit", "--param");
    String name = args.operands("resubmit WF [--param K=V]...", 1, 1).getFirst();
    Map<String, String> params = Submit.params(args);
    Workflow old = s.workflow(name);
    WorkflowFile.applyParams(old.getSpec(), params);
    KubernetesSerialization json = s.client().getKubernetesSerialization();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = json.convertValue(old.getSpec(), LinkedHashMap.class);
    spec.remove("cancel");
    spec.remove("suspend");
    spec.remove("retryGeneration");
    ObjectMeta metadata = new ObjectMeta();
    metadata.setGenerateName(name + "-");
    metadata.setNamespace(s.namespace());
    metadata.setLabels(old.getMetadata().getLabels());
    Map<String, String> annotations = old.getMetadata().getAnnotations();
    if (annotations != null) {
      annotations = new LinkedHashMap<>(annotations);
      annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
      metadata.setAnnotations(annotations.isEmpty() ? null : annotations);
    }
    GenericKubernetesResource fresh = new GenericKubernetesResource();
    fresh.setApiVersion(Workflow.API_VERSION);
    fresh.setKind("Workflow");
    fresh.setMetadata(metadata);
    fresh.setAdditionalProperty("spec", spec);
    GenericKubernetesResource made =
        s.client()
            .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
            .inNamespace(s.namespace())
            .resource(fresh)
            .create();
    s.out().println("workflow.shepherd.dev/" + made.getMetadata().getName() + " created");
    return KubectlCommand.OK;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
