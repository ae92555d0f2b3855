package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checks that make a spec runnable where it will run: the one validation of the operator (both
 * executors), the supervisor and {@code shepherd run}. The CRD schema catches most of them at
 * {@code kubectl apply} time, but a Workflow file run locally has no API server in front of it, and
 * a cycle can't be expressed in a schema at all. Each problem names its field and its step.
 */
public final class SpecValidation {
  /** Longest timeout or deadline: a year. Beyond it, time arithmetic could overflow. */
  public static final long MAX_SECONDS = 31_536_000L;

  /** What runs the spec; each adds its own needs to the checks every spec passes. */
  public enum Target {
    /** {@code executor: pod}: each step a Pod of its image (or spec.image). */
    POD,
    /**
     * {@code executor: supervisor}: every step a process in one container of spec.image, which the
     * supervisor replaces the entrypoint of.
     */
    SUPERVISOR,
    /**
     * Every step a process of the machine this runs on, images ignored: {@code shepherd run}, and
     * {@code shepherd supervise} in the Pod whose image the operator checked as {@link
     * #SUPERVISOR}.
     */
    LOCAL
  }

  private SpecValidation() {}

  /**
   * The problems of {@code spec.workflowTemplateRef} itself, before the template is read: a name,
   * and no steps beside it (the CRD's rule says the same, for the API server).
   */
  public static List<Problem> referenceProblems(WorkflowSpec spec) {
    List<Problem> problems = new ArrayList<>();
    if (spec.workflowTemplateRef == null) {
      return problems;
    }
    String name = spec.workflowTemplateRef.name;
    if (name == null || name.isBlank()) {
      problems.add(
          new Problem(
              "spec.workflowTemplateRef.name", null, "spec.workflowTemplateRef has no name."));
    }
    if (spec.steps != null && !spec.steps.isEmpty()) {
      problems.add(
          new Problem(
              "spec.steps",
              null,
              "spec takes either steps or a workflowTemplateRef: the steps come from the"
                  + " template."));
    }
    return problems;
  }

