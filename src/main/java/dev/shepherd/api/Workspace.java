package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;

/**
 * A volume every step sees at {@link #mountPath}: where steps leave files for the steps after them.
 * At most one source; with none, an emptyDir (which only the supervisor executor can share: in pod
 * mode each step is a Pod of its own).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.emptyDir) ? 1 : 0) + (has(self.volumeClaimTemplate) ? 1 : 0)"
            + " + (has(self.persistentVolumeClaim) ? 1 : 0) <= 1",
    message = "spec.workspace takes one of emptyDir, volumeClaimTemplate and persistentVolumeClaim")
public class Workspace {
  /** The name of the workspace's volume in every Pod; a step's volumeMounts may name it too. */
  public static final String VOLUME = "workspace";

  /** Where the workspace is mounted when {@link #mountPath} is not set. */
  public static final String DEFAULT_MOUNT_PATH = "/workspace";

  /** The environment variable that tells every step where the workspace is. */
  public static final String VARIABLE = "SHEPHERD_WORKSPACE";

  @Pattern("^/.+")
  @JsonPropertyDescription("Where every step sees the workspace (default /workspace).")
  public String mountPath;

  @JsonPropertyDescription(
      "An emptyDir: shared by the steps of executor supervisor, which run in one Pod.")
  public EmptyDirVolumeSource emptyDir;

  @JsonPropertyDescription(
      "A PersistentVolumeClaim the operator creates once per workflow, named"
          + " <workflow>-workspace and owned by the Workflow (deleted with it).")
  public WorkspaceClaimTemplate volumeClaimTemplate;

  @JsonPropertyDescription("An existing PersistentVolumeClaim of the workflow's namespace.")
  public PersistentVolumeClaimVolumeSource persistentVolumeClaim;

  /** {@link #mountPath}, or {@value #DEFAULT_MOUNT_PATH} when unset. */
  public String mountPathOrDefault() {
    return mountPath == null || mountPath.isEmpty() ? DEFAULT_MOUNT_PATH : mountPath;
  }
}
