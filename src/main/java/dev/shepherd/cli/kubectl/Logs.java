package dev.shepherd.cli.kubectl;

import dev.shepherd.api.Executor;
import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.cli.kubectl.KubectlCommand.Failure;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.SupervisorPodBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code logs WF [STEP] [-f] [--attempt N]}: one command for both executors. In pod mode a step's
 * log is its Pod's (found by the labels the operator puts on it, the last attempt's unless {@code
 * --attempt} says); in supervisor mode it is the step's lines of the supervisor Pod's log, where
 * the supervisor prefixes each with {@code [step] }, the prefix removed. Without STEP, every step's
 * lines, each prefixed with its step.
 */
final class Logs {
  /**
   * The supervisor's own line at the end of a step's attempt ({@code SuperviseCommand}'s {@code
   * step build attempt 2 exited 1 after ...}): the lines of a step after it belong to its next
   * attempt.
   */
  private static final Pattern ATTEMPT_END = Pattern.compile(" - step (\\S+) attempt (\\d+) ");

  private Logs() {}

  static int run(Args args, Session s) throws Args.Invalid, Failure {
    args.allow("logs", "--follow", "--attempt");
    List<String> operands = args.operands("logs WF [STEP] [-f] [--attempt N]", 1, 2);
    String name = operands.getFirst();
    String step = operands.size() > 1 ? operands.get(1) : null;
    Integer attempt = null;
    if (args.value("--attempt") != null) {
      try {
        attempt = Integer.parseInt(args.value("--attempt"));
      } catch (NumberFormatException e) {
        attempt = 0;
      }
      if (attempt < 1) {
        throw new Args.Invalid("--attempt takes a number from 1: " + args.value("--attempt"));
      }
      if (step == null) {
        throw new Args.Invalid("--attempt needs a STEP");
      }
    }
    boolean follow = args.has("--follow");
    Workflow w = s.workflow(name);
    WorkflowSpec spec = s.runSpec(w);
    if (step != null && !known(w, spec, step)) {
      throw new Failure(KubectlCommand.ERROR, "workflow " + name + " has no step " + step);
    }
    if (spec != null && spec.executorOrDefault() == Executor.SUPERVISOR) {
      supervisorLogs(s, name, step, attempt, follow);
    } else {
      podLogs(s, w, step, attempt, follow);
    }
    s.out().flush();
    return KubectlCommand.OK;
  }

  private static boolean known(Workflow w, WorkflowSpec spec, String step) {
    String base = LoopStatus.stepOf(step);
    if (spec != null && spec.allSteps().stream().anyMatch(st -> base.equals(st.name))) {
      return true;
    }
    return w.getStatus() != null && w.getStatus().step(base) != null;
  }

  private static void podLogs(Session s, Workflow w, String step, Integer attempt, boolean follow)
      throws Failure, Args.Invalid {
    String name = w.getMetadata().getName();
    if (step == null) {
      if (follow) {
        throw new Args.Invalid("-f follows one step's Pod: name the STEP");
      }
      List<String> steps = new ArrayList<>();
      if (w.getStatus() != null) {
        w.getStatus().steps.stream().map((StepStatus st) -> st.name).forEach(steps::add);
      }
      for (String st : steps) {
        for (Pod pod : lastPods(s, name, st, null).values()) {
          print(
              s, pod, StepPodBuilder.CONTAINER, false, line -> s.out().println(prefix(pod) + line));
        }
      }
      return;
    }
    Map<String, Pod> pods = lastPods(s, name, step, attempt);
    if (pods.isEmpty()) {
      throw new Failure(
          KubectlCommand.ERROR,
          "no Pod of step "
              + step
              + (attempt == null ? "" : " attempt " + attempt)
              + " in workflow "
              + name
              + ": it has not started, or its Pods were deleted (spec.podGC)");
    }
    if (pods.size() > 1 && follow) {
      throw new Args.Invalid(
          "-f follows one Pod: name one instance of loop step " + step + ", as " + step + "[0]");
    }
    boolean several = pods.size() > 1;
    for (Pod pod : pods.values()) {
      print(
          s,
          pod,
          StepPodBuilder.CONTAINER,
          follow,
          line -> s.out().println((several ? prefix(pod) : "") + line));
    }
  }

