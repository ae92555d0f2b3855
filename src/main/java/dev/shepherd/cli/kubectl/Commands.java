package dev.shepherd.cli.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.cli.kubectl.KubectlCommand.Failure;
import dev.shepherd.cli.run.WorkflowFile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
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
      case "cancel" -> control(args, s, "cancel", "{\"cancel\":true}", "cancelled");
      case "suspend" -> control(args, s, "suspend", "{\"suspend\":true}", "suspended");
      case "resume" -> control(args, s, "resume", "{\"suspend\":false}", "resumed");
      case "retry" -> retry(args, s);
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

  /** cancel, suspend, resume: one merge patch of the spec, as kubectl patch would send. */
  private static int control(Args args, Session s, String verb, String spec, String done)
      throws Args.Invalid, Failure {
    args.allow(verb);
    String name = args.operands(verb + " WF", 1, 1).getFirst();
    s.generic(name);
    s.patchSpec(name, spec);
    s.out().println("workflow.shepherd.dev/" + name + " " + done);
    return KubectlCommand.OK;
  }

  /**
   * Retry in place: spec.retryGeneration one past the last retry's generation (or 1), and no
   * cancel, so that the operator reruns the failed, cancelled and skipped steps. The Workflow is
   * read as a generic object, so the retries in its status count whatever the model knows of them.
   */
  private static int retry(Args args, Session s) throws Args.Invalid, Failure {
    args.allow("retry");
    String name = args.operands("retry WF", 1, 1).getFirst();
    GenericKubernetesResource w = s.generic(name);
    Map<String, Object> status = map(w.getAdditionalProperties().get("status"));
    Object phase = status.get("phase");
    if (!WorkflowPhase.Failed.name().equals(phase)
        && !WorkflowPhase.Cancelled.name().equals(phase)) {
      throw new Failure(
          KubectlCommand.ERROR,
          "workflow "
              + name
              + " is "
              + (phase == null ? "not started" : phase)
              + ": only a Failed or Cancelled workflow can be retried");
    }
    long last = 0;
    if (status.get("retries") instanceof List<?> retries
        && !retries.isEmpty()
        && map(retries.getLast()).get("generation") instanceof Number n) {
      last = n.longValue();
    }
    long next = last + 1;
    s.patchSpec(name, "{\"retryGeneration\":" + next + ",\"cancel\":false}");
    s.out().println("workflow.shepherd.dev/" + name + " retried (retryGeneration " + next + ")");
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
