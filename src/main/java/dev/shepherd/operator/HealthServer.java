package dev.shepherd.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** /healthz (liveness), /readyz (readiness) and /metrics (Prometheus) on one port. */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(
      int port, BooleanSupplier alive, BooleanSupplier ready, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/healthz",
        ex ->
            answer(
                ex,
                alive.getAsBoolean() ? 200 : 503,
                alive.getAsBoolean() ? "ok\n" : "not alive\n"));
    server.createContext(
        "/readyz",
        ex ->
            answer(
                ex,
                ready.getAsBoolean() ? 200 : 503,
                ready.getAsBoolean() ? "ok\n" : "not ready\n"));
    server.createContext("/metrics", ex -> answer(ex, 200, registry.scrape()));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
