package dev.shepherd.cli;

import dev.shepherd.operator.HealthServer;
import dev.shepherd.operator.ShepherdOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code shepherd operator}: the controller, with /healthz, /readyz and /metrics on port 8080. */
final class OperatorCommand {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorCommand.class);

  private OperatorCommand() {}

  static int run(String[] args) {
    int port = Integer.parseInt(System.getenv().getOrDefault("SHEPHERD_HTTP_PORT", "8080"));
    KubernetesClient client = new KubernetesClientBuilder().build();
    ShepherdOperator operator = ShepherdOperator.forCluster(client);
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
      stopped.await();
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
