package dev.shepherd.operator.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shepherd.api.Workflow;
import dev.shepherd.view.Controls;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI: its pages (built from {@code src/main/ui} into the jar's {@code ui/}), and a JSON API
 * of the Workflows the operator's informer holds, with their changes pushed as Server-Sent Events.
 * Read-only unless {@code actions} is true; it has no authentication of its own, so it is reached
 * through {@code kubectl port-forward} or an authenticating proxy (README, "See your workflows").
 *
 * <ul>
 *   <li>{@code GET /api/config}: {@code {"actions": bool}}
 *   <li>{@code GET /api/workflows?namespace=}: the Workflows
 *   <li>{@code GET /api/workflows/NS/NAME}: one, with its spec (without env) and status
 *   <li>{@code GET /api/workflows/NS/NAME/steps/RUN/log?attempt=}: a step's log, followed while it
 *       runs
 *   <li>{@code POST /api/workflows/NS/NAME/ACTION}: cancel, suspend, resume, retry
 *   <li>{@code GET /api/events?namespace=}: an event {@code reset}, every Workflow as an event
 *       {@code workflow}, then each change as {@code workflow} or {@code deleted}
 * </ul>
 */
public final class UiServer implements AutoCloseable {
  /**
   * The header an action must carry: a form or a plain link from another site cannot set it, so a
   * page elsewhere cannot make a signed-in user's browser cancel a Workflow.
   */
  static final String ACTION_HEADER = "X-Shepherd-Action";

  private static final Logger LOG = LoggerFactory.getLogger(UiServer.class);
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final WorkflowFeed feed;
  private final WorkflowActions actions;
  private final StepLogs logs;
  private final boolean actionsEnabled;
  private final long keepAliveMillis;

  /**
   * @param address where to listen; the operator's default is the loopback address, which {@code
   *     kubectl port-forward} and a proxy in the same Pod reach
   * @param actionsEnabled whether cancel, suspend, resume and retry are allowed (403 otherwise)
   */
  public UiServer(KubernetesClient client, InetSocketAddress address, boolean actionsEnabled)
      throws IOException {
    this(client, address, actionsEnabled, TimeUnit.SECONDS.toMillis(20));
  }

  UiServer(
      KubernetesClient client,
      InetSocketAddress address,
      boolean actionsEnabled,
      long keepAliveMillis)
      throws IOException {
    this.actionsEnabled = actionsEnabled;
    this.keepAliveMillis = keepAliveMillis;
    this.actions = new WorkflowActions(client);
    this.logs = new StepLogs(client);
    this.feed = new WorkflowFeed(client);
    server = HttpServer.create(address, 0);
    server.setExecutor(threads);
    server.createContext("/api/", this::api);
    server.createContext("/", this::file);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      answerApi(ex);
    }
  }

  private void answerApi(HttpExchange ex) throws IOException {
    try {
      String[] parts =
          Arrays.stream(ex.getRequestURI().getRawPath().substring("/api/".length()).split("/"))
              .map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8))
              .toArray(String[]::new);
      Map<String, String> query = query(ex);
      boolean get = "GET".equals(ex.getRequestMethod());
      if (get && parts.length == 1 && parts[0].equals("config")) {
        json(ex, 200, "{\"actions\":" + actionsEnabled + "}");
      } else if (get && parts.length == 1 && parts[0].equals("events")) {
        events(ex, query.get("namespace"));
      } else if (parts[0].equals("workflows")) {
        workflows(ex, parts, query, get);
      } else {
        text(ex, 404, "No such API: " + ex.getRequestURI().getPath());
      }
    } catch (KubernetesClientException e) {
      LOG.warn("UI: {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.getMessage());
      text(ex, e.getCode() > 0 ? e.getCode() : 502, "The API server said: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("UI: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      text(ex, 500, "The operator failed to answer: " + e);
    }
  }

  private void workflows(HttpExchange ex, String[] parts, Map<String, String> query, boolean get)
      throws IOException {
    if (get && parts.length == 1) {
      ArrayNode list = WorkflowJson.array();
      feed.list(query.get("namespace")).forEach(w -> list.add(WorkflowJson.of(w)));
      json(ex, 200, WorkflowJson.json(list));
      return;
    }
    if (parts.length < 3) {
      text(ex, 404, "Name a Workflow: /api/workflows/NAMESPACE/NAME.");
      return;
    }
    String namespace = parts[1];
    String name = parts[2];
    if (get && parts.length == 3) {
      Optional<Workflow> w = feed.get(namespace, name);
      if (w.isEmpty()) {
        text(ex, 404, "No Workflow " + namespace + "/" + name + ".");
      } else {
        json(ex, 200, WorkflowJson.json(WorkflowJson.of(w.get())));
      }
    } else if (get && parts.length == 6 && parts[3].equals("steps") && parts[5].equals("log")) {
      log(ex, namespace, name, parts[4], query.get("attempt"));
    } else if ("POST".equals(ex.getRequestMethod()) && parts.length == 4) {
      action(ex, namespace, name, parts[3]);
    } else {
      text(ex, 404, "No such API: " + ex.getRequestURI().getPath());
    }
  }

  private void action(HttpExchange ex, String namespace, String name, String action)
      throws IOException {
    if (!WorkflowActions.NAMES.contains(action)) {
      text(ex, 404, "No action \"" + action + "\"; there are " + WorkflowActions.NAMES + ".");
    } else if (!actionsEnabled) {
      text(ex, 403, "This UI is read-only: the operator runs without SHEPHERD_UI_ACTIONS=true.");
    } else if (ex.getRequestHeaders().getFirst(ACTION_HEADER) == null) {
      text(ex, 403, "An action needs the header " + ACTION_HEADER + ".");
    } else {
      try {
        String patch = actions.apply(namespace, name, action);
        LOG.info("UI: {} of Workflow {}/{}: patched {}", action, namespace, name, patch);
        json(ex, 200, patch);
      } catch (NoSuchElementException e) {
        text(ex, 404, e.getMessage());
      } catch (Controls.Refused e) {
        text(ex, 409, e.getMessage());
      }
    }
  }

  private void log(HttpExchange ex, String namespace, String name, String run, String attempt)
      throws IOException {
    Optional<Workflow> w = feed.get(namespace, name);
    int n;
    try {
      n = attempt == null ? 0 : Integer.parseInt(attempt);
    } catch (NumberFormatException e) {
      n = -1;
    }
    StepLogs.Source source = w.isEmpty() || n < 0 ? null : StepLogs.source(w.get(), run, n);
    if (source == null) {
      text(ex, 404, "No step \"" + run + "\" (attempt " + attempt + ") in " + name + ".");
      return;
    }
    ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    ex.getResponseHeaders().add("Cache-Control", "no-cache");
    ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      logs.copy(namespace, source, out);
    } catch (KubernetesClientException e) {
      // The headers are sent: say it in the text, as kubectl logs does on its stderr.
      ex.getResponseBody()
          .write(
              ("(no log of Pod " + source.pod() + ": " + e.getMessage() + ")\n")
                  .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The Server-Sent Events stream: held open until the browser goes or the server stops. */
  private void events(HttpExchange ex, String namespace) throws IOException {
    BlockingQueue<WorkflowFeed.Change> changes = new LinkedBlockingQueue<>();
    Runnable unsubscribe =
        feed.subscribe(
            c -> {
              if (namespace == null
                  || namespace.isBlank()
                  || namespace.equals(c.workflow().getMetadata().getNamespace())) {
                changes.add(c);
              }
            });
    ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().add("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      send(out, "reset", "{}");
      for (Workflow w : feed.list(namespace)) {
        send(out, "workflow", WorkflowJson.json(WorkflowJson.of(w)));
      }
      while (!threads.isShutdown()) {
        WorkflowFeed.Change c = changes.poll(keepAliveMillis, TimeUnit.MILLISECONDS);
        if (c == null) {
          // A comment line: proxies close a stream that says nothing for long.
          out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        } else if (c.deleted()) {
          send(out, "deleted", WorkflowJson.json(WorkflowJson.deleted(c.workflow())));
        } else {
          send(out, "workflow", WorkflowJson.json(WorkflowJson.of(c.workflow())));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.debug("UI: an event stream ended: {}", e.getMessage());
    } finally {
      unsubscribe.run();
    }
  }

  private static void send(OutputStream out, String event, String data) throws IOException {
    out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The built pages, from the class path's {@code ui/}. */
  private void file(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/")) {
        path = "/index.html";
      }
      InputStream in =
          path.contains("..") ? null : UiServer.class.getResourceAsStream("/ui" + path);
      if (in == null || !"GET".equals(ex.getRequestMethod())) {
        text(ex, 404, "Not found: " + path);
        return;
      }
      try (in) {
        byte[] body = in.readAllBytes();
        String ext = path.substring(path.lastIndexOf('.') + 1);
        ex.getResponseHeaders()
            .add("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
        ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        // Nothing but the operator's own files and API: no script of anyone else's runs here.
        ex.getResponseHeaders()
            .add("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> query = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return query;
  }

  private static void json(HttpExchange ex, int code, String body) throws IOException {
    answer(ex, code, "application/json", body);
  }

  private static void text(HttpExchange ex, int code, String body) throws IOException {
    answer(ex, code, "text/plain; charset=utf-8", body + "\n");
  }

  private static void answer(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.getResponseHeaders().add("Cache-Control", "no-cache");
    ex.sendResponseHeaders(code, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    threads.shutdown();
    server.stop(0);
    threads.shutdownNow();
    feed.close();
  }
}
