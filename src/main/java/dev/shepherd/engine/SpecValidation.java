package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks that make a spec runnable, whatever the executor. The CRD schema catches most of them
 * at {@code kubectl apply} time, but a Workflow file run locally has no API server in front of it,
 * and a cycle can't be expressed in a schema at all. Each problem is a sentence naming the step.
 */
public final class SpecValidation {
  /** Longest timeout or deadline: a year. Beyond it, time arithmetic could overflow. */
  public static final long MAX_SECONDS = 31_536_000L;

  private SpecValidation() {}

  /** All problems of the spec, in a stable order; empty when it can run. */
  public static List<String> problems(WorkflowSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null || spec.steps == null || spec.steps.isEmpty()) {
      problems.add("spec.steps is empty: a workflow needs at least one step.");
      return problems;
    }
    Map<String, Step> byName = new LinkedHashMap<>();
    for (int i = 0; i < spec.steps.size(); i++) {
      Step step = spec.steps.get(i);
      if (step == null || step.name == null || step.name.isEmpty()) {
        problems.add("spec.steps[" + i + "] has no name.");
        continue;
      }
      if (step.name.length() > 63 || !isDnsLabel(step.name)) {
        problems.add("Step name \"" + step.name + "\" is not a DNS-1123 label (lowercase letters, digits and"
            + " '-', starting and ending with a letter or digit, at most 63 characters).");
      }
      if (byName.putIfAbsent(step.name, step) != null) {
        problems.add("Step name \"" + step.name + "\" is used more than once.");
      }
      if (step.retry != null) {
        if (step.retry.limit != null && step.retry.limit < 0) {
          problems.add("Step \"" + step.name + "\" has a negative retry.limit.");
        }
        if (step.retry.backoffSeconds != null && step.retry.backoffSeconds < 0) {
          problems.add("Step \"" + step.name + "\" has a negative retry.backoffSeconds.");
        }
        if (step.retry.maxBackoffSeconds != null && step.retry.maxBackoffSeconds < 0) {
          problems.add("Step \"" + step.name + "\" has a negative retry.maxBackoffSeconds.");
        }
      }
      if (step.timeoutSeconds != null && (step.timeoutSeconds < 1 || step.timeoutSeconds > MAX_SECONDS)) {
        problems.add("Step \"" + step.name + "\" has timeoutSeconds " + step.timeoutSeconds
            + "; it must be from 1 to " + MAX_SECONDS + ".");
      }
      if (step.depends != null && step.depends.stream().anyMatch(d -> d == null || d.isEmpty())) {
        problems.add("Step \"" + step.name + "\" has an empty entry in depends.");
      }
    }
    for (Step step : byName.values()) {
      for (String dep : step.dependsOrEmpty()) {
        if (dep == null || dep.isEmpty()) {
          continue;
        }
        if (dep.equals(step.name)) {
          problems.add("Step \"" + step.name + "\" depends on itself.");
        } else if (!byName.containsKey(dep)) {
          problems.add("Step \"" + step.name + "\" depends on \"" + dep + "\", which is not a step of this workflow.");
        }
      }
    }
    List<String> cycle = findCycle(byName);
    if (!cycle.isEmpty()) {
      StringBuilder sentence = new StringBuilder("Steps form a cycle: \"" + cycle.getFirst() + "\"");
      for (String name : cycle.subList(1, cycle.size())) {
        sentence.append(" depends on \"").append(name).append('"');
      }
      problems.add(sentence.append('.').toString());
    }
    if (spec.parallelism != null && spec.parallelism < 1) {
      problems.add("spec.parallelism is " + spec.parallelism + "; it must be at least 1.");
    }
    if (spec.activeDeadlineSeconds != null
        && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_SECONDS)) {
      problems.add("spec.activeDeadlineSeconds is " + spec.activeDeadlineSeconds + "; it must be from 1 to "
          + MAX_SECONDS + ".");
    }
    if (spec.params != null) {
      Set<String> seen = new HashSet<>();
      for (Param p : spec.params) {
        if (p == null || p.name == null || !isEnvName(p.name)) {
          problems.add("Param name \"" + (p == null ? null : p.name)
              + "\" is not a valid environment variable name.");
        } else if (!seen.add(p.name)) {
          problems.add("Param \"" + p.name + "\" is given more than once.");
        }
      }
    }
    return problems;
  }

  /**
   * A cycle among the steps, as the names along it (each depends on the next) with the first
   * repeated at the end, or an empty list. Self-dependencies and unknown names are reported elsewhere, so they are ignored.
   */
  static List<String> findCycle(Map<String, Step> byName) {
    Map<String, Integer> state = new HashMap<>(); // absent: unseen, 1: on the path, 2: done
    for (String start : byName.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
      // Iterative depth-first search: a long chain of steps must not overflow the stack.
      Deque<String> path = new ArrayDeque<>();
      Deque<Integer> nextDep = new ArrayDeque<>();
      path.push(start);
      nextDep.push(0);
      state.put(start, 1);
      while (!path.isEmpty()) {
        String node = path.peek();
        int i = nextDep.pop();
        List<String> deps = byName.get(node).dependsOrEmpty();
        if (i < deps.size()) {
          nextDep.push(i + 1);
          String dep = deps.get(i);
          if (dep == null || dep.equals(node) || !byName.containsKey(dep)) {
            continue;
          }
          Integer s = state.get(dep);
          if (s == null) {
            state.put(dep, 1);
            path.push(dep);
            nextDep.push(0);
          } else if (s == 1) {
            return cycleThrough(path, dep);
          }
        } else {
          state.put(node, 2);
          path.pop();
        }
      }
    }
    return List.of();
  }

  /**
   * From the bottom of the stack up, each name on the path depends on the one above it, and the
   * top one depends on {@code repeated}, which is further down the path.
   */
  private static List<String> cycleThrough(Deque<String> path, String repeated) {
    List<String> topDown = new ArrayList<>();
    for (String name : path) {
      topDown.add(name);
      if (name.equals(repeated)) {
        break;
      }
    }
    List<String> cycle = new ArrayList<>(topDown.reversed());
    cycle.add(repeated);
    return cycle;
  }

  /**
   * Whether {@code s} matches {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} (a DNS-1123 label, but for its
   * length). By hand, not with java.util.regex: every supervisor validates its spec, and the
   * regex engine is ~25 classes more in the memory of each (SpecValidationTest checks it against
   * the regex).
   */
  static boolean isDnsLabel(String s) {
    if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') return false;
    }
    return true;
  }

  /** Whether {@code s} matches {@code [A-Za-z_][A-Za-z0-9_]*}: a name a shell takes for a variable. */
  static boolean isEnvName(String s) {
    if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_') return false;
    }
    return true;
  }
}
