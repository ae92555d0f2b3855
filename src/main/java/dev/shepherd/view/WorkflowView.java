package dev.shepherd.view;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a person looking at a Workflow sees, read from its spec and status once, for every face that
 * shows one ({@code kubectl shepherd get}, a web page): the workflow's headline, its main steps as
 * a tree (each step under its first dependency, so a chain reads top to bottom), a loop step's
 * counts and the instances its status keeps, and the finally steps apart. Pure: the caller passes
 * the spec the workflow runs (a template's, once pinned) and the time, for running durations.
 */
public record WorkflowView(
    String name,
    String namespace,
    String executor,
    WorkflowPhase phase,
    String progress,
    String message,
    Instant startedAt,
    Duration duration,
    List<Node> steps,
    List<Node> finallySteps) {

  /**
   * One step, or one instance of a loop step ({@code build[2]}), with what happened to it.
   *
   * @param depth 0 for a root, one more for each parent above it
   * @param last whether it is the last child of its parent (for drawing the tree's lines)
   * @param duration of its last attempt, up to now while it runs; null before it started
   * @param loop the counts of a loop step; null otherwise
   */
  public record Node(
      String name,
      int depth,
      boolean last,
      List<String> depends,
      StepPhase phase,
      int attempts,
      Duration duration,
      Integer exitCode,
      String reason,
      String message,
      String podName,
      Map<String, String> outputs,
      Loop loop) {}

  /** The counts of a loop step's instances. */
  public record Loop(int total, int started, int succeeded, int failed, int skipped) {
    /** {@code 3/5 succeeded, 1 failed, 1 skipped}: the counts that are not zero. */
    public String summary() {
      StringBuilder b = new StringBuilder().append(succeeded).append('/').append(total);
      b.append(" succeeded");
      if (failed > 0) {
        b.append(", ").append(failed).append(" failed");
      }
      if (skipped > 0) {
        b.append(", ").append(skipped).append(" skipped");
      }
      int running = started - succeeded - failed;
      if (running > 0) {
        b.append(", ").append(running).append(" running");
      }
      return b.toString();
    }
  }

  /**
   * The view of {@code workflow} running {@code spec} (its own, or the template's it pinned), at
   * {@code now}.
   */
  public static WorkflowView of(Workflow workflow, WorkflowSpec spec, Instant now) {
    WorkflowStatus status = workflow.getStatus();
    Map<String, StepStatus> byName = new LinkedHashMap<>();
    if (status != null && status.steps != null) {
      for (StepStatus st : status.steps) {
        byName.put(st.name, st);
      }
    }
    List<Step> main = spec == null || spec.steps == null ? List.of() : spec.steps;
    List<Step> fin = spec == null || spec.finallySteps == null ? List.of() : spec.finallySteps;
    Set<String> known = new HashSet<>();
    main.forEach(s -> known.add(s.name));
    fin.forEach(s -> known.add(s.name));
    List<Step> unknown = new ArrayList<>();
    for (String name : byName.keySet()) {
      if (!known.contains(name)) {
        unknown.add(new Step(name)); // in the status only: shown, at the root
      }
    }
    List<Step> mainAndUnknown = new ArrayList<>(main);
    mainAndUnknown.addAll(unknown);
    Instant started = status == null ? null : Timestamps.parse(status.startedAt);
    Instant finished = status == null ? null : Timestamps.parse(status.finishedAt);
    return new WorkflowView(
        workflow.getMetadata().getName(),
        workflow.getMetadata().getNamespace(),
        spec == null ? null : spec.executorOrDefault().name().toLowerCase(Locale.ROOT),
        status == null ? null : status.phase,
        status == null ? null : status.progress,
        status == null ? null : status.message,
        started,
        duration(
            started,
            finished,
            status != null && status.phase != null && status.phase.isFinal() ? null : now),
        tree(mainAndUnknown, byName, now),
        tree(fin, byName, now));
  }

  /** Every node in drawing order: each step, its loop instances, then its children. */
  private static List<Node> tree(List<Step> steps, Map<String, StepStatus> status, Instant now) {
    Map<String, List<Step>> children = new LinkedHashMap<>();
    List<Step> roots = new ArrayList<>();
    Set<String> names = new HashSet<>();
    steps.forEach(s -> names.add(s.name));
    for (Step s : steps) {
      String parent =
          s.depends == null
              ? null
              : s.depends.stream().filter(names::contains).findFirst().orElse(null);
      if (parent == null || parent.equals(s.name)) {
        roots.add(s);
      } else {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
      }
    }
    List<Node> nodes = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (int i = 0; i < roots.size(); i++) {
      add(roots.get(i), 0, i == roots.size() - 1, children, status, now, nodes, placed);
    }
    // A cycle (an invalid spec) leaves steps under no root: they are shown at the root.
    for (Step s : steps) {
      if (!placed.contains(s.name)) {
        add(s, 0, true, Map.of(), status, now, nodes, placed);
      }
    }
    return nodes;
  }

  private static void add(
      Step step,
      int depth,
      boolean last,
      Map<String, List<Step>> children,
      Map<String, StepStatus> status,
      Instant now,
      List<Node> into,
      Set<String> placed) {
    if (!placed.add(step.name)) {
      return;
    }
    StepStatus st = status.get(step.name);
    if (st == null) {
      st = new StepStatus(step.name);
    }
    LoopStatus loop = st.loop;
    List<RunStatus> instances = loop == null || loop.instances == null ? List.of() : loop.instances;
    List<Step> under = children.getOrDefault(step.name, List.of());
    into.add(
        node(
            st,
            depth,
            last,
            step.depends == null ? List.of() : List.copyOf(step.depends),
            now,
            loop == null
                ? null
                : new Loop(
                    orZero(loop.total),
                    orZero(loop.started),
                    orZero(loop.succeeded),
                    orZero(loop.failed),
                    orZero(loop.skipped))));
    for (int i = 0; i < instances.size(); i++) {
      into.add(
          node(
              instances.get(i),
              depth + 1,
              i == instances.size() - 1 && under.isEmpty(),
              List.of(),
              now,
              null));
    }
    for (int i = 0; i < under.size(); i++) {
      add(under.get(i), depth + 1, i == under.size() - 1, children, status, now, into, placed);
    }
  }

  private static Node node(
      RunStatus st, int depth, boolean last, List<String> depends, Instant now, Loop loop) {
    Instant started = Timestamps.parse(st.startedAt);
    Duration duration = null;
    if (st.phase != StepPhase.Skipped) {
      boolean running = st.phase == StepPhase.Running;
      duration =
          duration(started, running ? null : Timestamps.parse(st.finishedAt), running ? now : null);
    }
    return new Node(
        st.name,
        depth,
        last,
        depends,
        st.phase == null ? StepPhase.Pending : st.phase,
        st.attemptsOrZero(),
        duration,
        st.exitCode,
        st.reason,
        st.message,
        st.podName,
        st.outputs == null ? Map.of() : Map.copyOf(st.outputs),
        loop);
  }

  /** From start to end, or to now while there is no end; null without a start. */
  private static Duration duration(Instant start, Instant end, Instant now) {
    Instant to = end != null ? end : now;
    if (start == null || to == null) {
      return null;
    }
    Duration d = Duration.between(start, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }
}
