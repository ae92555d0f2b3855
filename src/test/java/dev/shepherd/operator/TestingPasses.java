package dev.shepherd.operator;

import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Every finished pass of the Operator, as JOSDK reports it to its metrics: which workflow, the
 * clock when the pass began, and the resourceVersion of each of the workflow's Pods in the
 * operator's cache then. A test that must show that something did NOT happen waits here for a pass
 * that saw the cause, then asserts: no sleeping, and no passing because the pass has not run yet.
 */
public final class TestingPasses implements Metrics {
  /** One pass, as it began. */
  public record Pass(String workflow, Instant clock, Map<String, Long> podVersions) {}

  private final Clock clock;
  private final List<Pass> finished = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Pass> running = new ThreadLocal<>();
  private volatile EventSourceRetriever<Workflow> sources;

  public TestingPasses(Clock clock) {
    this.clock = clock;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    if (controller.getConfiguration().getResourceClass() == Workflow.class) {
      sources = (EventSourceRetriever<Workflow>) controller.getEventSourceManager();
    }
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    if (resource instanceof Workflow workflow) {
      Map<String, Long> pods = new HashMap<>();
      for (EventSource<Pod, Workflow> source : sources.getEventSourcesFor(Pod.class)) {
        for (Pod pod : source.getSecondaryResources(workflow)) {
          pods.put(
              pod.getMetadata().getName(), Long.parseLong(pod.getMetadata().getResourceVersion()));
        }
      }
      running.set(new Pass(workflow.getMetadata().getName(), clock.instant(), pods));
    } else if (resource instanceof CronWorkflow cron) {
      running.set(new Pass(cronPass(cron.getMetadata().getName()), clock.instant(), Map.of()));
    }
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    Pass pass = running.get();
    if (pass != null) {
      running.remove();
      finished.add(pass);
    }
  }

  /** Waits until a pass of {@code workflow} that matches {@code began} has finished. */
  public Pass await(String workflow, Predicate<Pass> began) {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                finished.stream()
                    .filter(p -> p.workflow().equals(workflow) && began.test(p))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** How a pass of the CronWorkflow {@code name} is named here, apart from Workflows' passes. */
  public static String cronPass(String name) {
    return "CronWorkflow/" + name;
  }

  /** Waits until a pass of {@code workflow} that began at {@code at} or later has finished. */
  public Pass awaitAt(String workflow, Instant at) {
    return await(workflow, p -> !p.clock().isBefore(at));
  }

  /**
   * Waits until a pass of {@code workflow} that saw {@code pod} as written (or later) has finished.
   */
  public Pass awaitSeen(String workflow, Pod pod) {
    long version = Long.parseLong(pod.getMetadata().getResourceVersion());
    String name = pod.getMetadata().getName();
    return await(workflow, p -> p.podVersions().getOrDefault(name, -1L) >= version);
  }
}
