package dev.shepherd.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the supervisor finds and authenticates to its API server, down to TLS with the Pod's CA. */
class ApiServerTest {
  @TempDir Path dir;

  @Test
  void inAPodItIsTheServiceHostOverHttps() {
    ApiServer server =
        ApiServer.fromEnvironment(
            Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"), dir);
    assertThat(server.url()).isEqualTo(URI.create("https://10.96.0.1:443"));
    assertThat(server.tokenFile()).as("no token file here").isNull();
    assertThat(server.caFile()).as("no ca.crt here: the JDK's trust").isNull();

    assertThat(
            ApiServer.fromEnvironment(
                    Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "6443"),
                    dir)
                .url())
        .isEqualTo(URI.create("https://[fd00::1]:6443"));
  }

  @Test
  void kubernetesMasterOverridesIt() {
    assertThat(
            ApiServer.fromEnvironment(
                    Map.of(
                        "KUBERNETES_MASTER",
                        "http://127.0.0.1:8080",
                        "KUBERNETES_SERVICE_HOST",
                        "10.96.0.1"),
                    dir)
                .url())
        .isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(
            ApiServer.fromEnvironment(Map.of("KUBERNETES_MASTER", "api.example:6443"), dir).url())
        .isEqualTo(URI.create("https://api.example:6443"));
  }

