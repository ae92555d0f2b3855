package dev.shepherd.supervisor.report;

import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.StatusJson;
import dev.shepherd.api.wire.StatusPatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The status as the container's termination message: compact JSON of the supervisor-owned status
 * fields (a {@link WorkflowStatus} document, readable as one), which the controller uses once the
 * Pod is terminal. Kubernetes keeps at most {@value #MAX_BYTES} bytes of it, so a status that does
 * not fit is reduced, never cut: first the Succeeded steps go (progress still counts them), then
 * the details of the other steps, then as many of the remaining steps as needed (Failed ones kept
 * longest), then long messages are shortened. It works on the plain values of {@link StatusJson}
 * (maps, lists, strings), so no Jackson class is loaded for it.
 */
public final class TerminationMessage {
  public static final int MAX_BYTES = 4096;

  /** Where Kubernetes reads it (the container's terminationMessagePath default). */
  public static final Path DEFAULT_PATH = Path.of("/dev/termination-log");

  private static final Set<String> BRIEF_STEP_FIELDS =
      Set.of("name", "phase", "exitCode", "reason", "attempts");
  private static final Set<String> MINIMAL_STEP_FIELDS = Set.of("name", "phase", "exitCode");
  private static final Set<String> BRIEF_CONDITION_FIELDS =
      Set.of("type", "status", "reason", "message", "lastTransitionTime");
  private static final List<StepPhase> KEEP_ORDER =
      List.of(
          StepPhase.Failed,
          StepPhase.Running,
          StepPhase.Retrying,
          StepPhase.Pending,
          StepPhase.Skipped,
          StepPhase.Succeeded);

  private TerminationMessage() {}

  /**
   * The message for {@code status}: at most {@value #MAX_BYTES} bytes of UTF-8, always whole JSON.
   */
  public static String render(WorkflowStatus status) {
    Map<String, Object> full = new LinkedHashMap<>();
    Map<String, Object> all = StatusJson.tree(status);
    for (String field : StatusPatch.OWNED_FIELDS) {
      if (all.get(field) != null) {
        full.put(field, all.get(field));
      }
    }
    String text = StatusJson.write(full);
    if (fits(text)) {
      return text;
    }

    Map<String, Object> reduced = object(copy(full)); // reduced in place: full stays whole
    List<Object> steps = array(reduced, "steps");
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (StepPhase.Succeeded.name().equals(string(steps.get(i), "phase"))) {
        steps.remove(i);
      }
    }
    if (steps.isEmpty()) {
      reduced.remove("steps");
    }
    if (fits(text = StatusJson.write(reduced))) {
      return text;
    }

    keepOnly(array(reduced, "steps"), BRIEF_STEP_FIELDS);
    keepOnly(array(reduced, "conditions"), BRIEF_CONDITION_FIELDS);
    shorten(array(reduced, "conditions"), "message", 200);
    shorten(reduced, "message", 1000);
    if (fits(text = StatusJson.write(reduced))) {
      return text;
    }

    keepOnly(array(reduced, "steps"), MINIMAL_STEP_FIELDS);
    if (fits(text = StatusJson.write(reduced))) {
      return text;
    }

    // Still too big: keep the most telling steps, as many as fit (a binary search on the count).
    List<Object> ranked = new ArrayList<>(array(reduced, "steps"));
    ranked.sort(Comparator.comparingInt(TerminationMessage::rank));
    int lo = 0;
    int hi = ranked.size();
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (fits(StatusJson.write(withSteps(reduced, ranked.subList(0, mid))))) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    Map<String, Object> best = withSteps(reduced, ranked.subList(0, lo));
    if (fits(text = StatusJson.write(best))) {
      return text;
    }

    // Only the summary: phase, progress, times and a short message always fit.
    Map<String, Object> summary = new LinkedHashMap<>();
    for (String field : List.of("phase", "progress", "startedAt", "finishedAt", "message")) {
      if (full.get(field) != null) {
        summary.put(field, full.get(field));
      }
    }
    shorten(summary, "message", 1000);
    if (fits(text = StatusJson.write(summary))) {
      return text;
    }
    shorten(summary, "message", 100);
    for (String field : List.of("progress", "startedAt", "finishedAt")) {
      if (string(summary, field).length() > 100) {
        summary.remove(field);
      }
    }
    return StatusJson.write(summary);
  }

  /** Writes the message for {@code status} to {@code file}, replacing what was there. */
  public static void write(Path file, WorkflowStatus status) throws IOException {
    Files.writeString(
        file,
        render(status),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
  }

  private static boolean fits(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }

  private static int rank(Object step) {
    for (int i = 0; i < KEEP_ORDER.size(); i++) {
      if (KEEP_ORDER.get(i).name().equals(string(step, "phase"))) {
        return i;
      }
    }
    return KEEP_ORDER.size();
  }

  /** A copy of {@code status} with {@code steps} as its steps (or none); never changed after. */
  private static Map<String, Object> withSteps(Map<String, Object> status, List<Object> steps) {
    Map<String, Object> copy = new LinkedHashMap<>(status);
    if (steps.isEmpty()) {
      copy.remove("steps");
    } else {
      copy.put("steps", new ArrayList<>(steps)); // in the place of the steps it had
    }
    return copy;
  }

  /** The string field of {@code item} if it is an object that has one, else "" (also for null). */
  private static String string(Object item, String field) {
    return item instanceof Map<?, ?> object && object.get(field) instanceof String value
        ? value
        : "";
  }

  /** A deep copy of objects and arrays; the rest (strings, numbers, booleans) is never changed. */
  private static Object copy(Object value) {
    if (value instanceof Map<?, ?> object) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> field : object.entrySet()) {
        copy.put((String) field.getKey(), copy(field.getValue()));
      }
      return copy;
    }
    if (value instanceof List<?> array) {
      List<Object> copy = new ArrayList<>(array.size());
      for (Object item : array) {
        copy.add(copy(item));
      }
      return copy;
    }
    return value;
  }

  /** {@code value} as an object that can be changed: status trees are Map&lt;String, Object&gt;. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value) {
    return (Map<String, Object>) value;
  }

  /**
   * The array field, or a detached empty array when there is none (so nothing is added to the
   * object).
   */
  @SuppressWarnings("unchecked")
  private static List<Object> array(Map<String, Object> object, String field) {
    return object.get(field) instanceof List<?> array ? (List<Object>) array : new ArrayList<>();
  }

  private static void keepOnly(List<Object> items, Set<String> fields) {
    for (Object item : items) {
      if (item instanceof Map<?, ?> object) {
        object.keySet().retainAll(fields);
      }
    }
  }

  private static void shorten(List<Object> items, String field, int max) {
    for (Object item : items) {
      if (item instanceof Map<?, ?> object) {
        shorten(object(object), field, max);
      }
    }
  }

  private static void shorten(Map<String, Object> object, String field, int max) {
    if (object.get(field) instanceof String value && value.length() > max) {
      int end = max - 3;
      if (Character.isHighSurrogate(value.charAt(end - 1))) {
        end--; // never half a character
      }
      object.put(field, value.substring(0, end) + "...");
    }
  }
}
