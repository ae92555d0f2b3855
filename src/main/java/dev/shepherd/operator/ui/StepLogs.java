package dev.shepherd.operator.ui;

import dev.shepherd.api.Executor;
import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.SupervisorPodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A step's log, as {@code kubectl logs} would show it. Pod mode: the log of the step's Pod (of its
 * last attempt, or of the attempt asked for). Supervisor mode: the step's lines of the supervisor
 * Pod's log, which the supervisor prefixes with {@code [step] }, without that prefix. Followed
 * while the step runs.
 */
final class StepLogs {
  private final KubernetesClient client;

  StepLogs(KubernetesClient client) {
    this.client = client;
  }

  /** Where a run's log is: its Pod and container, and the line prefix to keep (null: all). */
  record Source(String pod, String container, String prefix, boolean follow) {}

  /**
   * @param run a step's name, or a loop instance's
   * @param attempt the attempt, or 0 for the last one
   * @return null when the spec has no such step
   */
  static Source source(Workflow w, String run, int attempt) {
    String step = LoopStatus.stepOf(run);
    if (w.getSpec().allSteps().stream().noneMatch(s -> s.name.equals(step))) {
      return null;
    }
    RunStatus st = w.getStatus() == null ? null : w.getStatus().entry(run);
    boolean running =
        st != null && (st.phase == StepPhase.Running || st.phase == StepPhase.Retrying);
    String name = w.getMetadata().getName();
    if (w.getSpec().executorOrDefault() == Executor.SUPERVISOR) {
      return new Source(
          SupervisorPodBuilder.name(name),
          SupervisorPodBuilder.CONTAINER,
          "[" + run + "] ",
          running);
    }
    String pod =
        attempt > 0 || st == null || st.podName == null
            ? StepPodBuilder.podName(name, run, Math.max(1, attempt))
            : st.podName;
    return new Source(pod, StepPodBuilder.CONTAINER, null, running && attempt == 0);
  }

  /** Copies the log of {@code source} to {@code out}, flushing each piece as it comes. */
  void copy(String namespace, Source source, OutputStream out) throws IOException {
    ContainerResource container =
        client.pods().inNamespace(namespace).withName(source.pod()).inContainer(source.container());
    if (source.follow()) {
      try (LogWatch watch = container.watchLog()) {
        copy(watch.getOutput(), source.prefix(), out);
      }
    } else {
      try (InputStream in = container.getLogInputStream()) {
        copy(in, source.prefix(), out);
      }
    }
  }

  static void copy(InputStream in, String prefix, OutputStream out) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (prefix != null) {
        if (!line.startsWith(prefix)) {
          continue;
        }
        line = line.substring(prefix.length());
      }
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
