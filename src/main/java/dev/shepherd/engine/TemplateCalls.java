package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepTemplateCall;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.expr.CelText;
import dev.shepherd.engine.expr.Templates;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Steps that call a WorkflowTemplate ({@code steps[].template}), replaced by the template's steps,
 * before any runner sees the spec: the engine and both executors only ever run plain steps.
 *
 * <p>A call's step {@code c} becomes the template's main steps, each named {@code c-<name>}. One
 * with no {@code depends} of its own waits for what {@code c} waited for; its own {@code depends}
 * name the renamed steps. A step that depended on {@code c} depends on the template's leaves (the
 * steps no other step of the template depends on). The template's expressions keep their meaning:
 * {@code steps.<name>} of a template's step names the renamed step, and {@code params.<name>} of a
 * template's param is replaced by its value (the call's, which may use the caller's expressions, or
 * the template's own), which each step also gets as an environment variable. Calls in a template
 * are expanded first, so that nesting composes; a cycle of calls is a problem, not a recursion.
 */
public final class TemplateCalls {
  /** Between a call's name and its template's step's name. */
  public static final String SEPARATOR = "-";

  /** The spec with its calls expanded, or the problems that keep it from being expanded. */
  public record Expansion(WorkflowSpec spec, List<Problem> problems) {}

  private TemplateCalls() {}

  /** Whether a step of {@code spec} (main or finally) calls a template. */
  public static boolean calls(WorkflowSpec spec) {
    return !called(spec).isEmpty();
  }

  /** The names of the templates that {@code spec}'s steps call, in order, each once. */
  public static Set<String> called(WorkflowSpec spec) {
    Set<String> names = new LinkedHashSet<>();
    if (spec != null && spec.steps != null) {
      for (Step step : spec.allSteps()) {
        if (step != null && step.template != null && step.template.name != null) {
          names.add(step.template.name);
        }
      }
    }
    return names;
  }

  /**
   * {@code spec} with every call expanded, through the templates the calls name (transitively);
   * {@code spec} itself when it calls none. Neither argument is changed.
   *
   * @param templates the spec of each template by name; a name missing from it is a problem
   */
  public static Expansion expand(WorkflowSpec spec, Map<String, WorkflowSpec> templates) {
    if (!calls(spec)) {
      return new Expansion(spec, List.of());
    }
    Scope scope = new Scope(templates, new ArrayList<>());
    WorkflowSpec out = TemplateOverlay.resolve(spec, new WorkflowSpec()); // a shallow copy
    out.workflowTemplateRef = spec.workflowTemplateRef;
    out.steps = scope.expand(spec.steps, "spec.steps", null, new ArrayDeque<>());
    if (spec.finallySteps != null) {
      out.finallySteps = scope.expand(spec.finallySteps, "spec.finally", null, new ArrayDeque<>());
    }
    return new Expansion(out, List.copyOf(scope.problems));
  }

