package dev.shepherd.supervisor.report;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.SpecControl;
import dev.shepherd.api.wire.StatusPatch;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link StatusApi} over HTTP/1.1 ({@link ApiConnection}), with the requests spelled out: {@code
 * GET} and {@code PATCH} (merge patch) of {@code
 * /apis/shepherd.dev/v1alpha1/namespaces/NS/workflows/NAME/status}, and nothing else. One call is
 * one request: {@link StatusReporter} does the retrying, and must always send the latest status.
 *
 * <p>The connection is opened on the first request, on the caller's thread: the supervisor's first
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
  private final ApiConnection connection;

  public WorkflowStatusApi(ApiServer server, String namespace, String name, Duration timeout) {
    this.server = server;
    this.namespace = namespace;
    this.name = name;
    this.timeout = timeout;
    String master = server.url().toString();
    this.url =
        URI.create(
            (master.endsWith("/") ? master : master + "/")
                + "apis/"
                + Workflow.API_VERSION
                + "/namespaces/"
                + namespace
                + "/workflows/"
                + name
                + "/status");
    this.connection = new ApiConnection(server.url(), server::ssl, CONNECT_TIMEOUT, timeout);
  }

  /** The URL of the status subresource; the only one this class requests. */
  public URI url() {
    return url;
  }

  @Override
  public Workflow read() throws ApiException {
    String body = send("GET", null, "read");
    return new KubernetesSerialization().unmarshal(body, Workflow.class);
  }

  @Override
  public SpecControl control() throws ApiException {
    return SpecControl.read(send("GET", null, "read"));
  }

  @Override
  public void patch(WorkflowStatus status) throws ApiException {
    send("PATCH", StatusPatch.of(status), "patch the status of");
  }

  private String send(String method, String body, String what) throws ApiException {
    String target = "workflow " + namespace + "/" + name;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", USER_AGENT);
    headers.put("Accept", "application/json");
    if (body != null) {
      headers.put("Content-Type", StatusPatch.CONTENT_TYPE);
    }
    try {
      Optional<String> token = server.token();
      if (token.isPresent()) {
        headers.put("Authorization", "Bearer " + token.get());
      }
    } catch (IOException e) {
      throw new ApiException(
          0, "cannot read the service account token " + server.tokenFile() + ": " + e, e);
    }
    ApiConnection.Response response;
    try {
      response = connection.send(method, url.getRawPath(), headers, body);
    } catch (SocketTimeoutException e) {
      throw new ApiException(
          0, "cannot " + what + " " + target + ": no answer within " + timeout, e);
    } catch (IOException e) {
      throw new ApiException(0, "cannot " + what + " " + target + ": " + e, e);
    }
    int code = response.code();
    if (code < 200 || code >= 300) {
      String text = response.body();
      throw new ApiException(
          code,
          "cannot "
              + what
              + " "
              + target
              + ": HTTP "
              + code
              + " from "
              + url
              + (text.isBlank() ? "" : ": " + abbreviate(text.strip())),
          null);
    }
    return response.body();
  }

  /** Closes the connection; a request in progress fails. */
  @Override
  public void close() {
    connection.close();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
