package dev.shepherd.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shepherd.api.Workflow;
import dev.shepherd.cli.run.WorkflowFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code shepherd aot-training FILE.json}, for the build only: the training run of the supervisor
 * runtime's AOT cache for {@code supervise} ({@code mvn package} runs it through the launcher with
 * {@code -XX:AOTCacheOutput=shepherd-supervise.aot}). It runs {@code supervise} of the file's first
 * Workflow, carried in {@code SHEPHERD_MANIFEST} as a Pod carries it, against a stand-in for the
 * API server in this JVM (GET and PATCH of the Workflow's status, which is all the supervisor asks
 * for), so the cache holds what {@code supervise} starts with: the manifest's binding, the HTTP
 * client and the status patches. (Not the GET, which only a workflow too large for the variable
 * needs: its JSON binding would load fabric8's model into every supervisor.) ({@code run} has a
 * cache of its own, trained by a plain {@code shepherd run}: one cache for both would load the
 * client's classes into every {@code run} too.)
 */
final class AotTraining {
  private static final String NAMESPACE = "aot-training";

  private AotTraining() {}

  static int run(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: shepherd aot-training FILE.json (the build's training run of the AOT cache)");
      return 2;
    }
    Path file = Path.of(args[0]);
    String name;
    String manifest;
    try {
      // JSON, read as the supervisor reads SHEPHERD_MANIFEST (YAML would put SnakeYAML in the
      // cache), and passed on as it is (JsonNode.toString would put Jackson's ObjectMapper in it).
      manifest = Files.readString(file);
      name = WorkflowFile.parseJson(file.toString(), manifest).name();
    } catch (IOException | WorkflowFile.InvalidFile e) {
      System.err.println("shepherd aot-training: " + e.getMessage());
      return 2;
    }

    HttpServer api;
    try {
      api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      System.err.println("shepherd aot-training: no local port for the stand-in API server: " + e);
      return 1;
    }
    String path = "/apis/" + Workflow.API_VERSION + "/namespaces/" + NAMESPACE + "/workflows/" + name + "/status";
    api.createContext(path, exchange -> answer(exchange, manifest));
    api.start();
    int supervised;
    try {
      Path terminationLog = Files.createTempFile("shepherd-aot-training", ".termination-log");
      String master = "http://127.0.0.1:" + api.getAddress().getPort() + "/";
      supervised = SuperviseCommand.run(new String[0], Map.of(
          "KUBERNETES_MASTER", master,
          "SHEPHERD_WORKFLOW", name,
          SuperviseCommand.MANIFEST_ENV, manifest,
          "SHEPHERD_NAMESPACE", NAMESPACE,
          "SHEPHERD_POD_NAME", name + "-supervisor",
          "SHEPHERD_TERMINATION_LOG", terminationLog.toString(),
          "SHEPHERD_GRACE_SECONDS", "2",
          "SHEPHERD_REPORT_TIMEOUT_SECONDS", "10"));
      Files.deleteIfExists(terminationLog);
    } catch (IOException e) {
      System.err.println("shepherd aot-training: " + e);
      return 1;
    } finally {
      api.stop(0);
    }
    if (supervised != 0) System.err.println("shepherd aot-training: supervise exited " + supervised);
    return supervised;
  }

  /** GET: the Workflow; PATCH (a merge patch of the status): the Workflow, as an API server answers. */
  private static void answer(HttpExchange exchange, String workflowJson) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      boolean known = List.of("GET", "PATCH").contains(exchange.getRequestMethod());
      byte[] body = (known ? workflowJson : "{\"kind\":\"Status\",\"code\":405}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(known ? 200 : 405, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
