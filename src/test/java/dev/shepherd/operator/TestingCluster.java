package dev.shepherd.operator;

import dev.shepherd.api.CrdGeneration;
import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;

/**
 * An API server for tests: the fabric8 mock server in CRUD mode, with the generated Workflow CRD
 * installed first so that the status subresource behaves as in a cluster. It does no server-side
 * apply and no garbage collection.
 */
public final class TestingCluster implements AutoCloseable {
  public static final String NAMESPACE = "test";

  public final KubernetesMockServer server;
  public final KubernetesClient client;

  public TestingCluster() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    client = server.createClient();
    try (var in = new FileInputStream(CrdGeneration.generate().toFile())) {
      client.apiextensions().v1().customResourceDefinitions().load(in).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Workflow create(Workflow workflow) {
    if (workflow.getMetadata().getNamespace() == null) {
      workflow.getMetadata().setNamespace(NAMESPACE);
    }
    return client.resource(workflow).create();
  }

  public Workflow get(String name) {
    return client.resources(Workflow.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public List<Pod> pods(String workflow) {
    return client.pods().inNamespace(NAMESPACE).withLabel(StepPodBuilder.WORKFLOW_LABEL, workflow).list().getItems();
  }

  public Pod pod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  public List<Event> events() {
    return client.v1().events().inNamespace(NAMESPACE).list().getItems();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
