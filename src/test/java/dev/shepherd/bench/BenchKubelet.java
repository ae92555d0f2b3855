package dev.shepherd.bench;

import dev.shepherd.operator.StepPodBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A kubelet for the benchmark: watches step Pods through an informer of its own and, for each new
 * one, after a random delay marks it Running, and after another marks it Succeeded with exit code
 * 0. It writes one request per change and reads nothing first, like the real kubelet: a PATCH of
 * the Pod's status subresource. The patch is a JSON patch that sets the whole status, so the result
 * doesn't depend on how the mock server merges arrays in a merge patch. It has its own client,
 * whose User-Agent tells its requests apart in the mock server's log.
 */
final class BenchKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final int minDelayMs;
  private final int maxDelayMs;
  private final ScheduledExecutorService timers;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicLong seenCount = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private SharedIndexInformer<Pod> informer;

  BenchKubelet(
      KubernetesClient client, String namespace, int minDelayMs, int maxDelayMs, int threads) {
    this.client = client;
    this.namespace = namespace;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.timers =
        Executors.newScheduledThreadPool(
            threads, Thread.ofPlatform().name("bench-kubelet-", 0).daemon().factory());
  }

  void start() {
    informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(StepPodBuilder.WORKFLOW_LABEL)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    if (seen.add(pod.getMetadata().getName())) {
                      seenCount.incrementAndGet();
                      later(() -> run(pod));
                    }
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod newPod) {}

                  @Override
                  public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {}
                },
                0);
  }

  private void run(Pod pod) {
    if (write(
        pod,
        new PodStatusBuilder()
            .withPhase("Running")
            .withStartTime(Instant.now().toString())
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(StepPodBuilder.CONTAINER)
                    .withReady(true)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(Instant.now().toString())
                    .endRunning()
                    .endState()
                    .build())
            .build())) {
      later(() -> succeed(pod));
    }
  }

  private void succeed(Pod pod) {
    if (write(
        pod,
        new PodStatusBuilder()
            .withPhase("Succeeded")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(StepPodBuilder.CONTAINER)
                    .withReady(false)
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(0)
                    .withReason("Completed")
                    .withFinishedAt(Instant.now().toString())
                    .endTerminated()
                    .endState()
                    .build())
            .build())) {
      succeeded.incrementAndGet();
    }
  }

  private boolean write(Pod pod, PodStatus status) {
    String patch =
        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + client.getKubernetesSerialization().asJson(status)
            + "}]";
    try {
      client
          .pods()
          .inNamespace(namespace)
          .resource(pod)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), patch);
      return true;
    } catch (RuntimeException e) {
      if (errors.incrementAndGet() <= 10) {
        System.err.println(
            "kubelet: could not write the status of pod " + pod.getMetadata().getName() + ": " + e);
      }
      return false;
    }
  }

  private void later(Runnable r) {
    int delay =
        minDelayMs
            + (maxDelayMs > minDelayMs
                ? ThreadLocalRandom.current().nextInt(maxDelayMs - minDelayMs + 1)
                : 0);
    timers.schedule(r, delay, TimeUnit.MILLISECONDS);
  }

  long podsSeen() {
    return seenCount.get();
  }

  long podsSucceeded() {
    return succeeded.get();
  }

  long errors() {
    return errors.get();
  }

  @Override
  public void close() {
    timers.shutdownNow();
    if (informer != null) {
      informer.close();
      informer = null;
    }
    seen.clear();
  }
}
