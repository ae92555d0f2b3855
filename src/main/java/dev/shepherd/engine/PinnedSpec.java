package dev.shepherd.engine;

import dev.shepherd.api.PinnedTemplate;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The spec a Workflow runs, from the templates its status pinned at the start ({@code templateSpec}
 * of its workflowTemplateRef, {@code stepTemplates} of its steps' calls): for the controller on
 * every pass and at a takeover, and for a supervisor that read its Workflow from the API server
 * instead of carrying the resolved spec.
 *
 * <p>The pinned specs are JSON text; {@code parse} reads one, with whatever JSON binding its caller
 * has loaded.
 */
public final class PinnedSpec {
  private PinnedSpec() {}

  /** The spec that runs; {@code own} when it names no template or none is pinned yet. */
  public static WorkflowSpec of(
      WorkflowSpec own, WorkflowStatus status, Function<String, WorkflowSpec> parse) {
    if (own == null || status == null) {
      return own;
    }
    WorkflowSpec spec =
        own.workflowTemplateRef != null && status.templateSpec != null
            ? overlaid(own, status, parse)
            : own;
    if (status.stepTemplates == null) {
      return spec;
    }
    TemplateCalls.Expansion expansion = TemplateCalls.expand(spec, called(status, parse));
    return expansion.problems().isEmpty() ? expansion.spec() : spec;
  }

  /** {@code own} laid over the pinned {@code status.templateSpec}. */
  public static WorkflowSpec overlaid(
      WorkflowSpec own, WorkflowStatus status, Function<String, WorkflowSpec> parse) {
    WorkflowSpec template = parse.apply(status.templateSpec);
    if (template.workflowTemplateRef != null) {
      // A template of templates: the resolved spec keeps the reference, for validation to name.
      WorkflowSpec invalid = TemplateOverlay.resolve(own, template);
      invalid.workflowTemplateRef = template.workflowTemplateRef;
      return invalid;
    }
    return TemplateOverlay.resolve(own, template);
  }

  /** The spec of each template pinned in {@code status.stepTemplates}, by name. */
  public static Map<String, WorkflowSpec> called(
      WorkflowStatus status, Function<String, WorkflowSpec> parse) {
    Map<String, WorkflowSpec> specs = new LinkedHashMap<>();
    if (status != null && status.stepTemplates != null) {
      for (PinnedTemplate pin : status.stepTemplates) {
        specs.put(pin.name, parse.apply(pin.spec));
      }
    }
    return specs;
  }
}
