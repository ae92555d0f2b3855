package dev.shepherd.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  @Test
  void probesFollowTheOperatorAndMetricsAreScrapable() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new OperatorMetrics(registry).podCreated();
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server = new HealthServer(0, () -> true, ready::get, registry);
        HttpClient http = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + server.port();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(http, base + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("shepherd_step_pods_total 1.0");
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
