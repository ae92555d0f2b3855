package dev.shepherd.cli.kubectl;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.cli.kubectl.KubectlCommand.Failure;
import dev.shepherd.cli.run.LiveTable;
import dev.shepherd.cli.run.Output;
import dev.shepherd.cli.run.Progress;
import dev.shepherd.cli.run.TerminalSize;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code watch WF}: what {@code shepherd run} shows of a local run, for a Workflow in the cluster:
 * on a terminal the live table of its steps, elsewhere a line per step event and the table at the
 * end. Fed by an informer on that one Workflow (a watch that lists first and comes back after a
 * dropped connection), until the Workflow ends or is deleted.
 */
final class Watch {
  private Watch() {}

  /** The Workflow as it ended. */
  static Workflow follow(Session s, String name) throws Failure, InterruptedException {
    Workflow w = s.workflow(name);
    BlockingQueue<Optional<Workflow>> events = new LinkedBlockingQueue<>();
    String noColor = System.getenv("NO_COLOR");
    try (Output output =
            s.live()
                ? new LiveTable(
                    s.out(),
                    s.clock(),
                    TerminalSize::ofStdout,
                    noColor == null || noColor.isEmpty())
                : Output.plain(s.out());
        SharedIndexInformer<Workflow> informer =
            s.workflowResource(name).inform(new Handler(events))) {
      WorkflowSpec spec = s.runSpec(w);
      output.begin(spec);
      Progress progress = new Progress(output, spec);
      Map<String, String> seen = new HashMap<>();
      while (true) {
        WorkflowSpec now = s.runSpec(w);
        if (!Objects.equals(Output.stepNames(now), Output.stepNames(spec))) {
          spec = now; // the template's steps, pinned once the operator read it
          output.begin(spec);
          progress = new Progress(output, spec);
        }
        WorkflowStatus status = w.getStatus();
        if (status != null && status.steps != null) {
          announce(status, seen, progress, output);
          progress.statusChanged(status);
        }
        if (status != null && status.phase != null && status.phase.isFinal()) {
          output.end("workflow " + name + " " + status.phase + ": " + status.message, status);
          return w;
        }
        Optional<Workflow> next = events.take();
        if (next.isEmpty()) {
          throw new Failure(KubectlCommand.ERROR, "workflow " + name + " was deleted");
        }
        w = next.get();
      }
    }
  }

  /** 0 for a Workflow that succeeded, {@link KubectlCommand#UNSUCCESSFUL} for one that did not. */
  static int exitCode(Workflow ended) {
    return ended.getStatus().phase == WorkflowPhase.Succeeded
        ? KubectlCommand.OK
        : KubectlCommand.UNSUCCESSFUL;
  }

  /**
   * The events a local run learns from its processes, read here from the status: an attempt
   * started, a step succeeded. (Failures, retries and skips are {@link Progress}'s lines.)
   */
  private static void announce(
      WorkflowStatus status, Map<String, String> seen, Progress progress, Output output) {
    for (StepStatus st : status.steps) {
      String state = st.phase + "/" + st.attemptsOrZero();
      if (state.equals(seen.put(st.name, state))) {
        continue;
      }
      if (st.phase == StepPhase.Running && st.attemptsOrZero() > 0 && st.loop == null) {
        progress.attemptStarting(st.name, st.attemptsOrZero());
      } else if (st.phase == StepPhase.Succeeded) {
        output.line("[" + st.name + "] succeeded");
      }
    }
  }

  private record Handler(BlockingQueue<Optional<Workflow>> events)
      implements ResourceEventHandler<Workflow> {
    @Override
    public void onAdd(Workflow w) {
      events.add(Optional.of(w));
    }

    @Override
    public void onUpdate(Workflow before, Workflow w) {
      events.add(Optional.of(w));
    }

    @Override
    public void onDelete(Workflow w, boolean finalStateUnknown) {
      events.add(Optional.empty());
    }
  }
}
