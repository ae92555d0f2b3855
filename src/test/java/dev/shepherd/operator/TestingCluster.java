package dev.shepherd.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.CrdGeneration;
import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An API server for tests: the fabric8 mock server in CRUD mode, with the generated CRDs (Workflow,
 * CronWorkflow) installed first so that the status subresource behaves as in a cluster. It does no
 * server-side apply and no garbage collection. One fix: a JSON merge patch is applied as RFC 7386
 * says and a real API server does. The fabric8 7.5 mock merges with Jackson's {@code
 * readerForUpdating}, which APPENDS a patch's array to the stored one (a status patched twice with
 * 3 steps would hold 6) and stores nulls instead of removing the field; the supervisor's merge
 * patches replace {@code steps} and {@code conditions} as a whole. Two more: an update (PUT) naming
 * a resourceVersion other than the stored one is refused with 409, as by a real API server; and a
 * test can have the next request of its choice refused ({@link #refuseNext}), also as invalid
 * ({@link #refuseNextAsInvalid}), as a real API server refuses what the mock does not validate.
 */
public final class TestingCluster implements AutoCloseable {
  public static final String NAMESPACE = "test";

  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> refusals = new ConcurrentHashMap<>();
  private final Map<String, String> invalids = new ConcurrentHashMap<>();
  private final Map<String, String> logs = new ConcurrentHashMap<>();

  public TestingCluster() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new Rfc7386Dispatcher(requests, refusals, invalids, logs),
            false);
    server.init();
    client = server.createClient();
    installCrds(client);
  }

  /** Creates the generated CRDs, as {@code kubectl apply -k deploy/} would. */
  public static void installCrds(KubernetesClient client) {
    java.nio.file.Path crds = CrdGeneration.generate().getParent();
    for (String name : CrdGeneration.FILE_NAMES) {
      try (var in = new FileInputStream(crds.resolve(name).toFile())) {
        client.apiextensions().v1().customResourceDefinitions().load(in).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public Workflow create(Workflow workflow) {
    if (workflow.getMetadata().getNamespace() == null) {
      workflow.getMetadata().setNamespace(NAMESPACE);
    }
    return client.resource(workflow).create();
  }

  /**
   * A merge patch of the Workflow's spec, as {@code kubectl patch --type merge -p '{"spec":..}'}.
   */
  public Workflow patchSpec(String name, String spec) {
    return dev.shepherd.testing.SpecPatch.merge(client, NAMESPACE, name, spec);
  }

  public int port() {
    return server.getPort();
  }

  public Workflow get(String name) {
    return client.resources(Workflow.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public List<Pod> pods(String workflow) {
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(StepPodBuilder.WORKFLOW_LABEL, workflow)
        .list()
        .getItems();
  }

  public Pod pod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  /**
   * Answers the next request {@code method path} (the path without its query) with {@code code} and
   * changes nothing, as an API server that refuses it.
   */
  public void refuseNext(String method, String path, int code) {
    refusals.put(method + " " + path, code);
  }

  /**
   * Answers the next request {@code method path} as an API server answers an object it finds
   * invalid: 422, with the field and the sentence of the cause, and changes nothing.
   */
  /**
   * The next {@code method} on {@code path} is refused as an admission plugin refuses it: 403
   * Forbidden, "{@code <kind> "<name>" is forbidden: <message>}".
   */
  public void refuseNextAsForbidden(String method, String path, String message) {
    invalids.put(
        method + " " + path,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
            + "\"Forbidden\",\"code\":403,\"message\":"
            + Serialization.asJson("pods \"x\" is forbidden: " + message)
            + "}");
  }

  public void refuseNextAsInvalid(String method, String path, String field, String message) {
    String cause =
        Serialization.asJson(
            Map.of("reason", "FieldValueInvalid", "field", field, "message", message));
    invalids.put(
        method + " " + path,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
            + "\"Invalid\",\"code\":422,\"message\":"
            + Serialization.asJson(field + ": " + message)
            + ",\"details\":{\"causes\":["
            + cause
            + "]}}");
  }

  /**
   * The log the API server gives of a Pod of {@link #NAMESPACE} (the mock keeps none of its own):
   * all of it at once, also when followed.
   */
  public void log(String pod, String text) {
    logs.put("GET /api/v1/namespaces/" + NAMESPACE + "/pods/" + pod + "/log", text);
  }

  /** Every request so far, each as "METHOD path" (the path without its query). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  public List<Event> events() {
    return client.v1().events().inNamespace(NAMESPACE).list().getItems();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** RFC 7386, section 2: objects merge member by member, null removes, anything else replaces. */
  public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? (ObjectNode) target.deepCopy()
            : Serialization.jsonMapper().createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      if (member.getValue().isNull()) {
        result.remove(member.getKey());
      } else {
        result.set(member.getKey(), mergePatch(result.get(member.getKey()), member.getValue()));
      }
    }
    return result;
  }

  private static final class Rfc7386Dispatcher extends KubernetesCrudDispatcher {
    private final List<String> requests;
    private final Map<String, Integer> refusals;
    private final Map<String, String> invalids;
    private final Map<String, String> logs;

    Rfc7386Dispatcher(
        List<String> requests,
        Map<String, Integer> refusals,
        Map<String, String> invalids,
        Map<String, String> logs) {
      super(List.of());
      this.requests = requests;
      this.refusals = refusals;
      this.invalids = invalids;
      this.logs = logs;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      String line =
          request.getMethod()
              + " "
              + (path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
      requests.add(line);
      Integer code = refusals.remove(line);
      if (code != null) {
        return failure(code, "refused by the test");
      }
      String invalid = invalids.remove(line);
      if (invalid != null) {
        int status = invalid.contains("\"code\":403") ? 403 : 422;
        return new MockResponse().setResponseCode(status).setBody(invalid);
      }
      String log = logs.get(line);
      if (log != null) {
        return new MockResponse().setResponseCode(200).setBody(log);
      }
      if ("PUT".equals(request.getMethod()) && stale(request, line.substring("PUT ".length()))) {
        return failure(409, "the object has been modified");
      }
      return super.dispatch(request);
    }

    /**
     * A real API server refuses an update that names a resourceVersion other than the stored one;
     * the mock does not.
     */
    private boolean stale(RecordedRequest request, String path) {
      String sent =
          resourceVersion(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      MockResponse stored =
          handleGet(
              path.endsWith("/status")
                  ? path.substring(0, path.length() - "/status".length())
                  : path);
      String current =
          stored.getBody() == null ? null : resourceVersion(stored.getBody().readUtf8());
      return sent != null && current != null && !sent.equals(current);
    }

    private static MockResponse failure(int code, String message) {
      return new MockResponse()
          .setResponseCode(code)
          .setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                  + "\"status\":\"Failure\",\"code\":"
                  + code
                  + ",\"message\":\""
                  + message
                  + "\"}");
    }

    private static String resourceVersion(String json) {
      try {
        JsonNode version =
            Serialization.jsonMapper().readTree(json).path("metadata").path("resourceVersion");
        return version.isTextual() ? version.asText() : null;
      } catch (JsonProcessingException e) {
        return null;
      }
    }

    @Override
    public JsonNode merge(JsonNode existing, String patch)
        throws KubernetesCrudDispatcherException {
      try {
        return mergePatch(existing, Serialization.jsonMapper().readTree(patch));
      } catch (JsonProcessingException e) {
        throw new KubernetesCrudDispatcherException(e.getMessage(), 422);
      }
    }
  }
}
