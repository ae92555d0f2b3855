package dev.shepherd.api.wire;

import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.PinnedTemplate;
import dev.shepherd.api.RetryRecord;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A status as JSON, by hand: the tree Jackson's {@code valueToTree} makes of a {@link
 * WorkflowStatus} (null fields left out, enums by name), in plain Java values, and compact JSON
 * text of such a tree. An object is a {@link LinkedHashMap} (in field order), an array an {@link
 * ArrayList}, a string a String, a whole number an Integer or a Long (where Jackson has an int or a
 * long), a boolean a Boolean, JSON null a Java null. The supervisor writes a status at every change
 * of a step; an ObjectMapper would make it build Jackson's serializers for the model by reflection,
 * and Jackson's trees bring their own classes: with plain values, writing a status loads no Jackson
 * class, and the AOT cache holds none for it in every supervisor's memory. Only the nested {@code
 * Mapper}, loaded for what a status made by shepherd never has, names Jackson. {@code
 * StatusJsonTest} checks it against the ObjectMapper for random statuses.
 */
public final class StatusJson {
  private StatusJson() {}

  /** The status as a JSON object: a LinkedHashMap in the order of the model's fields. */
  public static Map<String, Object> tree(WorkflowStatus s) {
    Map<String, Object> o = new LinkedHashMap<>();
    put(o, "phase", s.phase == null ? null : s.phase.name());
    put(o, "progress", s.progress);
    put(o, "startedAt", s.startedAt);
    put(o, "finishedAt", s.finishedAt);
    put(o, "message", s.message);
    put(o, "observedGeneration", s.observedGeneration);
    if (s.steps != null) {
      List<Object> steps = new ArrayList<>(s.steps.size());
      for (StepStatus step : s.steps) {
        steps.add(step == null ? null : step(step));
      }
      o.put("steps", steps);
    }
    put(o, "abortReason", s.abortReason);
    put(o, "abortMessage", s.abortMessage);
    if (s.conditions != null) {
      List<Object> conditions = new ArrayList<>(s.conditions.size());
      for (Condition c : s.conditions) {
        conditions.add(c == null ? null : condition(c));
      }
      o.put("conditions", conditions);
    }
    put(o, "templateName", s.templateName);
    put(o, "templateResourceVersion", s.templateResourceVersion);
    put(o, "templateSpec", s.templateSpec);
    if (s.retries != null) {
      List<Object> retries = new ArrayList<>(s.retries.size());
      for (RetryRecord r : s.retries) {
        retries.add(r == null ? null : retry(r));
      }
      o.put("retries", retries);
    }
    if (s.stepTemplates != null) {
      List<Object> pins = new ArrayList<>(s.stepTemplates.size());
      for (PinnedTemplate pin : s.stepTemplates) {
        Map<String, Object> p = null;
        if (pin != null) {
          p = new LinkedHashMap<>();
          put(p, "name", pin.name);
          put(p, "resourceVersion", pin.resourceVersion);
          put(p, "spec", pin.spec);
        }
        pins.add(p);
      }
      o.put("stepTemplates", pins);
    }
    return o;
  }

  private static Map<String, Object> step(StepStatus s) {
    Map<String, Object> o = run(s);
    if (s.loop != null) {
      o.put("loop", loop(s.loop));
    }
    return o;
  }

  private static Map<String, Object> loop(LoopStatus l) {
    Map<String, Object> o = new LinkedHashMap<>();
    put(o, "total", l.total);
    put(o, "started", l.started);
    put(o, "succeeded", l.succeeded);
    put(o, "failed", l.failed);
    put(o, "skipped", l.skipped);
    if (l.instances != null) {
      List<Object> instances = new ArrayList<>(l.instances.size());
      for (RunStatus instance : l.instances) {
        instances.add(instance == null ? null : run(instance));
      }
      o.put("instances", instances);
    }
    return o;
  }

