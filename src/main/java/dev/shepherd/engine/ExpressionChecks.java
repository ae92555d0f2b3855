package dev.shepherd.engine;

import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.expr.Expression;
import dev.shepherd.engine.expr.ExpressionException;
import dev.shepherd.engine.expr.Templates;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of a spec's expressions, before anything runs: each compiles, reads only steps that
 * have ended by the time it is evaluated (those its step depends on, directly or not; for a finally
 * step, any main step too), and {@code item} only in a loop step. A separate class so that a spec
 * without an expression never loads the expression language.
 */
final class ExpressionChecks {
  private ExpressionChecks() {}

  /** One expression of a step: where it is, and its source. */
  private record Site(String path, String source, boolean template) {}

  static void problems(
      WorkflowSpec spec, List<Step> all, Map<String, Integer> byName, List<Problem> problems) {
    int mainCount = spec.steps.size();
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step == null || step.name == null) {
        continue;
      }
      Set<String> readable = ancestors(all, byName, i);
      if (i >= mainCount) {
        for (int m = 0; m < mainCount; m++) {
          readable.add(all.get(m).name);
        }
      }
      for (Site site : sites(SpecValidation.stepPath(spec, i), step)) {
        check(step, site, readable, problems);
      }
    }
  }

  private static void check(Step step, Site site, Set<String> readable, List<Problem> problems) {
    List<Expression> expressions;
    try {
      expressions =
          site.template()
              ? Templates.expressions(site.source())
              : List.of(Expression.compile(Evaluation.bare(site.source())));
    } catch (ExpressionException e) {
      problems.add(problem(site, step, ": " + e.getMessage()));
      return;
    }
    boolean when = site.path().endsWith(".when");
    boolean itemsFrom = site.path().endsWith(".itemsFrom");
    for (Expression e : expressions) {
      if ((when && !e.canBeBool()) || (itemsFrom && !e.canBeList())) {
        problems.add(
            problem(
                site,
                step,
                ": "
                    + site.path()
                    + " must give a "
                    + (when ? "bool" : "list")
                    + ", but \""
                    + e.source()
                    + "\" gives "
                    + e.resultType()
                    + "."));
      }
      for (String ref : e.stepReferences()) {
        if (!readable.contains(ref)) {
          problems.add(
              problem(
                  site,
                  step,
                  " reads steps."
                      + ref
                      + " in "
                      + site.path()
                      + ", but "
                      + (ref.equals(step.name)
                          ? "a step can't read its own state."
                          : "does not depend on \""
                              + ref
                              + "\" (directly or through its dependencies), so it may not have"
                              + " run yet.")));
        }
      }
      boolean readsItem = e.variables().contains("item") || e.variables().contains("itemIndex");
      if (readsItem && (!step.isLoop() || itemsFrom)) {
        problems.add(
            problem(
                site,
                step,
                " reads item in "
                    + site.path()
                    + ", which only the instances of a loop step (items, itemsFrom) have."));
      }
    }
  }

  /** A problem at {@code site}: "Step "name"" and then {@code rest}. */
  private static Problem problem(Site site, Step step, String rest) {
    return new Problem(site.path(), step.name, "Step \"" + step.name + "\"" + rest);
  }

  /** Where a step has expressions: its when, its itemsFrom, and the templates in what it runs. */
  private static List<Site> sites(String path, Step step) {
    List<Site> sites = new ArrayList<>();
    if (step.when != null) {
      sites.add(new Site(path + ".when", step.when, false));
    }
    if (step.itemsFrom != null) {
      sites.add(new Site(path + ".itemsFrom", step.itemsFrom, false));
    }
    template(sites, path + ".image", step.image);
    template(sites, path + ".workingDir", step.workingDir);
    if (step.command != null) {
      for (int j = 0; j < step.command.size(); j++) {
        template(sites, path + ".command[" + j + "]", step.command.get(j));
      }
    }
    if (step.args != null) {
      for (int j = 0; j < step.args.size(); j++) {
        template(sites, path + ".args[" + j + "]", step.args.get(j));
      }
    }
    if (step.env != null) {
      for (int j = 0; j < step.env.size(); j++) {
        EnvVar v = step.env.get(j);
        template(sites, path + ".env[" + j + "].value", v == null ? null : v.getValue());
      }
    }
    return sites;
  }

  private static void template(List<Site> sites, String path, String value) {
    if (Templates.has(value)) {
      sites.add(new Site(path, value, true));
    }
  }

  /** The names of the steps that step {@code i} depends on, directly or not. */
  private static Set<String> ancestors(List<Step> all, Map<String, Integer> byName, int i) {
    Set<String> seen = new HashSet<>();
    List<Integer> todo = new ArrayList<>(List.of(i));
    while (!todo.isEmpty()) {
      Step step = all.get(todo.removeLast());
      for (String dep : step.dependsOrEmpty()) {
        Integer at = dep == null ? null : byName.get(dep);
        if (at != null && seen.add(dep)) {
          todo.add(at);
        }
      }
    }
    return seen;
  }
}
