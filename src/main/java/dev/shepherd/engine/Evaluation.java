package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.engine.expr.Expression;
import dev.shepherd.engine.expr.ExpressionException;
import dev.shepherd.engine.expr.Templates;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's use of expressions: a step's {@code when}, its loop's items, and the {@code ${{ }}}
 * in what it runs, evaluated against the workflow's state when the step is due. Only this class
 * reaches the expression language, and only for a step that has an expression (or a loop item), so
 * a workflow without one never loads it.
 */
final class Evaluation {
  static final String ITEM_VARIABLE = "SHEPHERD_ITEM";
  static final String ITEM_INDEX_VARIABLE = "SHEPHERD_ITEM_INDEX";

  private Evaluation() {}

  /** Whether any of the steps has an expression; reads strings only. */
  static boolean usesExpressions(List<Step> steps) {
    for (Step step : steps) {
      if (step != null && (step.when != null || step.itemsFrom != null || hasTemplates(step))) {
        return true;
      }
    }
    return false;
  }

  /**
   * A {@code when} or {@code itemsFrom} as the expression it is: written bare, or, as GitHub
   * Actions allows for its {@code if}, as one {@code ${{ }}}.
   */
  static String bare(String source) {
    String s = source.strip();
    if (s.startsWith("${{") && s.endsWith("}}") && s.indexOf("${{", 3) < 0) {
      return s.substring(3, s.length() - 2).strip();
    }
    return source;
  }

  /** Whether anything the step runs has a {@code ${{ }}}; reads strings only. */
  static boolean hasTemplates(Step step) {
    if (Templates.has(step.image) || Templates.has(step.workingDir)) {
      return true;
    }
    for (List<String> list : List.of(orEmpty(step.command), orEmpty(step.args))) {
      for (String s : list) {
        if (Templates.has(s)) {
          return true;
        }
      }
    }
    if (step.env != null) {
      for (EnvVar v : step.env) {
        if (Templates.has(v.getValue())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The value of the step's {@code when}. */
  static boolean when(Step step, Engine.Starts scope) throws ExpressionException {
    return Expression.compile(bare(step.when)).evaluateBool(variables(step, scope, -1, null));
  }

  /** The items of a loop step: its literal list, or the value of its {@code itemsFrom}. */
  static List<Object> items(Step step, Engine.Starts scope) throws ExpressionException {
    List<Object> items = scope.items.get(step.name);
    if (items == null) {
      items =
          step.items != null
              ? step.items
              : Expression.compile(bare(step.itemsFrom))
                  .evaluateList(variables(step, scope, -1, null));
      scope.items.put(step.name, items);
    }
    return items;
  }

  /**
   * The step as its attempt runs it: its {@code ${{ }}} replaced by their values, and for the
   * instance of item {@code item} (-1 for none), the item in its environment first.
   *
   * @param templates {@link #hasTemplates} of the step, which the caller has asked already
   */
  static Step resolve(Step step, int item, boolean templates, Engine.Starts scope)
      throws ExpressionException {
    Object value = item < 0 ? null : items(step, scope).get(item);
    Map<String, Object> vars = null;
    if (templates) {
      vars = variables(step, scope, item, value);
    }
    Step run = step.copy();
    run.image = render(step.image, vars);
    run.command = render(step.command, vars);
    run.args = render(step.args, vars);
    run.workingDir = render(step.workingDir, vars);
    List<EnvVar> env = new ArrayList<>();
    if (item >= 0) {
      env.add(new EnvVar(ITEM_VARIABLE, Templates.text(value), null));
      env.add(new EnvVar(ITEM_INDEX_VARIABLE, Integer.toString(item), null));
    }
    if (step.env != null) {
      for (EnvVar v : step.env) {
        env.add(new EnvVar(v.getName(), render(v.getValue(), vars), v.getValueFrom()));
      }
    }
    run.env = env.isEmpty() ? null : env;
    return run;
  }

  private static String render(String s, Map<String, Object> vars) throws ExpressionException {
    return vars == null || !Templates.has(s) ? s : Templates.render(s, vars);
  }

  private static List<String> render(List<String> list, Map<String, Object> vars)
      throws ExpressionException {
    if (list == null || vars == null) {
      return list;
    }
    List<String> out = new ArrayList<>(list.size());
    for (String s : list) {
      out.add(render(s, vars));
    }
    return out;
  }

  /** The variables an expression of {@code step} sees. */
  private static Map<String, Object> variables(
      Step step, Engine.Starts scope, int item, Object value) {
    Map<String, Object> params = new LinkedHashMap<>();
    if (scope.spec.params != null) {
      for (Param p : scope.spec.params) {
        params.put(p.name, p.value == null ? "" : p.value);
      }
    }
    Map<String, Object> steps = new LinkedHashMap<>();
    for (StepStatus st : scope.status.steps) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("phase", st.phase == null ? StepPhase.Pending.name() : st.phase.name());
      s.put("outputs", st.outputs == null ? Map.of() : st.outputs);
      if (st.exitCode != null) {
        s.put("exitCode", (long) st.exitCode);
      }
      steps.put(st.name, s);
    }
    WorkflowPhase phase =
        scope.isFinally(step) ? Engine.mainPhase(scope.index, scope.status) : WorkflowPhase.Running;
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("params", params);
    vars.put("steps", steps);
    vars.put(
        "workflow",
        Map.of(
            "name", scope.ref.name(), "namespace", scope.ref.namespace(), "phase", phase.name()));
    if (item >= 0) {
      vars.put("item", value);
      vars.put("itemIndex", (long) item);
    }
    return vars;
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }
}