  /**
   * All problems of the spec for {@code target}, in a stable order; empty when it can run there.
   */
  public static List<Problem> problems(WorkflowSpec spec, Target target) {
    List<Problem> problems = new ArrayList<>();
    if (spec != null && spec.workflowTemplateRef != null) {
      problems.addAll(referenceProblems(spec));
      if (problems.isEmpty()) {
        problems.add(
            new Problem(
                "spec.workflowTemplateRef",
                null,
                "spec.workflowTemplateRef names WorkflowTemplate \""
                    + spec.workflowTemplateRef.name
                    + "\", which nothing resolved here."));
      }
      return problems;
    }
    if (spec == null || spec.steps == null || spec.steps.isEmpty()) {
      problems.add(
          new Problem(
              "spec.steps", null, "spec.steps is empty: a workflow needs at least one step."));
      return problems;
    }
    List<Step> all = spec.allSteps();
    // The runners get the spec with its calls expanded (TemplateCalls): one that still has a call
    // reached a runner that can't read templates (a supervisor reading the Workflow itself).
    // Checked
    // here rather than through TemplateCalls, which a supervisor then never loads.
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step != null && step.template != null) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".template",
                step.name,
                "Step \""
                    + step.name
                    + "\" calls WorkflowTemplate \""
                    + step.template.name
                    + "\", which nothing expanded here."));
      }
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    int mainCount = spec.steps.size();
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step == null || step.name == null || step.name.isEmpty()) {
        problems.add(
            new Problem(stepPath(spec, i) + ".name", null, stepPath(spec, i) + " has no name."));
        continue;
      }
      String name = step.name;
      if (name.length() > 63 || !isDnsLabel(name)) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".name",
                name,
                "Step name \""
                    + name
                    + "\" is not a DNS-1123 label"
                    + " (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63"
                    + " characters)."));
      }
      if (byName.putIfAbsent(name, i) != null) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".name",
                name,
                "Step name \"" + name + "\" is used more than once."));
      }
      if (step.retry != null) {
        if (step.retry.limit != null && step.retry.limit < 0) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".retry.limit",
                  name,
                  "Step \"" + name + "\" has a negative retry.limit."));
        }
        if (step.retry.backoffSeconds != null && step.retry.backoffSeconds < 0) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".retry.backoffSeconds",
                  name,
                  "Step \"" + name + "\" has a negative retry.backoffSeconds."));
        }
        if (step.retry.maxBackoffSeconds != null && step.retry.maxBackoffSeconds < 0) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".retry.maxBackoffSeconds",
                  name,
                  "Step \"" + name + "\" has a negative retry.maxBackoffSeconds."));
        }
      }
      if (step.timeoutSeconds != null
          && (step.timeoutSeconds < 1 || step.timeoutSeconds > MAX_SECONDS)) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".timeoutSeconds",
                name,
                "Step \""
                    + name
                    + "\" has timeoutSeconds "
                    + step.timeoutSeconds
                    + "; it must be from 1 to "
                    + MAX_SECONDS
                    + "."));
      }
      int empty = indexOfEmpty(step.depends);
      if (empty >= 0) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".depends[" + empty + "]",
                name,
                "Step \"" + name + "\" has an empty entry in depends."));
      }
    }
    for (int i : byName.values()) {
      Step step = all.get(i);
      List<String> depends = step.dependsOrEmpty();
      for (int d = 0; d < depends.size(); d++) {
        String dep = depends.get(d);
        if (dep == null || dep.isEmpty()) {
          continue;
        }
        if (dep.equals(step.name)) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".depends[" + d + "]",
                  step.name,
                  "Step \"" + step.name + "\" depends on itself."));
        } else if (byName.containsKey(dep) && (i >= mainCount) != (byName.get(dep) >= mainCount)) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".depends[" + d + "]",
                  step.name,
                  i >= mainCount
                      ? "Finally step \""
                          + step.name
                          + "\" depends on main step \""
                          + dep
                          + "\"; finally steps run after every main step and may depend only on"
                          + " each other."
                      : "Step \""
                          + step.name
                          + "\" depends on finally step \""
                          + dep
                          + "\", which runs only after every main step."));
        } else if (!byName.containsKey(dep)) {
          problems.add(
              new Problem(
                  stepPath(spec, i) + ".depends[" + d + "]",
                  step.name,
                  "Step \""
                      + step.name
                      + "\" depends on \""
                      + dep
                      + "\", which is not a step of this workflow."));
        }
      }
    }
    List<String> cycle = findCycle(all, byName);
    if (!cycle.isEmpty()) {
      StringBuilder sentence =
          new StringBuilder("Steps form a cycle: \"" + cycle.getFirst() + "\"");
      for (String name : cycle.subList(1, cycle.size())) {
        sentence.append(" depends on \"").append(name).append('"');
      }
      problems.add(
          new Problem(
              stepPath(spec, byName.get(cycle.getFirst())),
              cycle.getFirst(),
              sentence.append('.').toString()));
    }
    if (spec.parallelism != null && spec.parallelism < 1) {
      problems.add(
          new Problem(
              "spec.parallelism",
              null,
              "spec.parallelism is " + spec.parallelism + "; it must be at least 1."));
    }
    if (spec.activeDeadlineSeconds != null
        && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_SECONDS)) {
      problems.add(
          new Problem(
              "spec.activeDeadlineSeconds",
              null,
              "spec.activeDeadlineSeconds is "
                  + spec.activeDeadlineSeconds
                  + "; it must be from 1 to "
                  + MAX_SECONDS
                  + "."));
    }
    if (spec.params != null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < spec.params.size(); i++) {
        Param p = spec.params.get(i);
        if (p == null || p.name == null || !isEnvName(p.name)) {
          problems.add(
              new Problem(
                  "spec.params[" + i + (p == null ? "]" : "].name"),
                  null,
                  "Param name \""
                      + (p == null ? null : p.name)
                      + "\" is not a valid environment variable name."));
        } else if (!seen.add(p.name)) {
          problems.add(
              new Problem(
                  "spec.params[" + i + "].name",
                  null,
                  "Param \"" + p.name + "\" is given more than once."));
        }
      }
    }
    loopProblems(spec, all, problems);
    if (spec.concurrency != null) {
      concurrencyProblems(spec, problems);
    }
    if (cycle.isEmpty() && Evaluation.usesExpressions(all)) {
      ExpressionChecks.problems(spec, all, byName, problems);
    }
    if (target == Target.POD) {
      podProblems(spec, all, problems);
    } else {
      if (target == Target.SUPERVISOR) {
        supervisorProblems(spec, problems);
      }
      processProblems(spec, all, target == Target.SUPERVISOR, problems);
    }
    volumeProblems(spec, target, problems);
    return problems;
  }

  /** A concurrency key that names a queue, and room for at least one Workflow in it. */
  private static void concurrencyProblems(WorkflowSpec spec, List<Problem> problems) {
    if (blank(spec.concurrency.key)) {
      problems.add(
          new Problem(
              "spec.concurrency.key",
              null,
              "spec.concurrency.key is empty: it names the queue the workflow waits in."));
    } else {
      try {
        ConcurrencyQueue.key(spec);
      } catch (dev.shepherd.engine.expr.ExpressionException e) {
        problems.add(
            new Problem("spec.concurrency.key", null, "spec.concurrency.key: " + e.getMessage()));
      }
    }
    if (spec.concurrency.max != null && spec.concurrency.max < 1) {
      problems.add(
          new Problem(
              "spec.concurrency.max",
              null,
              "spec.concurrency.max is " + spec.concurrency.max + "; it must be at least 1."));
    }
  }

  /** A loop step has its list or its expression, not both; maxParallel is for a loop step. */
  private static void loopProblems(WorkflowSpec spec, List<Step> all, List<Problem> problems) {
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step == null || step.name == null) {
        continue;
      }
      if (step.items != null && step.itemsFrom != null) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".itemsFrom",
                step.name,
                "Step \"" + step.name + "\" has both items and itemsFrom; give one of them."));
      }
      if (step.maxParallel != null && (step.maxParallel < 1 || !step.isLoop())) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".maxParallel",
                step.name,
                step.maxParallel < 1
                    ? "Step \""
                        + step.name
                        + "\" has maxParallel "
                        + step.maxParallel
                        + "; it must be at least 1."
                    : "Step \""
                        + step.name
                        + "\" has maxParallel but is not a loop: give items or itemsFrom."));
      }
    }
  }

  /** A Pod needs an image. */
  private static void podProblems(WorkflowSpec spec, List<Step> all, List<Problem> problems) {
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step != null && step.name != null && blank(step.image) && blank(spec.image)) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".image",
                step.name,
                "Step \"" + step.name + "\" has no image, and spec.image is not set."));
      }
    }
  }

  /**
   * The supervisor runs every step in one container, the image's entrypoint replaced by the
   * supervisor: so one image for all.
   */
  private static void supervisorProblems(WorkflowSpec spec, List<Problem> problems) {
    if (blank(spec.image)) {
      problems.add(
          new Problem(
              "spec.image",
              null,
              "spec.image is required with executor supervisor: all steps run in one container of that image."));
    }
    if (!blank(spec.serviceAccountName)) {
      problems.add(
          new Problem(
              "spec.serviceAccountName",
              null,
              "spec.serviceAccountName is not supported with"
                  + " executor supervisor: its Pod runs as a ServiceAccount of its own that may only write the workflow's"
                  + " status."));
    }
  }

  /**
   * A step run as a process (by the supervisor or {@code shepherd run}) says what to run, and its
   * environment is plain values: nothing runs the image's entrypoint or resolves a {@code
   * valueFrom}.
   */
  private static void processProblems(
      WorkflowSpec spec, List<Step> all, boolean oneImage, List<Problem> problems) {
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step == null || step.name == null) {
        continue; // named above
      }
      String name = step.name;
      if (oneImage
          && !blank(step.image)
          && !blank(spec.image)
          && !step.image.strip().equals(spec.image.strip())) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".image",
                name,
                "Step \""
                    + name
                    + "\" has image "
                    + step.image
                    + ", but with executor supervisor all steps run in one container of spec.image "
                    + spec.image
                    + "; remove the step's image or use executor pod."));
      }
      if (step.command == null || step.command.isEmpty()) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".command",
                name,
                "Step \""
                    + name
                    + "\" has no command; executor"
                    + " supervisor and `shepherd run` do not run the image's entrypoint, so every step needs one."));
      } else if (step.command.getFirst() == null || step.command.getFirst().isEmpty()) {
        problems.add(
            new Problem(
                stepPath(spec, i) + ".command[0]",
                name,
                "Step \"" + name + "\" has an empty command[0]."));
      }
      if (step.env != null) {
        for (int e = 0; e < step.env.size(); e++) {
          EnvVar v = step.env.get(e);
          if (v == null || v.getName() == null || v.getName().isEmpty()) {
            problems.add(
                new Problem(
                    stepPath(spec, i) + ".env[" + e + "]",
                    name,
                    "Step \"" + name + "\": env[" + e + "] has no name."));
          } else if (v.getValueFrom() != null) {
            problems.add(
                new Problem(
                    stepPath(spec, i) + ".env[" + e + "].valueFrom",
                    name,
                    "Step \""
                        + name
                        + "\": env \""
                        + v.getName()
                        + "\" uses valueFrom, which only executor pod can resolve; executor"
                        + " supervisor and `shepherd run` take a plain value."));
          }
        }
      }
    }
  }

  /**
   * The path of the step at index {@code i} of the main steps and then the finally steps; made only
   * for a problem, not for every step.
   */
  public static String stepPath(WorkflowSpec spec, int i) {
    int main = spec.steps.size();
    return i < main ? "spec.steps[" + i + "]" : "spec.finally[" + (i - main) + "]";
  }

  private static int indexOfEmpty(List<String> list) {
    if (list == null) {
      return -1;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null || list.get(i).isEmpty()) {
        return i;
      }
    }
    return -1;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * A cycle among the steps, as the names along it (each depends on the next) with the first
   * repeated at the end, or an empty list. Self-dependencies and unknown names are reported
   * elsewhere, so they are ignored.
   */
  static List<String> findCycle(List<Step> all, Map<String, Integer> byName) {
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
        List<String> deps = all.get(byName.get(node)).dependsOrEmpty();
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
   * From the bottom of the stack up, each name on the path depends on the one above it, and the top
   * one depends on {@code repeated}, which is further down the path.
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
   * length). By hand, not with java.util.regex: every supervisor validates its spec, and the regex
   * engine is ~25 classes more in the memory of each (SpecValidationTest checks it against the
   * regex).
   */
  static boolean isDnsLabel(String s) {
    if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} matches {@code [A-Za-z_][A-Za-z0-9_]*}: a name a shell takes for a variable.
   */
  static boolean isEnvName(String s) {
    if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z')
          && !(c >= 'A' && c <= 'Z')
          && !(c >= '0' && c <= '9')
          && c != '_') {
        return false;
      }
    }
    return true;
  }

  // ---- the workspace, spec.podTemplate.volumes and the steps' volumeMounts ----

  /**
   * Where executor supervisor keeps its runtime (SupervisorPodBuilder.RUNTIME_DIR), and the name of
   * its volume: no volume of the user's may take either.
   */
  private static final String RUNTIME_DIR = "/shepherd";

  private static final String RUNTIME_VOLUME = "shepherd";

  /** Where, and in which volume, executor supervisor has the steps write their outputs. */
  private static final String OUTPUTS_DIR = "/shepherd-outputs";

  private static final String OUTPUTS_VOLUME = "shepherd-outputs";

  /** What executor supervisor keeps at {@code path}, if it is one of its directories; else null. */
  private static String reserved(String path) {
    if (under(path, RUNTIME_DIR)) {
      return RUNTIME_DIR + " holds the supervisor's runtime.";
    }
    return under(path, OUTPUTS_DIR) ? OUTPUTS_DIR + " holds the steps' outputs files." : null;
  }

  /**
   * The workspace's source, the names of the extra volumes, and what each step mounts: a name that
   * is a volume of the Pod, at an absolute path that no other mount of the same container takes.
   * With executor supervisor every step's mounts go into the one container, so they must agree
   * across steps too. A process ({@link Target#LOCAL}) mounts nothing, so only its workspace is
   * checked: {@code shepherd run} ignores the volumes and says so, and the supervisor runs in a Pod
   * the operator checked them for, and does not carry its podTemplate ({@code CarriedManifest}).
   */
  private static void volumeProblems(WorkflowSpec spec, Target target, List<Problem> problems) {
    Workspace workspace = spec.workspace;
    if (workspace != null) {
      workspaceProblems(workspace, target, problems);
    }
    if (target == Target.LOCAL) {
      return;
    }
    Set<String> volumes = new HashSet<>();
    if (workspace != null) {
      volumes.add(Workspace.VOLUME);
    }
    List<Volume> extra = spec.podTemplate == null ? null : spec.podTemplate.volumes;
    for (int i = 0; extra != null && i < extra.size(); i++) {
      String name = extra.get(i) == null ? null : extra.get(i).getName();
      String path = "spec.podTemplate.volumes[" + i + "].name";
      if (blank(name)) {
        problems.add(new Problem(path, null, "spec.podTemplate.volumes[" + i + "] has no name."));
      } else if ((workspace != null && name.equals(Workspace.VOLUME))
          || (target == Target.SUPERVISOR
              && (name.equals(RUNTIME_VOLUME) || name.equals(OUTPUTS_VOLUME)))) {
        problems.add(
            new Problem(
                path,
                null,
                "spec.podTemplate.volumes["
                    + i
                    + "] is named \""
                    + name
                    + "\", the name of "
                    + (name.equals(Workspace.VOLUME)
                        ? "the workspace's volume"
                        : name.equals(RUNTIME_VOLUME)
                            ? "the volume that holds the supervisor's runtime"
                            : "the volume of the steps' outputs files")
                    + "; rename it."));
      } else if (!volumes.add(name)) {
        problems.add(
            new Problem(
                path,
                null,
                "Volume \"" + name + "\" is in spec.podTemplate.volumes more than once."));
      }
    }
    // With executor supervisor, one container: each path holds one mount, whichever step asks.
    Map<String, Map.Entry<String, VolumeMount>> shared = new HashMap<>();
    List<Step> all = spec.allSteps();
    for (int i = 0; i < all.size(); i++) {
      Step step = all.get(i);
      if (step == null || step.name == null || step.volumeMounts == null) {
        continue;
      }
      Set<String> paths = new HashSet<>();
      if (workspace != null) {
        paths.add(workspace.mountPathOrDefault());
      }
      for (int m = 0; m < step.volumeMounts.size(); m++) {
        VolumeMount mount = step.volumeMounts.get(m);
        String path = stepPath(spec, i) + ".volumeMounts[" + m + "]";
        String what = "Step \"" + step.name + "\": volumeMounts[" + m + "]";
        if (mount == null || blank(mount.getName())) {
          problems.add(new Problem(path + ".name", step.name, what + " has no name."));
          continue;
        }
        if (!volumes.contains(mount.getName())) {
          problems.add(
              new Problem(
                  path + ".name",
                  step.name,
                  what
                      + " mounts volume \""
                      + mount.getName()
                      + "\", which is neither in spec.podTemplate.volumes nor the workspace"
                      + (workspace == null ? " (spec.workspace is not set)." : ".")));
          continue;
        }
        String at = mount.getMountPath();
        String wrong = null;
        if (blank(at) || !at.startsWith("/") || at.equals("/")) {
          wrong = " has mountPath \"" + at + "\"; it must be an absolute path other than /.";
        } else if (target != Target.LOCAL && !paths.add(at)) {
          wrong = " mounts at " + at + ", where the step already mounts a volume.";
        } else if (target == Target.SUPERVISOR && reserved(at) != null) {
          wrong = " mounts at " + at + "; with executor supervisor " + reserved(at);
        } else if (target == Target.SUPERVISOR) {
          Map.Entry<String, VolumeMount> first =
              shared.putIfAbsent(at, Map.entry(step.name, mount));
          if (first != null && !sameMount(first.getValue(), mount)) {
            wrong =
                " mounts at "
                    + at
                    + " other than step \""
                    + first.getKey()
                    + "\" does there; with executor supervisor all steps run in one container,"
                    + " which has one mount per path.";
          }
        }
        if (wrong != null) {
          problems.add(new Problem(path + ".mountPath", step.name, what + wrong));
        }
      }
    }
  }

  /** One volume source at most; executor pod shares the workspace between Pods, so a claim. */
  private static void workspaceProblems(
      Workspace workspace, Target target, List<Problem> problems) {
    List<String> sources = new ArrayList<>();
    if (workspace.emptyDir != null) {
      sources.add("emptyDir");
    }
    if (workspace.volumeClaimTemplate != null) {
      sources.add("volumeClaimTemplate");
    }
    if (workspace.persistentVolumeClaim != null) {
      sources.add("persistentVolumeClaim");
    }
    if (sources.size() > 1) {
      problems.add(
          new Problem(
              "spec.workspace",
              null,
              "spec.workspace has "
                  + String.join(" and ", sources)
                  + "; it takes one volume source."));
    }
    String at = workspace.mountPath;
    if (at != null && (!at.startsWith("/") || at.equals("/"))) {
      problems.add(
          new Problem(
              "spec.workspace.mountPath",
              null,
              "spec.workspace.mountPath is \""
                  + at
                  + "\"; it must be an absolute path other than /."));
    } else if (target == Target.SUPERVISOR && reserved(workspace.mountPathOrDefault()) != null) {
      problems.add(
          new Problem(
              "spec.workspace.mountPath",
              null,
              "spec.workspace.mountPath is "
                  + workspace.mountPathOrDefault()
                  + "; with executor supervisor "
                  + reserved(workspace.mountPathOrDefault())));
    }
    if (workspace.persistentVolumeClaim != null
        && blank(workspace.persistentVolumeClaim.getClaimName())) {
      problems.add(
          new Problem(
              "spec.workspace.persistentVolumeClaim.claimName",
              null,
              "spec.workspace.persistentVolumeClaim has no claimName."));
    }
    if (workspace.volumeClaimTemplate != null && workspace.volumeClaimTemplate.spec == null) {
      problems.add(
          new Problem(
              "spec.workspace.volumeClaimTemplate.spec",
              null,
              "spec.workspace.volumeClaimTemplate has no spec."));
    }
    if (target == Target.POD && sources.equals(List.of("emptyDir"))) {
      problems.add(
          new Problem(
              "spec.workspace.emptyDir",
              null,
              "spec.workspace.emptyDir can't be shared with executor pod: each step runs in a Pod of"
                  + " its own, and an emptyDir lives and dies with its Pod; use"
                  + " spec.workspace.volumeClaimTemplate or persistentVolumeClaim, or executor"
                  + " supervisor."));
    } else if (target == Target.POD && sources.isEmpty()) {
      problems.add(
          new Problem(
              "spec.workspace",
              null,
              "spec.workspace has no volume source; executor pod shares it between the step Pods"
                  + " through a PersistentVolumeClaim: give spec.workspace.volumeClaimTemplate or"
                  + " persistentVolumeClaim."));
    }
  }

  /** Whether {@code path} is {@code dir} or inside it. */
  private static boolean under(String path, String dir) {
    return path.equals(dir) || path.startsWith(dir + "/");
  }

  /** Two mounts that put the same thing at the same path, as one container can hold once. */
  private static boolean sameMount(VolumeMount a, VolumeMount b) {
    return a.getName().equals(b.getName())
        && Objects.equals(a.getSubPath(), b.getSubPath())
        && Objects.equals(a.getSubPathExpr(), b.getSubPathExpr())
        && Boolean.TRUE.equals(a.getReadOnly()) == Boolean.TRUE.equals(b.getReadOnly());
  }
}
