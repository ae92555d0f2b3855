package dev.shepherd.cli.kubectl;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.cli.run.TerminalSize;
import dev.shepherd.engine.PinnedSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintStream;
import java.time.Clock;

/** One invocation's connection, namespace, streams and clock. */
record Session(
    KubernetesClient client,
    String namespace,
    PrintStream out,
    PrintStream err,
    Clock clock,
    boolean live) {
  static final String WORKFLOWS = "workflows.shepherd.dev";

  /** Whether stdout is a terminal the live table can be drawn on. */
  static boolean terminal() {
    return TerminalSize.stdoutIsTerminal(System.getenv("TERM"));
  }

  Resource<Workflow> workflowResource(String name) {
    return client.resources(Workflow.class).inNamespace(namespace).withName(name);
  }

  /** The Workflow, or the NotFound kubectl would print. */
  Workflow workflow(String name) throws KubectlCommand.Failure {
    Workflow w = workflowResource(name).get();
    if (w == null) {
      throw KubectlCommand.Failure.notFound(WORKFLOWS, name);
    }
    return w;
  }

  /**
   * The spec the Workflow runs: its own, or with the templates the operator pinned in its status
   * laid over and expanded.
   */
  WorkflowSpec runSpec(Workflow w) {
    var json = client.getKubernetesSerialization();
    return PinnedSpec.of(
        w.getSpec(), w.getStatus(), text -> json.unmarshal(text, WorkflowSpec.class));
  }

  /**
   * The Workflow as a generic object: what the plugin writes goes through it, so that it works with
   * a Workflow whose fields this version's model does not know.
   */
  Resource<GenericKubernetesResource> genericResource(String name) {
    return client
        .genericKubernetesResources(Workflow.API_VERSION, "Workflow")
        .inNamespace(namespace)
        .withName(name);
  }

  /** The Workflow as a generic object, or the NotFound kubectl would print. */
  GenericKubernetesResource generic(String name) throws KubectlCommand.Failure {
    GenericKubernetesResource w = genericResource(name).get();
    if (w == null) {
      throw KubectlCommand.Failure.notFound(WORKFLOWS, name);
    }
    return w;
  }

  /**
   * A JSON merge patch of the Workflow's spec, as {@code kubectl patch --type merge}: no
   * resourceVersion, so it never conflicts with the operator's status writes.
   */
  void patchSpec(String name, String specJson) {
    genericResource(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }
}
