package dev.shepherd.cli;

import dev.shepherd.api.Workflow;
import dev.shepherd.cli.run.WorkflowFile;
import dev.shepherd.supervisor.report.ApiConnection;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * {@code shepherd aot-training FILE.json [KEYSTORE.p12]}, for the build only: the training run of
 * the supervisor runtime's AOT cache for {@code supervise} ({@code mvn package} runs it through the
 * launcher with {@code -XX:AOTCacheOutput=shepherd-supervise.aot}). It runs {@code supervise} of
 * the file's first Workflow, carried in {@code SHEPHERD_MANIFEST} as a Pod carries it, against a
 * stand-in for the API server in this JVM (GET and PATCH of the Workflow's status, which is all
 * the supervisor asks for), so the cache holds what {@code supervise} starts with: the manifest's
 * binding, the API connection and the status patches. With a keystore (PKCS12, password
 * {@value #KEYSTORE_PASSWORD}, whose first key's certificate names 127.0.0.1; the build makes one
 * with keytool), the stand-in speaks HTTPS and the supervisor reaches it as in a Pod, through
 * {@code KUBERNETES_SERVICE_HOST}, a CA file and a token file: the cache then holds TLS too, which
 * every supervisor in a cluster needs. (Not the GET, which only a workflow too large for the
 * variable needs: its JSON binding would load fabric8's model into every supervisor.) ({@code run}
 * has a cache of its own, trained by a plain {@code shepherd run}: one cache for both would load
 * the client's classes into every {@code run} too.)
 *
 * <p>The stand-in is a plain (or TLS) server socket, not the JDK's HTTP server: every class the
 * training loads is loaded again by every supervisor that uses the cache.
 */
final class AotTraining {
  static final String KEYSTORE_PASSWORD = "aot-training";
  private static final String NAMESPACE = "aot-training";

  private AotTraining() {}

  static int run(String[] args) {
    if (args.length != 1 && args.length != 2) {
      System.err.println("usage: shepherd aot-training FILE.json [KEYSTORE.p12] (the build's training run of the AOT cache)");
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
    String path = "/apis/" + Workflow.API_VERSION + "/namespaces/" + NAMESPACE + "/workflows/" + name + "/status";
    Path work = null;
    try {
      work = Files.createTempDirectory("shepherd-aot-training");
      Map<String, String> env = new HashMap<>();
      SSLContext tls = null;
      if (args.length == 2) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
          keys.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, KEYSTORE_PASSWORD.toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        byte[] certificate = keys.getCertificate(keys.aliases().nextElement()).getEncoded();
        env.put("KUBERNETES_CERTS_CA_FILE", Files.writeString(work.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate)
            + "\n-----END CERTIFICATE-----\n").toString());
        env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", Files.writeString(work.resolve("token"), "aot-training\n").toString());
      }
      try (StandIn api = new StandIn(tls == null ? ServerSocketFactory.getDefault() : tls.getServerSocketFactory(),
          path, manifest)) {
        if (tls != null) {
          env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
          env.put("KUBERNETES_SERVICE_PORT", String.valueOf(api.port()));
        } else {
          env.put("KUBERNETES_MASTER", "http://127.0.0.1:" + api.port() + "/");
        }
        env.put("SHEPHERD_WORKFLOW", name);
        env.put(SuperviseCommand.MANIFEST_ENV, manifest);
        env.put("SHEPHERD_NAMESPACE", NAMESPACE);
        env.put("SHEPHERD_POD_NAME", name + "-supervisor");
        env.put("SHEPHERD_TERMINATION_LOG", work.resolve("termination-log").toString());
        env.put("SHEPHERD_GRACE_SECONDS", "2");
        env.put("SHEPHERD_REPORT_TIMEOUT_SECONDS", "10");
        int supervised = SuperviseCommand.run(new String[0], Map.copyOf(env));
        if (supervised != 0) System.err.println("shepherd aot-training: supervise exited " + supervised);
        return supervised;
      }
    } catch (IOException | GeneralSecurityException e) {
      System.err.println("shepherd aot-training: " + e);
      return 1;
    } finally {
      if (work != null) {
        try (var files = Files.list(work)) {
          for (Path f : files.toList()) Files.deleteIfExists(f);
          Files.deleteIfExists(work);
        } catch (IOException e) {
          // a temporary directory left behind
        }
      }
    }
  }

  /**
   * The stand-in API server: on loopback, one thread per connection, keep-alive; GET and PATCH of
   * {@code path} are answered with the Workflow, as an API server answers; anything else is a 404.
   */
  private static final class StandIn implements AutoCloseable {
    private final ServerSocket listener;
    private final String path;
    private final byte[] workflow;

    StandIn(ServerSocketFactory sockets, String path, String workflowJson) throws IOException {
      this.listener = sockets.createServerSocket(0, 16, InetAddress.getLoopbackAddress());
      this.path = path;
      this.workflow = workflowJson.getBytes(StandardCharsets.UTF_8);
      Thread acceptor = new Thread(this::accept, "aot-training-api");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket connection = listener.accept();
          Thread serving = new Thread(() -> serve(connection), "aot-training-api-connection");
          serving.setDaemon(true);
          serving.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket connection) {
      try (connection; InputStream in = new BufferedInputStream(connection.getInputStream());
           OutputStream out = connection.getOutputStream()) {
        for (int first = in.read(); first >= 0; first = in.read()) {
          String requestLine = ApiConnection.line(in, first);
          long length = 0;
          for (String header = ApiConnection.line(in, -1); !header.isEmpty(); header = ApiConnection.line(in, -1)) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Long.parseLong(header.substring("content-length:".length()).strip());
            }
          }
          in.skipNBytes(length);
          String[] parts = requestLine.split(" ");
          boolean known = parts.length == 3 && parts[1].equals(path) && (parts[0].equals("GET") || parts[0].equals("PATCH"));
          byte[] body = known ? workflow : "{\"kind\":\"Status\",\"code\":404}".getBytes(StandardCharsets.UTF_8);
          out.write(((known ? "HTTP/1.1 200 OK" : "HTTP/1.1 404 Not Found") + "\r\nContent-Type: application/json"
              + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        }
      } catch (IOException | RuntimeException e) {
        // the supervisor closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