  /**
   * The step's Pods by item (one for a step, one per instance of a loop step that has one): of
   * {@code attempt}, or each item's last.
   */
  private static Map<String, Pod> lastPods(
      Session s, String workflow, String step, Integer attempt) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(StepPodBuilder.WORKFLOW_LABEL, StepPodBuilder.labelValue(workflow));
    labels.put(StepPodBuilder.STEP_LABEL, LoopStatus.stepOf(step));
    int item = LoopStatus.indexOf(step);
    if (item >= 0) {
      labels.put(StepPodBuilder.ITEM_LABEL, Integer.toString(item));
    }
    if (attempt != null) {
      labels.put(StepPodBuilder.ATTEMPT_LABEL, attempt.toString());
    }
    List<Pod> pods =
        new ArrayList<>(
            s.client().pods().inNamespace(s.namespace()).withLabels(labels).list().getItems());
    pods.sort(
        Comparator.comparingInt((Pod p) -> number(p, StepPodBuilder.ITEM_LABEL))
            .thenComparingInt(p -> number(p, StepPodBuilder.ATTEMPT_LABEL)));
    Map<String, Pod> last = new LinkedHashMap<>();
    for (Pod p : pods) {
      last.put(String.valueOf(p.getMetadata().getLabels().get(StepPodBuilder.ITEM_LABEL)), p);
    }
    return last;
  }

  private static int number(Pod p, String label) {
    String v = p.getMetadata().getLabels().get(label);
    try {
      return v == null ? -1 : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code [step] } or {@code [step[item]] }, as the supervisor prefixes a step's lines. */
  private static String prefix(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String step = labels.get(StepPodBuilder.STEP_LABEL);
    String item = labels.get(StepPodBuilder.ITEM_LABEL);
    return "["
        + (item == null ? step : LoopStatus.instanceName(step, Integer.parseInt(item)))
        + "] ";
  }

  private static void supervisorLogs(
      Session s, String workflow, String step, Integer attempt, boolean follow) throws Failure {
    String podName = SupervisorPodBuilder.name(workflow);
    Pod pod = s.client().pods().inNamespace(s.namespace()).withName(podName).get();
    if (pod == null) {
      throw new Failure(
          KubectlCommand.ERROR,
          "no supervisor Pod "
              + podName
              + " of workflow "
              + workflow
              + ": it has not started, or its Pod was deleted");
    }
    Map<String, Integer> ended = new LinkedHashMap<>();
    print(
        s,
        pod,
        SupervisorPodBuilder.CONTAINER,
        follow,
        line -> {
          Matcher end = ATTEMPT_END.matcher(line);
          if (end.find()) {
            ended.put(end.group(1), Integer.parseInt(end.group(2)));
            return;
          }
          if (!line.startsWith("[")) {
            return; // the supervisor's own lines
          }
          int close = line.indexOf("] ");
          String run = close < 0 ? null : line.substring(1, close);
          if (run == null) {
            return;
          }
          if (step == null) {
            s.out().println(line);
            return;
          }
          boolean same = run.equals(step);
          if (!same && !run.startsWith(step + "[")) {
            return;
          }
          if (attempt != null && ended.getOrDefault(run, 0) + 1 != attempt) {
            return;
          }
          s.out().println(same ? line.substring(close + 2) : line);
        });
  }

  /** Hands each line of the container's log to {@code lines}; follows it while it runs. */
  private static void print(
      Session s, Pod pod, String container, boolean follow, Consumer<String> lines) {
    PodResource resource =
        s.client().pods().inNamespace(s.namespace()).withName(pod.getMetadata().getName());
    try {
      if (follow) {
        try (LogWatch watch = resource.inContainer(container).watchLog()) {
          read(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8), lines);
        }
      } else {
        read(resource.inContainer(container).getLogReader(), lines);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void read(Reader reader, Consumer<String> lines) throws IOException {
    try (BufferedReader in = new BufferedReader(reader)) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.accept(line);
      }
    }
  }
}
