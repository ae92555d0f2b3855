package dev.shepherd.operator;

import dev.shepherd.engine.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An object the API server refused as invalid (422), or an admission plugin refused (403: a
 * PriorityClass or RuntimeClass that does not exist, the namespace's Pod Security level): made from
 * the spec, so a problem of the spec that no retry mends, and the workflow fails with reason
 * InvalidSpec. Not a 403 of RBAC (the operator's rights: "cannot create resource"), nor of a quota,
 * which frees up as other Pods end ("exceeded quota"): those are retried. Parts of the spec reach
 * the Pods and the claim as the CRD schema alone checked them (a label value, an affinity operator,
 * a volume with two sources): the API server checks the rest when the object is created, and its
 * message names the object's field, which is given with the Workflow's field it came from.
 */
final class Invalid {
  private Invalid() {}

  static boolean is(KubernetesClientException e) {
    return e.getCode() == 422 || (e.getCode() == 403 && admissionDenied(message(e)));
  }

  private static boolean admissionDenied(String message) {
    return message != null
        && !message.contains("cannot create resource")
        && !message.contains("exceeded quota");
  }

  private static String message(KubernetesClientException e) {
    Status status = e.getStatus();
    return status != null && status.getMessage() != null ? status.getMessage() : e.getMessage();
  }

  /**
   * The problem {@code e} (see {@link #is}) tells of {@code object}.
   *
   * @param workflowField the Workflow's field that an object's field came from, or null if none
   * @param step the step the object runs, or null
   */
  static Problem problem(
      KubernetesClientException e,
      HasMetadata object,
      Function<String, String> workflowField,
      String step) {
    Status status = e.getStatus();
    List<StatusCause> causes =
        status == null || status.getDetails() == null || status.getDetails().getCauses() == null
            ? List.of()
            : status.getDetails().getCauses();
    List<String> parts = new ArrayList<>();
    String path = null;
    for (StatusCause cause : causes) {
      String field = cause.getField();
      String mapped = field == null ? null : workflowField.apply(field);
      if (path == null) {
        path = mapped;
      }
      parts.add(
          (field == null ? "" : field + ": ")
              + cause.getMessage()
              + (mapped == null ? "" : " (" + mapped + ")"));
    }
    if (parts.isEmpty()) {
      parts.add(message(e));
    }
    String sentence =
        "The API server refused "
            + object.getKind()
            + " "
            + object.getMetadata().getName()
            + (e.getCode() == 422 ? " as invalid: " : ": ")
            + String.join("; ", parts);
    return new Problem(
        path == null ? "spec" : path, step, sentence.endsWith(".") ? sentence : sentence + ".");
  }
}