  @Test
  void withoutAnyAddressTheErrorSaysWhatIsMissing() {
    assertThatThrownBy(() -> ApiServer.fromEnvironment(Map.of(), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KUBERNETES_SERVICE_HOST is not set");
  }

  @Test
  void aCaFileWithoutCertificatesIsAClearErrorOfTheRequest() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
    ApiServer server =
        ApiServer.fromEnvironment(
            Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", "1"), dir);
    assertThat(server.caFile())
        .as("read when a connection opens, not before")
        .isEqualTo(dir.resolve("ca.crt"));
    try (WorkflowStatusApi api = new WorkflowStatusApi(server, "ns", "wf", Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> api.patch(new WorkflowStatus()))
          .isInstanceOf(StatusApi.ApiException.class)
          .hasMessageContaining(dir.resolve("ca.crt").toString())
          .satisfies(
              e ->
                  assertThat(((StatusApi.ApiException) e).retryable())
                      .as("the CA may be fixed")
                      .isTrue());
    }
  }

  /**
   * As for fabric8: KUBERNETES_CERTS_CA_FILE and KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN name other
   * files.
   */
  @Test
  void otherCaAndTokenFilesCanBeNamed() throws IOException {
    Path ca = Files.writeString(dir.resolve("cluster-ca.pem"), "x");
    Path token = Files.writeString(dir.resolve("my-token"), " t0ken\n");
    Files.writeString(dir.resolve("ca.crt"), "the service account's");
    ApiServer server =
        ApiServer.fromEnvironment(
            Map.of(
                "KUBERNETES_SERVICE_HOST",
                "10.96.0.1",
                ApiServer.CA_FILE_ENV,
                ca.toString(),
                ApiServer.TOKEN_FILE_ENV,
                token.toString()),
            dir);
    assertThat(server.caFile()).isEqualTo(ca);
    assertThat(server.token()).contains("t0ken");

    assertThat(
            ApiServer.fromEnvironment(
                    Map.of(
                        "KUBERNETES_MASTER",
                        "http://127.0.0.1:8080",
                        ApiServer.CA_FILE_ENV,
                        ca.toString()),
                    dir)
                .caFile())
        .as("no TLS, no CA")
        .isNull();
    assertThatThrownBy(
            () ->
                ApiServer.fromEnvironment(
                    Map.of(
                        "KUBERNETES_SERVICE_HOST",
                        "10.96.0.1",
                        ApiServer.CA_FILE_ENV,
                        dir.resolve("missing.pem").toString()),
                    dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ApiServer.CA_FILE_ENV)
        .hasMessageContaining("missing.pem");
  }

  /**
   * The in-Pod path end to end: an HTTPS server whose certificate only the service account's ca.crt
   * vouches for, a bearer token that the kubelet rotates between two requests.
   */
  @Test
  void itTrustsTheServiceAccountCaAndSendsTheCurrentToken() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path serviceAccount = dir.resolve("serviceaccount");
    selfSigned(keystore, "CN=kubernetes", "ip:127.0.0.1,dns:localhost", serviceAccount);
    Files.writeString(serviceAccount.resolve("token"), "first-token\n");

    List<String> seen = new CopyOnWriteArrayList<>();
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverContext(keystore)));
    https.createContext(
        "/",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            seen.add(
                exchange.getRequestMethod()
                    + " "
                    + exchange.getRequestURI().getPath()
                    + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    https.start();
    try {
      ApiServer server =
          ApiServer.fromEnvironment(
              Map.of(
                  "KUBERNETES_SERVICE_HOST",
                  "127.0.0.1",
                  "KUBERNETES_SERVICE_PORT",
                  String.valueOf(https.getAddress().getPort())),
              serviceAccount);
      assertThat(server.caFile()).isEqualTo(serviceAccount.resolve("ca.crt"));
      WorkflowStatus status = new WorkflowStatus();
      status.phase = WorkflowPhase.Running;
      try (WorkflowStatusApi api =
          new WorkflowStatusApi(server, "ns", "wf", Duration.ofSeconds(10))) {
        api.patch(status);
        Files.writeString(serviceAccount.resolve("token"), "rotated-token\n");
        api.patch(status);
      }
      String path = "/apis/shepherd.dev/v1alpha1/namespaces/ns/workflows/wf/status";
      assertThat(seen)
          .containsExactly(
              "PATCH " + path + " Bearer first-token", "PATCH " + path + " Bearer rotated-token");

      // The JDK's default trust does not know this CA: the connection fails, as it must.
      ApiServer untrusting = new ApiServer(server.url(), null, null);
      try (WorkflowStatusApi api =
          new WorkflowStatusApi(untrusting, "ns", "wf", Duration.ofSeconds(10))) {
        assertThatThrownBy(() -> api.patch(status))
            .isInstanceOf(StatusApi.ApiException.class)
            .hasMessageContaining("no CA file to trust")
            .satisfies(e -> assertThat(((StatusApi.ApiException) e).retryable()).isTrue());
      }
      assertThat(seen).hasSize(2);
    } finally {
      https.stop(0);
    }
  }

  /** A certificate from the trusted CA, but for another host: refused, as HTTPS requires. */
  @Test
  void aCertificateForAnotherHostIsRefused() throws Exception {
    Path keystore = dir.resolve("other.p12");
    Path serviceAccount = dir.resolve("other-sa");
    selfSigned(keystore, "CN=elsewhere.example", "dns:elsewhere.example", serviceAccount);
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverContext(keystore)));
    https.createContext(
        "/",
        exchange -> {
          try (exchange) {
            seen.add(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, -1);
          }
        });
    https.start();
    try {
      ApiServer server =
          ApiServer.fromEnvironment(
              Map.of(
                  "KUBERNETES_SERVICE_HOST",
                  "127.0.0.1",
                  "KUBERNETES_SERVICE_PORT",
                  String.valueOf(https.getAddress().getPort())),
              serviceAccount);
      try (WorkflowStatusApi api =
          new WorkflowStatusApi(server, "ns", "wf", Duration.ofSeconds(10))) {
        assertThatThrownBy(() -> api.patch(new WorkflowStatus()))
            .isInstanceOf(StatusApi.ApiException.class)
            .hasMessageContaining("127.0.0.1");
      }
      assertThat(seen).as("no request reached the server").isEmpty();
    } finally {
      https.stop(0);
    }
  }

  /**
   * A server key and self-signed certificate in {@code keystore}, the certificate as {@code
   * serviceAccount}/ca.crt.
   */
  private static void selfSigned(Path keystore, String dname, String san, Path serviceAccount)
      throws Exception {
    keytool(
        "-genkeypair",
        "-alias",
        "api",
        "-keyalg",
        "EC",
        "-dname",
        dname,
        "-ext",
        "san=" + san,
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "secret");
    Files.createDirectories(serviceAccount);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "api",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "secret",
        "-file",
        serviceAccount.resolve("ca.crt").toString());
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool " + String.join(" ", args) + ":\n" + output).isZero();
  }

  private static SSLContext serverContext(Path keystore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, "secret".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "secret".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }
}
