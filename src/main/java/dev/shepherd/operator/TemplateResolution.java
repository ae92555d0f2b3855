package dev.shepherd.operator;

import dev.shepherd.api.PinnedTemplate;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.WorkflowTemplate;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.PinnedSpec;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.engine.TemplateCalls;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code spec.workflowTemplateRef} and {@code steps[].template}: the one place where a Workflow's
 * templates are read, before either executor sees the Workflow, which then runs the template's spec
 * as {@link TemplateOverlay} lays the Workflow's own fields over it.
 *
 * <p>The template is read once, when the workflow starts, and its spec is pinned in the status
 * ({@code templateName, templateResourceVersion, templateSpec}) before anything runs: every later
 * pass, and the controller's takeover of a supervisor's status, use that copy, so an edit of the
 * template never changes a run under way (the API server can't return an older version of an object
 * by its resourceVersion, so the copy is the only way to keep it). It is kept as JSON text: a typed
 * copy would put the spec's schema into the CRD twice. The Workflow's own fields are laid over it
 * on every pass, so that what a user changes on the Workflow itself still counts.
 *
 * <p>The templates that steps call ({@code steps[].template}, see {@link TemplateCalls}) are read
 * the same way: every one called, transitively, once, pinned in {@code status.stepTemplates} (name,
 * resourceVersion, spec as JSON) before anything runs, and the executors get the spec with the
 * calls expanded from those copies; a problem of the expansion (a cycle, a missing param) fails the
 * workflow as InvalidSpec here, since no executor sees the calls.
 *
 * <p>A template that does not exist fails the workflow at once, with reason TemplateNotFound and a
 * Warning Event, as an invalid spec does: a Workflow created before its template does not wait for
 * it (create the template first, or a new Workflow after it).
 */
