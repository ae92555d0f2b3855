package dev.shepherd.cli;

import dev.shepherd.operator.HealthServer;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.ui.UiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code shepherd operator}: the controller, with /healthz, /readyz and /metrics on port 8080. */
final class OperatorCommand {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorCommand.class);

  /** Seconds after which a finished Workflow whose spec sets no ttlSecondsAfterFinished goes. */
  static final String DEFAULT_TTL = "SHEPHERD_DEFAULT_TTL_SECONDS";

  /** {@code true} turns the web UI on; nothing of it runs otherwise. */
  static final String UI = "SHEPHERD_UI";

  /** {@code true} lets the web UI cancel, suspend, resume and retry; it is read-only otherwise. */
  static final String UI_ACTIONS = "SHEPHERD_UI_ACTIONS";

  private OperatorCommand() {}

  /**
   * The web UI when {@value #UI} is true, on {@code SHEPHERD_UI_ADDRESS} (default the loopback
   * address: reached by {@code kubectl port-forward} and by a proxy in the Pod, by nothing else)
   * and {@code SHEPHERD_UI_PORT} (default 8081); null otherwise.
   */
  static UiServer ui(KubernetesClient client, java.util.Map<String, String> env)
      throws IOException {
    if (!Boolean.parseBoolean(env.get(UI))) {
      return null;
    }
    InetSocketAddress address =
        new InetSocketAddress(
            env.getOrDefault("SHEPHERD_UI_ADDRESS", "127.0.0.1"),
            Integer.parseInt(env.getOrDefault("SHEPHERD_UI_PORT", "8081")));
    try {
      return new UiServer(client, address, Boolean.parseBoolean(env.get(UI_ACTIONS)));
    } catch (IOException e) {
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  /** The operator's default time to live, from {@value #DEFAULT_TTL}: null when unset or empty. */
  static Duration defaultTtl(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    long seconds;
    try {
      seconds = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 0) {
      throw new IllegalArgumentException(
          DEFAULT_TTL + " must be a whole number of seconds, 0 or more, not \"" + value + "\".");
    }
    return Duration.ofSeconds(seconds);
  }

  static int run(String[] args) {
    int port = Integer.parseInt(System.getenv().getOrDefault("SHEPHERD_HTTP_PORT", "8080"));
    Duration defaultTtl;
    try {
      defaultTtl = defaultTtl(System.getenv(DEFAULT_TTL));
    } catch (IllegalArgumentException e) {
      System.err.println("shepherd operator: " + e.getMessage());
      return 2;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    ShepherdOperator operator = ShepherdOperator.forCluster(client, defaultTtl);
    CountDownLatch stopped = new CountDownLatch(1);
    try (HealthServer health =
        new HealthServer(port, () -> true, operator::isReady, operator.registry())) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    LOG.info("Stopping the operator");
                    operator.close();
                    stopped.countDown();
                  }));
      operator.start();
      LOG.info("shepherd operator started; health and metrics on port {}", health.port());
      UiServer ui;
      try {
        ui = ui(client, System.getenv());
      } catch (IOException e) {
        System.err.println("shepherd operator: the web UI " + e.getMessage());
        operator.close();
        return 1;
      }
      try (ui) {
        if (ui != null) {
          LOG.info(
              "Web UI on port {} ({})",
              ui.port(),
              Boolean.parseBoolean(System.getenv(UI_ACTIONS)) ? "with actions" : "read-only");
        }
        stopped.await();
      }
      return 0;
    } catch (IOException e) {
      System.err.println(
          "shepherd operator: cannot listen on port " + port + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