  /** Fields a step that calls a template must leave unset, with their values. */
  private static Map<String, Object> ownFields(Step step) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("image", step.image);
    fields.put("command", step.command);
    fields.put("args", step.args);
    fields.put("env", step.env);
    fields.put("workingDir", step.workingDir);
    fields.put("resources", step.resources);
    fields.put("retry", step.retry);
    fields.put("timeoutSeconds", step.timeoutSeconds);
    fields.put("allowFailure", step.allowFailure);
    fields.put("when", step.when);
    fields.put("items", step.items);
    fields.put("itemsFrom", step.itemsFrom);
    fields.put("maxParallel", step.maxParallel);
    fields.put("volumeMounts", step.volumeMounts);
    return fields;
  }

  private record Scope(Map<String, WorkflowSpec> templates, List<Problem> problems) {
    /**
     * One list of steps with its calls expanded.
     *
     * @param path the list's path, for problems about its own steps
     * @param call the path of the outermost call, for problems inside a template (null at the top)
     * @param chain the templates being expanded, outermost first
     */
    List<Step> expand(List<Step> steps, String path, String call, Deque<String> chain) {
      List<Step> out = new ArrayList<>();
      Map<String, List<String>> leaves = new LinkedHashMap<>();
      Map<String, String> origins = new LinkedHashMap<>();
      for (int i = 0; i < steps.size(); i++) {
        Step step = steps.get(i);
        String where = call != null ? call : path + "[" + i + "]";
        if (step == null || step.template == null) {
          if (step != null && step.name != null) {
            claim(origins, step.name, "step \"" + step.name + "\"", where);
          }
          out.add(step);
          continue;
        }
        List<Step> inlined = inline(step, where, chain);
        List<String> names = new ArrayList<>();
        for (Step s : inlined) {
          names.add(s.name);
          claim(
              origins,
              s.name,
              "step \"" + s.name + "\" of the call \"" + step.name + "\"",
              where + ".template");
        }
        leaves.put(step.name, leaves(inlined, names));
        out.addAll(inlined);
      }
      if (leaves.isEmpty()) {
        return out;
      }
      List<Step> rewired = new ArrayList<>(out.size());
      for (Step step : out) {
        rewired.add(rewire(step, leaves));
      }
      return rewired;
    }

    /** Records where a name comes from; a second one is a problem naming both. */
    private void claim(Map<String, String> origins, String name, String origin, String where) {
      String first = origins.putIfAbsent(name, origin);
      if (first != null) {
        problems.add(
            new Problem(
                where + ".name",
                name,
                "Step name \""
                    + name
                    + "\" is used twice once templates are expanded: by "
                    + first
                    + " and by "
                    + origin
                    + "."));
      }
    }

    /** The template's steps in place of {@code step}; none when it can't be expanded. */
    private List<Step> inline(Step step, String where, Deque<String> chain) {
      StepTemplateCall call = step.template;
      String name = call.name;
      List<Problem> found = new ArrayList<>();
      ownFields(step)
          .forEach(
              (field, value) -> {
                if (value != null) {
                  found.add(
                      new Problem(
                          where + "." + field,
                          step.name,
                          "Step \""
                              + step.name
                              + "\" calls a template, so it can't set "
                              + field
                              + ": the template's steps set their own."));
                }
              });
      if (name == null || name.isBlank()) {
        found.add(
            new Problem(
                where + ".template.name",
                step.name,
                "Step \"" + step.name + "\" calls a template without a name."));
        problems.addAll(found);
        return List.of();
      }
      String calls = "Step \"" + step.name + "\" calls WorkflowTemplate \"" + name + "\", which ";
      String why = null;
      WorkflowSpec template = templates.get(name);
      if (chain.contains(name)) {
        List<String> cycle = new ArrayList<>(chain);
        cycle.add(name);
        why =
            "Step \""
                + step.name
                + "\" closes a cycle of template calls: "
                + String.join(" -> ", cycle)
                + ".";
      } else if (template == null) {
        why = calls + "was not found.";
      } else if (template.workflowTemplateRef != null
          || template.steps == null
          || template.steps.isEmpty()) {
        why = calls + "has no steps of its own.";
      } else if (template.finallySteps != null && !template.finallySteps.isEmpty()) {
        why = calls + "has finally steps: a step can call only a template without them.";
      }
      if (why != null) {
        found.add(new Problem(where + ".template.name", step.name, why));
      }
      Map<String, String> values = template == null ? Map.of() : bind(step, template, where, found);
      if (!found.isEmpty()) {
        problems.addAll(found);
        return List.of();
      }
      chain.addLast(name);
      int before = problems.size();
      List<Step> inner = expand(template.steps, "spec.steps", where, chain);
      chain.removeLast();
      if (problems.size() > before) {
        return List.of();
      }
      Map<String, String> renamed = new LinkedHashMap<>();
      for (Step s : inner) {
        if (s != null && s.name != null) {
          renamed.put(s.name, step.name + SEPARATOR + s.name);
        }
      }
      Map<String, String> cel = new LinkedHashMap<>();
      values.forEach((param, value) -> cel.put(param, Templates.asCel(value)));
      UnaryOperator<String> expression =
          source -> CelText.renameReferences(source, renamed::get, cel::get);
      List<Step> out = new ArrayList<>(inner.size());
      for (Step s : inner) {
        if (s == null) {
          continue;
        }
        Step c = rewritten(s, expression);
        c.name = renamed.get(s.name);
        c.depends =
            s.dependsOrEmpty().isEmpty()
                ? step.depends
                : s.dependsOrEmpty().stream().map(d -> renamed.getOrDefault(d, d)).toList();
        List<EnvVar> env = new ArrayList<>();
        values.forEach((param, value) -> env.add(new EnvVar(param, value, null)));
        if (c.env != null) {
          env.addAll(c.env);
        }
        c.env = env.isEmpty() ? null : env;
        out.add(c);
      }
      return out;
    }

    /**
     * The value of each of the template's params for this call: the call's, else the template's; a
     * param with neither, or a call's param the template does not have, is a problem.
     */
    private static Map<String, String> bind(
        Step step, WorkflowSpec template, String where, List<Problem> found) {
      Map<String, String> values = new LinkedHashMap<>();
      Set<String> declared = new HashSet<>();
      if (template.params != null) {
        for (Param p : template.params) {
          declared.add(p.name);
          values.put(p.name, p.value);
        }
      }
      List<Param> given = step.template.params == null ? List.of() : step.template.params;
      for (int i = 0; i < given.size(); i++) {
        Param p = given.get(i);
        if (!declared.contains(p.name)) {
          found.add(
              new Problem(
                  where + ".template.params[" + i + "].name",
                  step.name,
                  "Step \""
                      + step.name
                      + "\" gives param "
                      + p.name
                      + ", which WorkflowTemplate \""
                      + step.template.name
                      + "\" does not have."));
        } else if (p.value != null) {
          values.put(p.name, p.value);
        }
      }
      values.forEach(
          (param, value) -> {
            if (value == null) {
              found.add(
                  new Problem(
                      where + ".template.params",
                      step.name,
                      "Step \""
                          + step.name
                          + "\" calls WorkflowTemplate \""
                          + step.template.name
                          + "\" without its param "
                          + param
                          + ", which has no value there."));
            }
          });
      return values;
    }

    /** The names among {@code names} that no step of {@code inlined} depends on. */
    private static List<String> leaves(List<Step> inlined, List<String> names) {
      Set<String> depended = new HashSet<>();
      for (Step s : inlined) {
        depended.addAll(s.dependsOrEmpty());
      }
      return names.stream().filter(n -> !depended.contains(n)).toList();
    }

    /** {@code step} depending on the leaves of each call it depended on. */
    private static Step rewire(Step step, Map<String, List<String>> leaves) {
      if (step == null || step.dependsOrEmpty().stream().noneMatch(leaves::containsKey)) {
        return step;
      }
      Set<String> depends = new LinkedHashSet<>();
      for (String d : step.depends) {
        depends.addAll(leaves.getOrDefault(d, List.of(d)));
      }
      Step c = step.copy();
      c.depends = List.copyOf(depends);
      return c;
    }
  }

  /** A copy of {@code step} with {@code f} applied to the source of each of its expressions. */
  private static Step rewritten(Step step, UnaryOperator<String> f) {
    Function<String, String> template = s -> s == null ? null : Templates.mapExpressions(s, f);
    Function<String, String> bare =
        s -> s == null ? null : Templates.has(s) ? Templates.mapExpressions(s, f) : f.apply(s);
    Step c = step.copy();
    c.image = template.apply(step.image);
    c.command = step.command == null ? null : step.command.stream().map(template).toList();
    c.args = step.args == null ? null : step.args.stream().map(template).toList();
    c.workingDir = template.apply(step.workingDir);
    c.when = bare.apply(step.when);
    c.itemsFrom = bare.apply(step.itemsFrom);
    if (step.env != null) {
      List<EnvVar> env = new ArrayList<>(step.env.size());
      for (EnvVar e : step.env) {
        env.add(
            e == null || e.getValue() == null
                ? e
                : new EnvVar(e.getName(), template.apply(e.getValue()), e.getValueFrom()));
      }
      c.env = env;
    }
    return c;
  }
}
