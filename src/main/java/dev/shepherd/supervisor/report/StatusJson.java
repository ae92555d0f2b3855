package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A status as JSON, by hand: the tree Jackson's {@code valueToTree} makes of a
 * {@link WorkflowStatus} (null fields left out, enums by name), and compact JSON text of a tree.
 * The supervisor writes a status at every change of a step; an ObjectMapper would make it build
 * Jackson's serializers for the model by reflection, and the AOT cache then hold them in every
 * supervisor's memory. {@code StatusJsonTest} checks it against the ObjectMapper for random
 * statuses.
 */
final class StatusJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonFactory JSON = new JsonFactory();

  private StatusJson() {}

  static ObjectNode tree(WorkflowStatus s) {
    ObjectNode o = NODES.objectNode();
    put(o, "phase", s.phase == null ? null : s.phase.name());
    put(o, "progress", s.progress);
    put(o, "startedAt", s.startedAt);
    put(o, "finishedAt", s.finishedAt);
    put(o, "message", s.message);
    put(o, "observedGeneration", s.observedGeneration);
    if (s.steps != null) {
      ArrayNode steps = o.putArray("steps");
      for (StepStatus step : s.steps) steps.add(step == null ? NODES.nullNode() : step(step));
    }
    if (s.conditions != null) {
      ArrayNode conditions = o.putArray("conditions");
      for (Condition c : s.conditions) conditions.add(c == null ? NODES.nullNode() : condition(c));
    }
    return o;
  }

  private static ObjectNode step(StepStatus s) {
    ObjectNode o = NODES.objectNode();
    put(o, "name", s.name);
    put(o, "phase", s.phase == null ? null : s.phase.name());
    if (s.exitCode != null) o.put("exitCode", s.exitCode);
    put(o, "reason", s.reason);
    if (s.attempts != null) o.put("attempts", s.attempts);
    put(o, "startedAt", s.startedAt);
    put(o, "finishedAt", s.finishedAt);
    put(o, "podName", s.podName);
    put(o, "message", s.message);
    return o;
  }

  private static JsonNode condition(Condition c) {
    Map<String, Object> more = c.getAdditionalProperties();
    if (more != null && !more.isEmpty()) return Mapper.INSTANCE.valueToTree(c); // never made by shepherd
    ObjectNode o = NODES.objectNode();
    put(o, "lastTransitionTime", c.getLastTransitionTime());
    put(o, "message", c.getMessage());
    put(o, "observedGeneration", c.getObservedGeneration());
    put(o, "reason", c.getReason());
    put(o, "status", c.getStatus());
    put(o, "type", c.getType());
    return o;
  }

  /** For what the hand-made tree does not cover; made only if ever needed. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();
  }

  private static void put(ObjectNode o, String field, String value) {
    if (value != null) o.put(field, value);
  }

  private static void put(ObjectNode o, String field, Long value) {
    if (value != null) o.put(field, value.longValue());
  }

  /** Compact JSON text of {@code node}, as {@code node.toString()} writes it. */
  static String write(JsonNode node) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(node, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void write(JsonNode node, JsonGenerator g) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          g.writeFieldName(field.getKey());
          write(field.getValue(), g);
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode item : node) write(item, g);
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      case NUMBER -> {
        switch (node.numberType()) {
          case INT -> g.writeNumber(node.intValue());
          case LONG -> g.writeNumber(node.longValue());
          case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
          case FLOAT, DOUBLE -> g.writeNumber(node.doubleValue());
          case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
        }
      }
      default -> g.writeString(node.asText()); // BINARY, POJO: not in a status
    }
  }
}
