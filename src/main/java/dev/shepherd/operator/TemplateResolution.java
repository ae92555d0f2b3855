package dev.shepherd.operator;

import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code spec.workflowTemplateRef}: the one place where a Workflow's template is read, before
 * either executor sees the Workflow, which then runs the template's spec as {@link TemplateOverlay}
 * lays the Workflow's own fields over it.
 *
 * <p>The template is read once, when the workflow starts, and its spec is pinned in the status
 * ({@code templateName, templateResourceVersion, templateSpec}) before anything runs: every later
 * pass, and the controller's takeover of a supervisor's status, use that copy, so an edit of the
 * template never changes a run under way (the API server can't return an older version of an object
 * by its resourceVersion, so the copy is the only way to keep it). It is kept as JSON text: a typed
 * copy would put the spec's schema into the CRD twice. The Workflow's own fields are laid over it
 * on every pass, so that what a user changes on the Workflow itself still counts.
 *
 * <p>A template that does not exist fails the workflow at once, with reason TemplateNotFound and a
 * Warning Event, as an invalid spec does: a Workflow created before its template does not wait for
 * it (create the template first, or a new Workflow after it).
 */
public final class TemplateResolution {
  static final String NOT_FOUND = "TemplateNotFound";

  private final Engine engine;
  private final EventRecorder events;

  TemplateResolution(Engine engine, EventRecorder events) {
    this.engine = engine;
    this.events = events;
  }

  /**
   * The Workflow the executors run: {@code workflow} itself when it names no template (or its
   * reference is invalid: then the executor's validation rejects it); else a copy with the resolved
   * spec, its template pinned in the status now if it was not yet. Empty when the template does not
   * exist, the workflow then failed here.
   */
  Optional<Workflow> resolve(Workflow workflow, Context<Workflow> context) {
    WorkflowSpec spec = workflow.getSpec();
    if (spec == null
        || spec.workflowTemplateRef == null
        || !SpecValidation.referenceProblems(spec).isEmpty()) {
      return Optional.of(workflow);
    }
    KubernetesClient client = context.getClient();
    KubernetesSerialization json = client.getKubernetesSerialization();
    WorkflowStatus status =
        workflow.getStatus() == null ? new WorkflowStatus() : json.clone(workflow.getStatus());
    if (status.templateSpec == null) {
      String name = spec.workflowTemplateRef.name;
      String namespace = workflow.getMetadata().getNamespace();
      WorkflowTemplate template =
          client.resources(WorkflowTemplate.class).inNamespace(namespace).withName(name).get();
      if (template == null) {
        notFound(workflow, context, status, name, namespace);
        return Optional.empty();
      }
      WorkflowSpec templateSpec =
          template.getSpec() == null ? new WorkflowSpec() : template.getSpec();
      status.templateName = name;
      status.templateResourceVersion = template.getMetadata().getResourceVersion();
      status.templateSpec = json.asJson(templateSpec);
      Map<String, Object> pin = new LinkedHashMap<>();
      pin.put("templateName", status.templateName);
      pin.put("templateResourceVersion", status.templateResourceVersion);
      pin.put("templateSpec", status.templateSpec);
      Workflow written = StatusWriter.patch(workflow, context, pin);
      // The executor's own status write follows from this version, so that the cache keeps it.
      workflow = json.clone(workflow);
      workflow.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    }
    Workflow resolved = json.clone(workflow);
    resolved.setSpec(spec(workflow.getSpec(), status, json));
    resolved.setStatus(status);
    return Optional.of(resolved);
  }

  /**
   * The spec {@code workflow} runs, from the template pinned in its status; its own spec when it
   * names no template or none is pinned yet.
   */
  public static WorkflowSpec pinned(Workflow workflow, KubernetesSerialization json) {
    WorkflowStatus status = workflow.getStatus();
    WorkflowSpec spec = workflow.getSpec();
    if (spec == null || spec.workflowTemplateRef == null || status == null) {
      return spec;
    }
    return status.templateSpec == null ? spec : spec(spec, status, json);
  }

  private static WorkflowSpec spec(
      WorkflowSpec own, WorkflowStatus status, KubernetesSerialization json) {
    WorkflowSpec template = json.unmarshal(status.templateSpec, WorkflowSpec.class);
    if (template.workflowTemplateRef != null) {
      // A template of templates: the resolved spec keeps the reference, for validation to name.
      WorkflowSpec invalid = TemplateOverlay.resolve(own, template);
      invalid.workflowTemplateRef = template.workflowTemplateRef;
      return invalid;
    }
    return TemplateOverlay.resolve(own, template);
  }

  private void notFound(
      Workflow workflow,
      Context<Workflow> context,
      WorkflowStatus status,
      String name,
      String namespace) {
    String message =
        "WorkflowTemplate \"" + name + "\" was not found in namespace " + namespace + ".";
    engine.reject(
        status,
        List.of(new Problem("spec.workflowTemplateRef.name", null, message)),
        workflow.generationOrZero());
    status.message = message;
    for (Condition c : status.conditions) {
      c.setReason(NOT_FOUND);
      c.setMessage(message);
    }
    events.record(workflow, EventReason.TemplateNotFound, message);
    StatusWriter.replace(workflow, context, status);
  }
}
