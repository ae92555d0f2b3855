package dev.shepherd.cli;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.wire.CarriedManifest;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * {@code java -cp shepherd.jar dev.shepherd.cli.AotTraining FILE.json COMMAND...}, for the build
 * only: the harness of the training run of the supervisor runtime's {@code supervise} AOT cache.
 * {@code mvn package} runs it on the build's JDK with COMMAND = {@code RUNTIME/bin/shepherd
 * supervise} and {@code SHEPHERD_JAVA_OPTIONS=-XX:AOTCacheOutput=RUNTIME/shepherd-supervise.aot},
 * which the child inherits.
 *
 * <p>The child is a supervisor as a Pod starts it, and nothing else: the file's Workflow in {@code
 * SHEPHERD_MANIFEST}, the API server reached through {@code KUBERNETES_SERVICE_HOST} over HTTPS,
 * trusted through a CA file, with a token file. The stand-in API server (GET and PATCH of the
 * Workflow's status, answered with the Workflow) runs here, in the harness's JVM, as do the keytool
 * runs that make its certificate: a cluster's shape, a CA (RSA 2048, as kubeadm, EKS, GKE and AKS
 * make them) that signs the server's certificate for 127.0.0.1. Every class the training loads is
 * in the cache, and the JVM loads every class of the cache into every supervisor at start-up: a
 * server's TLS, key stores and key managers have no business there.
 */
public final class AotTraining {
  private static final String NAMESPACE = "aot-training";
  private static final String PASSWORD = "aot-training";

