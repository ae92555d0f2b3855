package dev.shepherd.supervisor.report;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.SpecControl;

/**
 * What the supervisor may do with the API server: read its own Workflow through the status
 * subresource, and merge-patch the status fields it owns. Nothing else (its Role allows only {@code
 * get} and {@code patch} on {@code workflows/status} of that one workflow).
 */
public interface StatusApi {
  /** The Workflow, spec included, read with a GET on its status subresource. */
  Workflow read() throws ApiException;

  /**
   * What a running supervisor follows of the stored spec, read with the same GET as {@link #read}
   * but without binding the Workflow; null if the answer is no Workflow it can read by hand.
   */
  SpecControl control() throws ApiException;

  /**
   * Writes the supervisor-owned fields of {@code status} (see {@link
   * dev.shepherd.api.wire.StatusPatch}).
   */
  void patch(WorkflowStatus status) throws ApiException;

  /**
   * A failed request: an HTTP status, or {@code code} 0 when no answer came (refused, timed out).
   */
  final class ApiException extends Exception {
    private final int code;

    public ApiException(int code, String message, Throwable cause) {
      super(message, cause);
      this.code = code;
    }

    /** The HTTP status code, or 0 if the server could not be reached or did not answer in time. */
    public int code() {
      return code;
    }

    /**
     * Whether trying again later can help: no answer, a timeout (408), a conflict (409), throttling
     * (429) or a server error (5xx). Anything else (403 RBAC, 404 deleted, 400/422 invalid) will
     * give the same answer again.
     */
    public boolean retryable() {
      return code == 0 || code == 408 || code == 409 || code == 429 || code >= 500;
    }
  }
}
