package dev.shepherd.api;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec a Workflow with {@code spec.workflowTemplateRef} runs: its template's, with every field
 * the Workflow sets in place of the template's (as in Argo), params merged by name, and the
 * executor always the Workflow's (the API server defaults it on every Workflow, and the controller
 * picks the executor before it reads any template).
 *
 * <p>Field by field through reflection, so that a field added to {@link WorkflowSpec} later (a
 * control field such as a cancel flag, say) is the Workflow's as soon as the Workflow sets it.
 */
public final class TemplateOverlay {
  private TemplateOverlay() {}

  /** The spec that runs; neither argument is changed, and the result has no template ref. */
  public static WorkflowSpec resolve(WorkflowSpec workflow, WorkflowSpec template) {
    WorkflowSpec spec = new WorkflowSpec();
    try {
      for (Field f : WorkflowSpec.class.getFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        Object own = f.get(workflow);
        f.set(spec, isSet(own) ? own : f.get(template));
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    spec.params = params(template.params, workflow.params);
    spec.executor = workflow.executor;
    spec.workflowTemplateRef = null;
    if (spec.steps == null) {
      spec.steps = new ArrayList<>();
    }
    return spec;
  }

  private static boolean isSet(Object value) {
    return value != null && !(value instanceof Collection<?> c && c.isEmpty());
  }

  /**
   * The template's params in their order, each replaced by the Workflow's of its name; then the new
   * ones.
   */
  private static List<Param> params(List<Param> template, List<Param> own) {
    if (!isSet(own)) {
      return template;
    }
    if (!isSet(template)) {
      return own;
    }
    Map<String, Param> byName = new LinkedHashMap<>();
    for (Param p : template) {
      byName.put(p.name, p);
    }
    for (Param p : own) {
      byName.put(p.name, p);
    }
    return new ArrayList<>(byName.values());
  }
}
