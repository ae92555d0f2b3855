package dev.shepherd.supervisor.report;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link StatusApi} over the JDK's HTTP client, with the requests spelled out: {@code GET} and
 * {@code PATCH} (merge patch) of {@code /apis/shepherd.dev/v1alpha1/namespaces/NS/workflows/NAME/status},
 * and nothing else. One call is one request: {@link StatusReporter} does the retrying, and must
 * always send the latest status.
 *
 * <p>The client is built on the first request, on the caller's thread: the supervisor's first
 * request comes from the reporter's thread, after its first step has started.
 */
public final class WorkflowStatusApi implements StatusApi, AutoCloseable {
  /** The User-Agent of the supervisor's requests, so they can be told apart in audit logs. */
  public static final String USER_AGENT = "shepherd-supervisor";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final ApiServer server;
  private final String namespace;
  private final String name;
  private final URI url;
  private final Duration timeout;
  private HttpClient client; // guarded by this

  public WorkflowStatusApi(ApiServer server, String namespace, String name, Duration timeout) {
    this.server = server;
    this.namespace = namespace;
    this.name = name;
    this.timeout = timeout;
    String master = server.url().toString();
    this.url = URI.create((master.endsWith("/") ? master : master + "/") + "apis/" + Workflow.API_VERSION
        + "/namespaces/" + namespace + "/workflows/" + name + "/status");
  }

  /** The URL of the status subresource; the only one this class requests. */
  public URI url() {
    return url;
  }

  @Override
  public Workflow read() throws ApiException {
    String body = send(request().GET(), "read");
    return new KubernetesSerialization().unmarshal(body, Workflow.class);
  }

  @Override
  public void patch(WorkflowStatus status) throws ApiException {
    send(request().header("Content-Type", StatusPatch.CONTENT_TYPE)
        .method("PATCH", HttpRequest.BodyPublishers.ofString(StatusPatch.of(status), StandardCharsets.UTF_8)),
        "patch the status of");
  }

  private HttpRequest.Builder request() throws ApiException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(timeout)
        .header("User-Agent", USER_AGENT).header("Accept", "application/json");
    try {
      Optional<String> token = server.token();
      if (token.isPresent()) builder.header("Authorization", "Bearer " + token.get());
    } catch (IOException e) {
      throw new ApiException(0, "cannot read the service account token " + server.tokenFile() + ": " + e, e);
    }
    return builder;
  }

  private synchronized HttpClient client() {
    if (client == null) {
      // HTTP/1.1: a handful of requests on one connection; and no h2c upgrade against a plain-http
      // server, which can fail after the server took the request (seen with the mock server).
      HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT);
      if (server.ssl() != null) builder.sslContext(server.ssl());
      client = builder.build();
    }
    return client;
  }

  private String send(HttpRequest.Builder builder, String what) throws ApiException {
    String target = "workflow " + namespace + "/" + name;
    HttpResponse<String> response;
    try {
      response = client().send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (java.net.http.HttpTimeoutException e) {
      throw new ApiException(0, "cannot " + what + " " + target + ": no answer within " + timeout, e);
    } catch (IOException e) {
      throw new ApiException(0, "cannot " + what + " " + target + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted while trying to " + what + " " + target, e);
    }
    int code = response.statusCode();
    if (code < 200 || code >= 300) {
      String body = response.body() == null ? "" : response.body();
      throw new ApiException(code, "cannot " + what + " " + target + ": HTTP " + code
          + " from " + url + (body.isBlank() ? "" : ": " + abbreviate(body.strip())), null);
    }
    return response.body();
  }

  /** Closes the connection and the client's thread, if a request was made. */
  @Override
  public synchronized void close() {
    if (client != null) client.close();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
