package dev.shepherd.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Wires the Workflow and CronWorkflow reconcilers into a JOSDK Operator, with metrics. */
public final class ShepherdOperator implements AutoCloseable {
  private final Operator operator;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /**
   * @param client the client to the API server
   * @param clock the clock of every decision
   * @param tune more configuration; tests turn server-side apply off, which the mock server lacks
   */
  public ShepherdOperator(
      KubernetesClient client, Clock clock, Consumer<ConfigurationServiceOverrider> tune) {
    this(client, clock, tune, Metrics.NOOP);
  }

  /**
   * @param observer told of every event and pass besides the Prometheus metrics; tests wait on it
   *     for a pass to have run instead of sleeping
   */
  public ShepherdOperator(
      KubernetesClient client,
      Clock clock,
      Consumer<ConfigurationServiceOverrider> tune,
      Metrics observer) {
    this(client, clock, tune, observer, null);
  }

  /**
   * @param defaultTtl the time to live of a finished Workflow whose spec sets none; null for none
   */
  public ShepherdOperator(
      KubernetesClient client,
      Clock clock,
      Consumer<ConfigurationServiceOverrider> tune,
      Metrics observer,
      Duration defaultTtl) {
    Metrics prometheus =
        MicrometerMetrics.withoutPerResourceMetrics(registry); // bounded: no meters per Workflow
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(
                      observer == Metrics.NOOP
                          ? prometheus
                          : new AggregatedMetrics(List.of(prometheus, observer)))
                  .withCloseClientOnStop(false);
              tune.accept(o);
            });
    EventRecorder events = new EventRecorder(client, clock);
    WorkflowReconciler reconciler =
        new WorkflowReconciler(
            clock,
            events,
            new OperatorMetrics(registry),
            SupervisorPodBuilder.imageFromEnvironment(),
            defaultTtl);
    operator.register(reconciler);
    operator.register(new CronWorkflowReconciler(clock, events));
  }

  public void start() {
    operator.start();
  }

  public boolean isReady() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy()
        && operator.getRuntimeInfo().isStarted();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    operator.stop();
  }

  public static ShepherdOperator forCluster(KubernetesClient client) {
    return forCluster(client, null);
  }

  /**
   * @param defaultTtl the time to live of a finished Workflow whose spec sets none; null for none
   */
  public static ShepherdOperator forCluster(KubernetesClient client, Duration defaultTtl) {
    return new ShepherdOperator(client, Clock.systemUTC(), o -> {}, Metrics.NOOP, defaultTtl);
  }
}
