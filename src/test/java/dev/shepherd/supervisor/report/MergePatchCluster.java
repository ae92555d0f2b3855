package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.CrdGeneration;
import dev.shepherd.api.Workflow;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@link TestingCluster}'s mock API server (CRUD mode, the generated CRD installed), with one fix:
 * a JSON merge patch is applied as RFC 7386 and a real API server apply it. The fabric8 7.5 mock
 * merges with Jackson's {@code readerForUpdating}, which APPENDS a patch's array to the stored
 * one (a status patched twice with 3 steps would hold 6) and stores nulls instead of removing the
 * field. The supervisor's merge patches replace {@code steps} and {@code conditions} as a whole,
 * so its tests need the real semantics.
 */
final class MergePatchCluster implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;

  MergePatchCluster() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new Rfc7386Dispatcher(), false);
    server.init();
    client = server.createClient();
    try (var in = new FileInputStream(CrdGeneration.generate().toFile())) {
      client.apiextensions().v1().customResourceDefinitions().load(in).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Workflow create(Workflow workflow) {
    if (workflow.getMetadata().getNamespace() == null) workflow.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    return client.resource(workflow).create();
  }

  Workflow get(String name) {
    return client.resources(Workflow.class).inNamespace(TestingCluster.NAMESPACE).withName(name).get();
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** RFC 7386, section 2: objects merge member by member, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) return patch.deepCopy();
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy()
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
    Rfc7386Dispatcher() {
      super(List.of());
    }

    @Override
    public JsonNode merge(JsonNode existing, String patch) throws KubernetesCrudDispatcherException {
      try {
        return mergePatch(existing, Serialization.jsonMapper().readTree(patch));
      } catch (JsonProcessingException e) {
        throw new KubernetesCrudDispatcherException(e.getMessage(), 422);
      }
    }
  }
}
