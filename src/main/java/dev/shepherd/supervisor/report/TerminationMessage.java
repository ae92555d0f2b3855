package dev.shepherd.supervisor.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.WorkflowStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The status as the container's termination message: compact JSON of the supervisor-owned status
 * fields (a {@link WorkflowStatus} document, readable as one), which the controller uses once the
 * Pod is terminal. Kubernetes keeps at most {@value #MAX_BYTES} bytes of it, so a status that does
 * not fit is reduced, never cut: first the Succeeded steps go (progress still counts them), then
 * the details of the other steps, then as many of the remaining steps as needed (Failed ones kept
 * longest), then long messages are shortened.
 */
public final class TerminationMessage {
  public static final int MAX_BYTES = 4096;
  /** Where Kubernetes reads it (the container's terminationMessagePath default). */
  public static final Path DEFAULT_PATH = Path.of("/dev/termination-log");

  private static final Set<String> BRIEF_STEP_FIELDS = Set.of("name", "phase", "exitCode", "reason", "attempts");
  private static final Set<String> MINIMAL_STEP_FIELDS = Set.of("name", "phase", "exitCode");
  private static final Set<String> BRIEF_CONDITION_FIELDS = Set.of("type", "status", "reason", "message",
      "lastTransitionTime");
  private static final List<StepPhase> KEEP_ORDER = List.of(StepPhase.Failed, StepPhase.Running,
      StepPhase.Retrying, StepPhase.Pending, StepPhase.Skipped, StepPhase.Succeeded);

  private TerminationMessage() {}

  /** The message for {@code status}: at most {@value #MAX_BYTES} bytes of UTF-8, always whole JSON. */
  public static String render(WorkflowStatus status) {
    ObjectNode full = JsonNodeFactory.instance.objectNode();
    ObjectNode all = StatusJson.tree(status);
    for (String field : StatusPatch.OWNED_FIELDS) {
      if (all.hasNonNull(field)) full.set(field, all.get(field));
    }
    String text = StatusJson.write(full);
    if (fits(text)) return text;

    ObjectNode reduced = full.deepCopy();
    ArrayNode steps = array(reduced, "steps");
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (StepPhase.Succeeded.name().equals(steps.get(i).path("phase").asText())) steps.remove(i);
    }
    if (steps.isEmpty()) reduced.remove("steps");
    if (fits(text = StatusJson.write(reduced))) return text;

    keepOnly(array(reduced, "steps"), BRIEF_STEP_FIELDS);
    keepOnly(array(reduced, "conditions"), BRIEF_CONDITION_FIELDS);
    shorten(array(reduced, "conditions"), "message", 200);
    shorten(reduced, "message", 1000);
    if (fits(text = StatusJson.write(reduced))) return text;

    keepOnly(array(reduced, "steps"), MINIMAL_STEP_FIELDS);
    if (fits(text = StatusJson.write(reduced))) return text;

    // Still too big: keep the most telling steps, as many as fit (a binary search on the count).
    List<JsonNode> ranked = new ArrayList<>();
    array(reduced, "steps").forEach(ranked::add);
    ranked.sort(Comparator.comparingInt(TerminationMessage::rank));
    int lo = 0;
    int hi = ranked.size();
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (fits(StatusJson.write(withSteps(reduced, ranked.subList(0, mid))))) lo = mid; else hi = mid - 1;
    }
    ObjectNode best = withSteps(reduced, ranked.subList(0, lo));
    if (fits(text = StatusJson.write(best))) return text;

    // Only the summary: phase, progress, times and a short message always fit.
    ObjectNode summary = JsonNodeFactory.instance.objectNode();
    for (String field : List.of("phase", "progress", "startedAt", "finishedAt", "message")) {
      if (full.hasNonNull(field)) summary.set(field, full.get(field));
    }
    shorten(summary, "message", 1000);
    if (fits(text = StatusJson.write(summary))) return text;
    shorten(summary, "message", 100);
    for (String field : List.of("progress", "startedAt", "finishedAt")) {
      if (summary.path(field).asText().length() > 100) summary.remove(field);
    }
    return StatusJson.write(summary);
  }

  /** Writes the message for {@code status} to {@code file}, replacing what was there. */
  public static void write(Path file, WorkflowStatus status) throws IOException {
    Files.writeString(file, render(status), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
  }

  private static boolean fits(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }

  private static int rank(JsonNode step) {
    for (int i = 0; i < KEEP_ORDER.size(); i++) {
      if (KEEP_ORDER.get(i).name().equals(step.path("phase").asText())) return i;
    }
    return KEEP_ORDER.size();
  }

  private static ObjectNode withSteps(ObjectNode status, List<JsonNode> steps) {
    ObjectNode copy = status.deepCopy();
    if (steps.isEmpty()) {
      copy.remove("steps");
    } else {
      copy.putArray("steps").addAll(steps);
    }
    return copy;
  }

  /** The array field, or a detached empty array when there is none (so nothing is added). */
  private static ArrayNode array(ObjectNode object, String field) {
    return object.get(field) instanceof ArrayNode array ? array : JsonNodeFactory.instance.arrayNode();
  }

  private static void keepOnly(ArrayNode items, Set<String> fields) {
    for (JsonNode item : items) {
      if (item instanceof ObjectNode object) object.retain(fields);
    }
  }

  private static void shorten(ArrayNode items, String field, int max) {
    for (JsonNode item : items) {
      if (item instanceof ObjectNode object) shorten(object, field, max);
    }
  }

  private static void shorten(ObjectNode object, String field, int max) {
    JsonNode value = object.get(field);
    if (value != null && value.isTextual() && value.asText().length() > max) {
      int end = max - 3;
      if (Character.isHighSurrogate(value.asText().charAt(end - 1))) end--; // never half a character
      object.put(field, value.asText().substring(0, end) + "...");
    }
  }
}