  private static Map<String, Object> retry(RetryRecord r) {
    Map<String, Object> o = new LinkedHashMap<>();
    put(o, "generation", r.generation);
    put(o, "time", r.time);
    put(o, "rerun", r.rerun);
    if (r.steps != null) {
      o.put("steps", new ArrayList<Object>(r.steps));
    }
    put(o, "refused", r.refused);
    return o;
  }

  private static Map<String, Object> run(RunStatus s) {
    Map<String, Object> o = new LinkedHashMap<>();
    put(o, "name", s.name);
    put(o, "phase", s.phase == null ? null : s.phase.name());
    put(o, "exitCode", s.exitCode);
    put(o, "reason", s.reason);
    put(o, "attempts", s.attempts);
    put(o, "startedAt", s.startedAt);
    put(o, "finishedAt", s.finishedAt);
    put(o, "podName", s.podName);
    put(o, "message", s.message);
    if (s.outputs != null && !s.outputs.isEmpty()) { // NON_EMPTY, as the model says
      o.put("outputs", new LinkedHashMap<String, Object>(s.outputs));
    }
    return o;
  }

  private static Object condition(Condition c) {
    Map<String, Object> more = c.getAdditionalProperties();
    if (more != null && !more.isEmpty()) {
      return Mapper.plain(c); // never made by shepherd
    }
    Map<String, Object> o = new LinkedHashMap<>();
    put(o, "lastTransitionTime", c.getLastTransitionTime());
    put(o, "message", c.getMessage());
    put(o, "observedGeneration", c.getObservedGeneration());
    put(o, "reason", c.getReason());
    put(o, "status", c.getStatus());
    put(o, "type", c.getType());
    return o;
  }

  /**
   * For what the hand-made tree and text do not cover; loaded, and made, only if ever needed. The
   * only class here that names Jackson (by full names, not imports, to keep it so): a Jackson type
   * in a signature or a local variable of the others would have the JVM's verifier load Jackson.
   */
  private static final class Mapper {
    static final com.fasterxml.jackson.databind.ObjectMapper INSTANCE =
        new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * {@code c} as plain values: the mapper's tree of it, read back as Object (LinkedHashMap,
     * ArrayList, String, Integer, Long, Boolean, null; and Double, BigInteger, bytes... that only
     * the mapper writes). Through the tree, so that each value is what the tree has (its
     * BigDecimals normalized, for one), and the text the tree's.
     */
    static Object plain(Condition c) {
      try {
        return INSTANCE.treeToValue(INSTANCE.valueToTree(c), Object.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e); // a tree always reads as Object
      }
    }

    /**
     * The JSON text of a value that is not a plain string, whole number, boolean, object or array.
     */
    static String text(Object value) {
      try {
        return INSTANCE.writeValueAsString(value);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e); // a number or bytes always write
      }
    }
  }

  /** Puts {@code value} unless it is null: the tree leaves null fields out. */
  private static void put(Map<String, Object> o, String field, Object value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  /**
   * Compact JSON text of {@code value}, a tree as {@link #tree} makes it, as Jackson's generator
   * writes the same tree (and {@code JsonNode.toString()}): by hand, since Jackson's generator
   * brings its factory, buffer recyclers and symbol tables, some sixty classes, into every
   * supervisor's memory for the few kinds of value a status has.
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(value, out);
    return out.toString();
  }

  // Not a pattern switch: that would bring SwitchBootstraps and its classes for six instanceofs.
  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(s, out);
    } else if (value instanceof Map<?, ?> object) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> field : object.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string((String) field.getKey(), out);
        out.append(':');
        write(field.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof List<?> array) {
      out.append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(array.get(i), out);
      }
      out.append(']');
    } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      out.append(value);
    } else {
      out.append(Mapper.text(value)); // Double, BigInteger, bytes...: never made by shepherd
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * A JSON string as Jackson escapes it: quote, backslash and the control characters, nothing else.
   */
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
