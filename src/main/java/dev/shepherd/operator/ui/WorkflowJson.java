package dev.shepherd.operator.ui;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.PinnedSpec;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What the UI is sent of a Workflow: its name, namespace and creation time, its spec without any
 * environment (a step's env values may hold secrets, and valueFrom names Secrets), and its status.
 * The steps of a Workflow run from a template are the template's, as the operator resolved them.
 */
final class WorkflowJson {
  /** Fields never sent, wherever they are in the spec. */
  private static final Set<String> HIDDEN = Set.of("env", "envFrom");

  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private WorkflowJson() {}

  static ObjectNode of(Workflow w) {
    ObjectNode view = JSON.createObjectNode();
    ObjectNode metadata = view.putObject("metadata");
    metadata.put("namespace", w.getMetadata().getNamespace());
    metadata.put("name", w.getMetadata().getName());
    metadata.put("creationTimestamp", w.getMetadata().getCreationTimestamp());
    metadata.put("uid", w.getMetadata().getUid());
    // The spec as the operator resolved it, from the templates the status pinned: a template's
    // steps, a step's call expanded.
    WorkflowSpec runs = PinnedSpec.of(w.getSpec(), w.getStatus(), WorkflowJson::spec);
    ObjectNode spec = runs == null ? JSON.createObjectNode() : JSON.valueToTree(runs);
    ObjectNode status =
        w.getStatus() == null ? JSON.createObjectNode() : JSON.valueToTree(w.getStatus());
    status.remove(List.of("templateSpec", "stepTemplates"));
    hide(spec);
    view.set("spec", spec);
    view.set("status", status);
    return view;
  }

  /** A deleted Workflow: only what names it. */
  static ObjectNode deleted(Workflow w) {
    ObjectNode view = JSON.createObjectNode();
    ObjectNode metadata = view.putObject("metadata");
    metadata.put("namespace", w.getMetadata().getNamespace());
    metadata.put("name", w.getMetadata().getName());
    return view;
  }

  static String json(Object tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }

  private static WorkflowSpec spec(String text) {
    try {
      return JSON.readValue(text, WorkflowSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a pinned template's spec is not a spec: " + e, e);
    }
  }

  private static void hide(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove(HIDDEN);
      for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
        hide(it.next());
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(WorkflowJson::hide);
    }
  }
}