  private AotTraining() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length < 2) {
      System.err.println(
          "usage: AotTraining FILE.json COMMAND... (the build's training run of the supervise AOT cache)");
      return 2;
    }
    Path file = Path.of(args[0]);
    List<String> command = Arrays.asList(args).subList(1, args.length);
    String name;
    String manifest;
    try {
      manifest = Files.readString(file);
      name = CarriedManifest.read(manifest).name();
    } catch (IOException | CarriedManifest.Unreadable e) {
      System.err.println("AotTraining: " + e.getMessage());
      return 2;
    }
    if (name == null) {
      System.err.println("AotTraining: " + file + " has no metadata.name");
      return 2;
    }
    String path =
        "/apis/"
            + Workflow.API_VERSION
            + "/namespaces/"
            + NAMESPACE
            + "/workflows/"
            + name
            + "/status";
    Path work = null;
    try {
      work = Files.createTempDirectory("shepherd-aot-training");
      Path keystore = clusterKeys(work);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        keys.load(in, PASSWORD.toCharArray());
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
      try (StandIn api =
          new StandIn(
              tls.getServerSocketFactory()
                  .createServerSocket(0, 16, InetAddress.getLoopbackAddress()),
              path,
              manifest)) {
        ProcessBuilder supervisor = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = supervisor.environment();
        env.remove("KUBECONFIG");
        env.remove("KUBERNETES_MASTER");
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", String.valueOf(api.port()));
        env.put("KUBERNETES_CERTS_CA_FILE", work.resolve("ca.crt").toString());
        env.put(
            "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN",
            Files.writeString(work.resolve("token"), "aot-training\n").toString());
        env.put("SHEPHERD_WORKFLOW", name);
        env.put(CarriedManifest.ENV, manifest);
        env.put("SHEPHERD_NAMESPACE", NAMESPACE);
        env.put("SHEPHERD_POD_NAME", name + "-supervisor");
        env.put("SHEPHERD_TERMINATION_LOG", work.resolve("termination-log").toString());
        env.put("SHEPHERD_OUTPUTS_DIR", Files.createDirectory(work.resolve("outputs")).toString());
        env.put("SHEPHERD_GRACE_SECONDS", "2");
        env.put("SHEPHERD_REPORT_TIMEOUT_SECONDS", "10");
        Process process = supervisor.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          System.err.println(
              "AotTraining: " + String.join(" ", command) + " did not end within 5 minutes");
          return 1;
        }
        if (process.exitValue() != 0) {
          System.err.println(
              "AotTraining: " + String.join(" ", command) + " exited " + process.exitValue());
        }
        return process.exitValue();
      }
    } catch (IOException | GeneralSecurityException e) {
      System.err.println("AotTraining: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      if (work != null) {
        try (var files = Files.list(work)) {
          for (Path f : files.toList()) {
            Files.deleteIfExists(f);
          }
          Files.deleteIfExists(work);
        } catch (IOException e) {
          // a temporary directory left behind
        }
      }
    }
  }

  /**
   * A cluster's keys, made with the JDK's keytool in {@code dir}: {@code ca.crt}, the CA's
   * certificate (PEM), and {@code keys.p12} (password {@value #PASSWORD}), whose {@code api} entry
   * is the API server's key with its certificate for 127.0.0.1, signed by the CA.
   */
  static Path clusterKeys(Path dir) throws IOException, InterruptedException {
    Path keystore = dir.resolve("keys.p12");
    List<String> store =
        List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keystore", keystore.toString());
    keytool(
        dir,
        store,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=kubernetes-ca",
        "-ext",
        "bc:c",
        "-sigalg",
        "SHA256withRSA",
        "-validity",
        "2");
    keytool(
        dir,
        store,
        "-genkeypair",
        "-alias",
        "api",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=kube-apiserver",
        "-validity",
        "2");
    keytool(dir, store, "-certreq", "-alias", "api", "-file", dir.resolve("api.csr").toString());
    keytool(
        dir,
        store,
        "-gencert",
        "-alias",
        "ca",
        "-infile",
        dir.resolve("api.csr").toString(),
        "-outfile",
        dir.resolve("api.crt").toString(),
        "-ext",
        "san=ip:127.0.0.1",
        "-ext",
        "eku=serverAuth",
        "-sigalg",
        "SHA256withRSA",
        "-validity",
        "2");
    keytool(
        dir,
        store,
        "-importcert",
        "-alias",
        "api",
        "-file",
        dir.resolve("api.crt").toString(),
        "-noprompt");
    keytool(
        dir,
        store,
        "-exportcert",
        "-alias",
        "ca",
        "-rfc",
        "-file",
        dir.resolve("ca.crt").toString());
    return keystore;
  }

  private static void keytool(Path dir, List<String> store, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(store);
    Process keytool =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (keytool.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output.strip());
    }
  }

  /**
   * The stand-in API server: one thread per connection, keep-alive; GET and PATCH of {@code path}
   * are answered with the Workflow, as an API server answers; anything else is a 404.
   */
  private static final class StandIn implements AutoCloseable {
    private final ServerSocket listener;
    private final String path;
    private final byte[] workflow;

    StandIn(ServerSocket listener, String path, String workflowJson) {
      this.listener = listener;
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
      try (connection;
          InputStream in = new BufferedInputStream(connection.getInputStream());
          OutputStream out = connection.getOutputStream()) {
        for (int first = in.read(); first >= 0; first = in.read()) {
          String requestLine = ApiConnection.line(in, first);
          long length = 0;
          for (String header = ApiConnection.line(in, -1);
              !header.isEmpty();
              header = ApiConnection.line(in, -1)) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Long.parseLong(header.substring("content-length:".length()).strip());
            }
          }
          in.skipNBytes(length);
          String[] parts = requestLine.split(" ");
          boolean known =
              parts.length == 3
                  && parts[1].equals(path)
                  && (parts[0].equals("GET") || parts[0].equals("PATCH"));
          byte[] body =
              known
                  ? workflow
                  : "{\"kind\":\"Status\",\"code\":404}".getBytes(StandardCharsets.UTF_8);
          out.write(
              ((known ? "HTTP/1.1 200 OK" : "HTTP/1.1 404 Not Found")
                      + "\r\nContent-Type: application/json"
                      + "\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
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
