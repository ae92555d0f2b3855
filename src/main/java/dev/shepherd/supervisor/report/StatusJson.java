package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
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

  /** For what the hand-made tree and text do not cover; made only if ever needed. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();

    static String text(JsonNode node) {
      try {
        return INSTANCE.writeValueAsString(node);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e); // a number node always writes
      }
    }
  }

  private static void put(ObjectNode o, String field, String value) {
    if (value != null) o.put(field, value);
  }

  private static void put(ObjectNode o, String field, Long value) {
    if (value != null) o.put(field, value.longValue());
  }

  /**
   * Compact JSON text of {@code node}, as Jackson's generator writes it (and {@code node.toString()}):
   * by hand, since Jackson's generator brings its factory, buffer recyclers and symbol tables, some
   * sixty classes, into every supervisor's memory for the few kinds of value a status has.
   */
  static String write(JsonNode node) {
    StringBuilder out = new StringBuilder(256);
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          if (!first) out.append(',');
          first = false;
          string(field.getKey(), out);
          out.append(':');
          write(field.getValue(), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) out.append(',');
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> string(node.textValue(), out);
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL, MISSING -> out.append("null");
      case NUMBER -> {
        if (node.isInt() || node.isLong() || node.isShort()) {
          out.append(node.longValue());
        } else {
          out.append(Mapper.text(node)); // BigInteger, floating point: never made by shepherd
        }
      }
      default -> string(node.asText(), out); // BINARY, POJO: not in a status
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** A JSON string as Jackson escapes it: quote, backslash and the control characters, nothing else. */
  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
