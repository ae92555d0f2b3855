package dev.shepherd.supervisor.report;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link StatusApi} over fabric8's HTTP client (so the in-cluster token and CA are used), with the
 * requests spelled out: {@code GET} and {@code PATCH} (merge patch) of
 * {@code /apis/shepherd.dev/v1alpha1/namespaces/NS/workflows/NAME/status}, and nothing else.
 *
 * <p>One request is one attempt: the client should be built with {@link #configure} (no retries of
 * its own), since {@link StatusReporter} does the retrying and must always send the latest status.
 */
public final class WorkflowStatusApi implements StatusApi {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String url;
  private final Duration timeout;

  public WorkflowStatusApi(KubernetesClient client, String namespace, String name, Duration timeout) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.timeout = timeout;
    String master = client.getMasterUrl().toString();
    this.url = (master.endsWith("/") ? master : master + "/") + "apis/" + Workflow.API_VERSION
        + "/namespaces/" + namespace + "/workflows/" + name + "/status";
  }

  /** The User-Agent of the supervisor's requests, so they can be told apart in audit logs. */
  public static final String USER_AGENT = "shepherd-supervisor";

  /**
   * Turns off the client's own retries (one call, one request), bounds the connection time, and
   * names the supervisor in the User-Agent header.
   */
  public static Config configure(Config config) {
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(5_000);
    config.setUserAgent(USER_AGENT);
    return config;
  }

  /** The URL of the status subresource; the only one this class requests. */
  public String url() {
    return url;
  }

  @Override
  public Workflow read() throws ApiException {
    String body = send(client.getHttpClient().newHttpRequestBuilder().uri(url), "read");
    return client.getKubernetesSerialization().unmarshal(body, Workflow.class);
  }

  @Override
  public void patch(WorkflowStatus status) throws ApiException {
    send(client.getHttpClient().newHttpRequestBuilder().uri(url).patch(StatusPatch.CONTENT_TYPE,
        StatusPatch.of(status)), "patch the status of");
  }

  private String send(HttpRequest.Builder builder, String what) throws ApiException {
    String target = "workflow " + namespace + "/" + name;
    HttpRequest request = builder.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build();
    HttpResponse<String> response;
    try {
      response = client.getHttpClient().sendAsync(request, String.class)
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ApiException(0, "cannot " + what + " " + target + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new ApiException(0, "cannot " + what + " " + target + ": no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted while trying to " + what + " " + target, e);
    }
    if (!response.isSuccessful()) {
      String body = response.body() == null ? "" : response.body();
      throw new ApiException(response.code(), "cannot " + what + " " + target + ": HTTP " + response.code()
          + " from " + url + (body.isBlank() ? "" : ": " + abbreviate(body.strip())), null);
    }
    return response.body();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
