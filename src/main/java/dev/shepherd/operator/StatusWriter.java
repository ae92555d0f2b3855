package dev.shepherd.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.StatusPatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every status write of the operator goes through here, and all by one mechanism: a JSON merge
 * patch of the status subresource that holds exactly the fields the caller owns (a null removes a
 * field), without a resourceVersion. Each field has one writer at a time (the controller alone in
 * pod mode; in supervisor mode the supervisor owns its fields while its Pod lives, see {@link
 * SupervisorExecutor}), so there is nothing to lock against: a patch neither fails on nor undoes
 * what changed since the informer's copy was taken (a spec edit, the supervisor's own patch). A
 * conflict the API server reports anyway fails the pass, and JOSDK runs it again.
 *
 * <p>The Workflow the API server returns goes to the controller's cache, so that the next pass
 * starts from this status even before the informer has seen it.
 */
final class StatusWriter {
  /** A plain mapper: it writes null map values, which a merge patch needs. */
  private static final ObjectMapper PATCH_JSON = new ObjectMapper();

  /**
   * Every property of the status, absent or not: the controller writes them all when it owns them
   * all.
   */
  private static final List<String> ALL_FIELDS =
      PATCH_JSON
          .getSerializationConfig()
          .introspect(PATCH_JSON.constructType(WorkflowStatus.class))
          .findProperties()
          .stream()
          .map(BeanPropertyDefinition::getName)
          .toList();

  private StatusWriter() {}

  /** The status as the JSON tree a patch is made of (absent fields left out). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> tree(WorkflowStatus status) {
    return PATCH_JSON.convertValue(status, Map.class);
  }

  /** Writes the whole status, for a pass whose controller owns every field. */
  static void replace(Workflow workflow, Context<Workflow> context, WorkflowStatus status) {
    Map<String, Object> all = tree(status);
    Map<String, Object> fields = new LinkedHashMap<>();
    for (String f : ALL_FIELDS) {
      fields.put(f, all.get(f));
    }
    patch(workflow, context, fields);
  }

  /**
   * Writes exactly {@code fields} of the status (a null value removes the field).
   *
   * @param workflow the informer's copy that the pass decided on
   * @return the Workflow as the API server wrote it
   */
  static Workflow patch(Workflow workflow, Context<Workflow> context, Map<String, Object> fields) {
    String patch;
    try {
      patch = PATCH_JSON.writeValueAsString(StatusPatch.document(fields));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return send(workflow, context, patch);
  }

  /**
   * Sends {@code patch}, a JSON merge patch, to the status subresource of {@code resource} (a
   * Workflow or a CronWorkflow), and hands the object the API server returns to the controller's
   * cache.
   *
   * @param resource the informer's copy that the pass decided on
   * @return the resource as the API server wrote it
   */
  static <R extends HasMetadata> R send(R resource, Context<R> context, String patch) {
    // Through the informer's copy, which names the object, so that the client does not GET it
    // first.
    R written =
        context
            .getClient()
            .resource(resource)
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(resource), written, resource);
    return written;
  }
}