final class TemplateResolution {
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
    boolean referring =
        spec != null
            && spec.workflowTemplateRef != null
            && SpecValidation.referenceProblems(spec).isEmpty();
    if (spec == null || (!referring && !TemplateCalls.calls(spec))) {
      return Optional.of(workflow);
    }
    KubernetesSerialization json = context.getClient().getKubernetesSerialization();
    WorkflowStatus status =
        workflow.getStatus() == null ? new WorkflowStatus() : json.clone(workflow.getStatus());
    if (referring && status.templateSpec == null) {
      String name = spec.workflowTemplateRef.name;
      WorkflowTemplate template =
          readOrFail(workflow, context, status, "spec.workflowTemplateRef.name", name, "");
      if (template == null) {
        return Optional.empty();
      }
      WorkflowSpec templateSpec = specOf(template);
      status.templateName = name;
      status.templateResourceVersion = template.getMetadata().getResourceVersion();
      status.templateSpec = json.asJson(templateSpec);
      Map<String, Object> pin = new LinkedHashMap<>();
      pin.put("templateName", status.templateName);
      pin.put("templateResourceVersion", status.templateResourceVersion);
      pin.put("templateSpec", status.templateSpec);
      workflow = pin(workflow, context, pin);
    }
    WorkflowSpec runs = referring ? spec(workflow.getSpec(), status, json) : spec;
    if (TemplateCalls.calls(runs)) {
      Optional<Workflow> pinned = pinCalled(workflow, context, status, runs);
      if (pinned.isEmpty()) {
        return pinned;
      }
      workflow = pinned.get();
      TemplateCalls.Expansion expansion = TemplateCalls.expand(runs, called(status, json));
      if (!expansion.problems().isEmpty()) {
        engine.reject(status, expansion.problems(), workflow.generationOrZero());
        events.record(workflow, EventReason.InvalidSpec, status.message);
        StatusWriter.replace(workflow, context, status);
        return Optional.empty();
      }
      runs = expansion.spec();
    }
    Workflow resolved = json.clone(workflow);
    resolved.setSpec(runs);
    resolved.setStatus(status);
    return Optional.of(resolved);
  }

  /**
   * Reads every template that {@code spec}'s steps call, transitively, that {@code status} has not
   * pinned yet, and pins them; empty when one does not exist, the workflow then failed here.
   */
  private Optional<Workflow> pinCalled(
      Workflow workflow, Context<Workflow> context, WorkflowStatus status, WorkflowSpec spec) {
    KubernetesSerialization json = context.getClient().getKubernetesSerialization();
    Map<String, WorkflowSpec> known = called(status, json);
    List<PinnedTemplate> pins =
        status.stepTemplates == null ? new ArrayList<>() : new ArrayList<>(status.stepTemplates);
    Deque<WorkflowSpec> toRead = new ArrayDeque<>(List.of(spec));
    toRead.addAll(known.values());
    boolean added = false;
    while (!toRead.isEmpty()) {
      for (String name : TemplateCalls.called(toRead.pop())) {
        if (known.containsKey(name)) {
          continue;
        }
        WorkflowTemplate template =
            readOrFail(workflow, context, status, "spec.steps", name, ", which a step calls,");
        if (template == null) {
          return Optional.empty();
        }
        WorkflowSpec templateSpec = specOf(template);
        known.put(name, templateSpec);
        pins.add(
            new PinnedTemplate(
                name, template.getMetadata().getResourceVersion(), json.asJson(templateSpec)));
        toRead.add(templateSpec);
        added = true;
      }
    }
    if (!added) {
      return Optional.of(workflow);
    }
    status.stepTemplates = pins;
    Map<String, Object> pin = new LinkedHashMap<>();
    pin.put("stepTemplates", pins);
    return Optional.of(pin(workflow, context, pin));
  }

  private static Map<String, WorkflowSpec> called(
      WorkflowStatus status, KubernetesSerialization json) {
    return PinnedSpec.called(status, parser(json));
  }

  /**
   * The template {@code name} of the workflow's namespace; null when there is none, the workflow
   * then failed as TemplateNotFound.
   *
   * @param who what calls it, in the message after the template's name (may be empty)
   */
  private WorkflowTemplate readOrFail(
      Workflow workflow,
      Context<Workflow> context,
      WorkflowStatus status,
      String field,
      String name,
      String who) {
    String namespace = workflow.getMetadata().getNamespace();
    WorkflowTemplate template =
        context
            .getClient()
            .resources(WorkflowTemplate.class)
            .inNamespace(namespace)
            .withName(name)
            .get();
    if (template == null) {
      notFound(
          workflow,
          context,
          status,
          field,
          "WorkflowTemplate \""
              + name
              + "\""
              + who
              + " was not found in namespace "
              + namespace
              + ".");
    }
    return template;
  }

  private static WorkflowSpec specOf(WorkflowTemplate template) {
    return template.getSpec() == null ? new WorkflowSpec() : template.getSpec();
  }

  /** Writes {@code fields} into the status; the workflow at the version that write made. */
  private static Workflow pin(
      Workflow workflow, Context<Workflow> context, Map<String, Object> fields) {
    Workflow written = StatusWriter.patch(workflow, context, fields);
    // The executor's own status write follows from this version, so that the cache keeps it.
    Workflow copy = context.getClient().getKubernetesSerialization().clone(workflow);
    copy.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    return copy;
  }

  /**
   * The spec {@code workflow} runs, from the templates pinned in its status (its
   * workflowTemplateRef, the templates its steps call); its own spec when it names no template or
   * none is pinned yet.
   */
  static WorkflowSpec pinned(Workflow workflow, KubernetesSerialization json) {
    return PinnedSpec.of(workflow.getSpec(), workflow.getStatus(), parser(json));
  }

  private static WorkflowSpec spec(
      WorkflowSpec own, WorkflowStatus status, KubernetesSerialization json) {
    return PinnedSpec.overlaid(own, status, parser(json));
  }

  private static Function<String, WorkflowSpec> parser(KubernetesSerialization json) {
    return text -> json.unmarshal(text, WorkflowSpec.class);
  }

  private void notFound(
      Workflow workflow,
      Context<Workflow> context,
      WorkflowStatus status,
      String field,
      String message) {
    engine.reject(status, List.of(new Problem(field, null, message)), workflow.generationOrZero());
    status.message = message;
    for (Condition c : status.conditions) {
      c.setReason(NOT_FOUND);
      c.setMessage(message);
    }
    events.record(workflow, EventReason.TemplateNotFound, message);
    StatusWriter.replace(workflow, context, status);
  }
}
