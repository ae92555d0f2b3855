package dev.shepherd.operator;

import dev.shepherd.api.PodTemplate;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import dev.shepherd.engine.SpecValidation;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code spec.podTemplate} and {@code spec.workspace} add to every Pod of a workflow, step
 * Pods and the supervisor Pod alike: labels and annotations (the operator's own labels win over a
 * template label of the same key, since it finds its Pods by them), scheduling, image pull secrets
 * and RuntimeClass, the workspace's volume and the extra volumes, and in the container that runs
 * the steps the workspace at its mount path and the steps' own volumeMounts.
 */
final class WorkflowPodTemplate {
  private WorkflowPodTemplate() {}

  /**
   * Applies the template to {@code pod}, built by the executor, whose first container runs {@code
   * steps}: one step in a step Pod, all of them in the supervisor Pod (a mount that several steps
   * ask for, the same each time, is mounted once).
   */
  static void apply(Workflow workflow, Pod pod, List<Step> steps) {
    WorkflowSpec spec = workflow.getSpec();
    Container main = pod.getSpec().getContainers().getFirst();
    PodTemplate template = spec.podTemplate;
    PodSpec podSpec = pod.getSpec();
    List<Volume> volumes = new ArrayList<>(list(podSpec.getVolumes()));
    List<VolumeMount> mounts = new ArrayList<>(list(main.getVolumeMounts()));
    if (spec.workspace != null) {
      volumes.add(workspaceVolume(workflow));
      mounts.add(
          new VolumeMountBuilder()
              .withName(Workspace.VOLUME)
              .withMountPath(spec.workspace.mountPathOrDefault())
              .build());
    }
    if (template != null) {
      ObjectMeta metadata = pod.getMetadata();
      if (template.metadata != null) {
        metadata.setLabels(ownLast(template.metadata.labels, metadata.getLabels()));
        metadata.setAnnotations(ownLast(template.metadata.annotations, metadata.getAnnotations()));
      }
      podSpec.setNodeSelector(template.nodeSelector);
      podSpec.setTolerations(template.tolerations);
      podSpec.setAffinity(template.affinity);
      podSpec.setImagePullSecrets(template.imagePullSecrets);
      podSpec.setPriorityClassName(template.priorityClassName);
      podSpec.setRuntimeClassName(template.runtimeClassName);
      volumes.addAll(list(template.volumes));
    }
    for (Step step : steps) {
      for (VolumeMount mount : list(step.volumeMounts)) {
        if (!mounts.contains(mount)) {
          mounts.add(mount);
        }
      }
    }
    podSpec.setVolumes(volumes.isEmpty() ? null : volumes);
    main.setVolumeMounts(mounts.isEmpty() ? null : mounts);
  }

  /**
   * The workspace as a volume of the Pod: the claim the operator made from the template, the
   * existing claim, or an emptyDir (the supervisor's one Pod, where it is shared by every step).
   */
  static Volume workspaceVolume(Workflow workflow) {
    Workspace workspace = workflow.getSpec().workspace;
    VolumeBuilder volume = new VolumeBuilder().withName(Workspace.VOLUME);
    if (workspace.volumeClaimTemplate != null) {
      return volume
          .withNewPersistentVolumeClaim()
          .withClaimName(WorkspaceClaim.name(workflow.getMetadata().getName()))
          .endPersistentVolumeClaim()
          .build();
    }
    if (workspace.persistentVolumeClaim != null) {
      return volume.withPersistentVolumeClaim(workspace.persistentVolumeClaim).build();
    }
    return volume
        .withEmptyDir(workspace.emptyDir != null ? workspace.emptyDir : new EmptyDirVolumeSource())
        .build();
  }

  /**
   * The field of the Workflow that a field of its Pod came from, as far as the template and the
   * workspace go; null for a field the executor wrote itself (the container, the security context).
   */
  static String workflowField(Workflow workflow, Pod pod, String podField) {
    for (String field :
        List.of(
            "spec.nodeSelector",
            "spec.tolerations",
            "spec.affinity",
            "spec.imagePullSecrets",
            "spec.priorityClassName",
            "spec.runtimeClassName",
            "metadata.labels",
            "metadata.annotations")) {
      if (podField.equals(field)
          || podField.startsWith(field + ".")
          || podField.startsWith(field + "[")) {
        String rest = podField.substring(field.indexOf('.') + 1);
        return "spec.podTemplate." + (field.startsWith("metadata") ? podField : rest);
      }
    }
    Indexed volume = Indexed.of(podField, "spec.volumes[");
    if (volume != null && volume.index() < list(pod.getSpec().getVolumes()).size()) {
      String name = pod.getSpec().getVolumes().get(volume.index()).getName();
      if (workflow.getSpec().workspace != null && Workspace.VOLUME.equals(name)) {
        return "spec.workspace";
      }
      List<Volume> extra =
          workflow.getSpec().podTemplate == null ? null : workflow.getSpec().podTemplate.volumes;
      for (int i = 0; i < list(extra).size(); i++) {
        if (name.equals(extra.get(i).getName())) {
          return "spec.podTemplate.volumes[" + i + "]" + volume.rest();
        }
      }
    }
    Indexed mount = Indexed.of(podField, "spec.containers[0].volumeMounts[");
    List<VolumeMount> mounts = list(pod.getSpec().getContainers().getFirst().getVolumeMounts());
    if (mount != null && mount.index() < mounts.size()) {
      VolumeMount m = mounts.get(mount.index());
      List<Step> steps = workflow.getSpec().allSteps();
      for (int s = 0; s < steps.size(); s++) {
        int at = list(steps.get(s).volumeMounts).indexOf(m);
        if (at >= 0) {
          return SpecValidation.stepPath(workflow.getSpec(), s)
              + ".volumeMounts["
              + at
              + "]"
              + mount.rest();
        }
      }
    }
    return null;
  }

  /** {@code prefix} + a number + {@code ]} + the rest of a field path; null if it is no such. */
  private record Indexed(int index, String rest) {
    static Indexed of(String field, String prefix) {
      int close = field.indexOf(']', prefix.length());
      if (!field.startsWith(prefix) || close < 0) {
        return null;
      }
      try {
        return new Indexed(
            Integer.parseInt(field.substring(prefix.length(), close)), field.substring(close + 1));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /** The template's entries, then ours, which win. */
  static Map<String, String> ownLast(Map<String, String> template, Map<String, String> own) {
    if (template == null || template.isEmpty()) {
      return own;
    }
    Map<String, String> merged = new LinkedHashMap<>(template);
    if (own != null) {
      merged.putAll(own);
    }
    return merged;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
