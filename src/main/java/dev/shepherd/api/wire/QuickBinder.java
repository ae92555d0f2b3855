package dev.shepherd.api.wire;

import dev.shepherd.api.Concurrency;
import dev.shepherd.api.Executor;
import dev.shepherd.api.Param;
import dev.shepherd.api.PodGC;
import dev.shepherd.api.PodGCStrategy;
import dev.shepherd.api.Retry;
import dev.shepherd.api.Step;
import dev.shepherd.api.StepTemplateCall;
import dev.shepherd.api.TemplateMetadata;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.WorkflowTemplateRef;
import dev.shepherd.api.Workspace;
import dev.shepherd.api.WorkspaceClaimTemplate;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirements;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the common Workflow manifest to the model by hand, for the start-up of {@code shepherd run}
 * and of the supervisor ({@link CarriedManifest}): Jackson's data binding builds its deserializers
 * for the whole fabric8-based model by reflection, which costs more than the rest of the start-up
 * to the first step together.
 *
 * <p>It knows only plain manifests: the fields of the spec and its steps, with values of the exact
 * JSON types, env entries with a literal value, a workspace in its common forms, volumeMounts of a
 * name, path, subPath and readOnly, and metadata name, namespace, generation, labels and
 * annotations. Anything else (an unknown or misspelt field, a value of another type, valueFrom,
 * resources, security contexts, a podTemplate, a status) makes it return null, and the caller binds
 * the document with Jackson ({@link StrictBinding}), which gives the same result or the error
 * message. So this is only ever a faster way to the same object: {@code QuickBinderTest} checks
 * that against Jackson.
 */
public final class QuickBinder {
  private QuickBinder() {}

  /**
   * The manifest of this document (a plain JSON value: a {@code Map} for an object, a {@code List}
   * for an array, String, Integer or Long, Boolean, null; see {@link PlainJson}), or null if it has
   * anything this binder does not handle.
   */
  public static Manifest bind(Object tree) {
    try {
      return workflow(tree);
    } catch (NotPlain e) {
      return null;
    }
  }

  /** Thrown when the document leaves the plain subset; never escapes {@link #bind}. */
  private static final class NotPlain extends Exception {
    private static final NotPlain INSTANCE = new NotPlain();

    private NotPlain() {
      super(null, null, false, false);
    }
  }

  private static Manifest workflow(Object tree) throws NotPlain {
    ObjectMeta[] metadata = {new ObjectMeta()}; // as a CustomResource starts
    WorkflowSpec[] spec = {null};
    fields(
        tree,
        (name, v) -> {
          switch (name) {
            case "apiVersion", "kind" ->
                text(v); // checked by the caller before; a string, as Jackson wants
            case "metadata" -> metadata[0] = v == null ? null : metadata(v);
            case "spec" -> spec[0] = v == null ? null : spec(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return new Manifest(metadata[0], spec[0]);
  }

  private static ObjectMeta metadata(Object node) throws NotPlain {
    ObjectMeta m = new ObjectMeta();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> m.setName(text(v));
            case "namespace" -> m.setNamespace(text(v));
            case "generation" ->
                m.setGeneration(longInteger(v)); // in the manifest a supervisor Pod carries
            case "labels" -> m.setLabels(stringMap(v));
            case "annotations" -> m.setAnnotations(stringMap(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return m;
  }

  private static WorkflowSpec spec(Object node) throws NotPlain {
    WorkflowSpec s = new WorkflowSpec();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "steps" -> s.steps = list(v, QuickBinder::step, false);
            case "finally" -> s.finallySteps = list(v, QuickBinder::step, true);
            case "image" -> s.image = text(v);
            case "params" -> s.params = list(v, QuickBinder::param, true);
            case "parallelism" -> s.parallelism = integer(v);
            case "activeDeadlineSeconds" -> s.activeDeadlineSeconds = longInteger(v);
            case "serviceAccountName" -> s.serviceAccountName = text(v);
            case "executor" -> s.executor = executor(v);
            case "cancel" -> s.cancel = bool(v);
            case "concurrency" -> s.concurrency = v == null ? null : concurrency(v);
            case "suspend" -> s.suspend = bool(v);
            case "retryGeneration" -> s.retryGeneration = longInteger(v);
            case "workspace" -> s.workspace = v == null ? null : workspace(v);
            case "workflowTemplateRef" -> s.workflowTemplateRef = v == null ? null : templateRef(v);
            case "ttlSecondsAfterFinished" -> s.ttlSecondsAfterFinished = longInteger(v);
            case "podGC" -> s.podGC = v == null ? null : podGC(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return s;
  }

  private static Step step(Object node) throws NotPlain {
    Step s = new Step();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> s.name = text(v);
            case "image" -> s.image = text(v);
            case "command" -> s.command = list(v, QuickBinder::text, true);
            case "args" -> s.args = list(v, QuickBinder::text, true);
            case "env" -> s.env = list(v, QuickBinder::env, true);
            case "workingDir" -> s.workingDir = text(v);
            case "depends" -> s.depends = list(v, QuickBinder::text, true);
            case "retry" -> s.retry = v == null ? null : retry(v);
            case "timeoutSeconds" -> s.timeoutSeconds = longInteger(v);
            case "allowFailure" -> s.allowFailure = bool(v);
            case "when" -> s.when = text(v);
            case "items" -> s.items = list(v, QuickBinder::item, true);
            case "itemsFrom" -> s.itemsFrom = text(v);
            case "maxParallel" -> s.maxParallel = integer(v);
            case "volumeMounts" -> s.volumeMounts = list(v, QuickBinder::volumeMount, true);
            case "template" -> s.template = v == null ? null : templateCall(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return s;
  }

  /**
   * A loop item as Jackson binds it to Object: a string, whole number, boolean, or a mapping or
   * list of such.
   */
  private static Object item(Object v) throws NotPlain {
    if (v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean) {
      return v;
    }
    if (v instanceof List<?>) {
      return list(v, QuickBinder::item, false);
    }
    if (v instanceof Map<?, ?>) {
      Map<String, Object> map = new LinkedHashMap<>();
      fields(v, (name, value) -> map.put(name, item(value)));
      return map;
    }
    throw NotPlain.INSTANCE;
  }

  private static Concurrency concurrency(Object node) throws NotPlain {
    Concurrency c = new Concurrency();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "key" -> c.key = text(v);
            case "max" -> c.max = integer(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return c;
  }

  private static Boolean bool(Object v) throws NotPlain {
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    throw NotPlain.INSTANCE;
  }

  private static StepTemplateCall templateCall(Object node) throws NotPlain {
    StepTemplateCall c = new StepTemplateCall();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> c.name = text(v);
            case "params" -> c.params = list(v, QuickBinder::param, true);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return c;
  }

  private static WorkflowTemplateRef templateRef(Object node) throws NotPlain {
    WorkflowTemplateRef r = new WorkflowTemplateRef();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> r.name = text(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return r;
  }

  private static Param param(Object node) throws NotPlain {
    Param p = new Param();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> p.name = text(v);
            case "value" -> p.value = text(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return p;
  }

  private static EnvVar env(Object node) throws NotPlain {
    EnvVar e = new EnvVar();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> e.setName(text(v));
            case "value" -> e.setValue(text(v));
            default -> throw NotPlain.INSTANCE; // valueFrom and anything else: Jackson
          }
        });
    return e;
  }

  private static Retry retry(Object node) throws NotPlain {
    Retry r = new Retry();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "limit" -> r.limit = integer(v);
            case "backoffSeconds" -> r.backoffSeconds = integer(v);
            case "maxBackoffSeconds" -> r.maxBackoffSeconds = integer(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return r;
  }

  /**
   * The workspace in its common forms: a mount path, an emptyDir without a sizeLimit, an existing
   * claim, or a claim template of access modes, class and size (a selector or a data source go to
   * Jackson).
   */
  private static Workspace workspace(Object node) throws NotPlain {
    Workspace w = new Workspace();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "mountPath" -> w.mountPath = text(v);
            case "emptyDir" -> w.emptyDir = v == null ? null : emptyDir(v);
            case "persistentVolumeClaim" -> w.persistentVolumeClaim = v == null ? null : claim(v);
            case "volumeClaimTemplate" ->
                w.volumeClaimTemplate = v == null ? null : claimTemplate(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return w;
  }

  private static EmptyDirVolumeSource emptyDir(Object node) throws NotPlain {
    EmptyDirVolumeSource e = new EmptyDirVolumeSource();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "medium" -> e.setMedium(text(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return e;
  }

  private static PersistentVolumeClaimVolumeSource claim(Object node) throws NotPlain {
    PersistentVolumeClaimVolumeSource c = new PersistentVolumeClaimVolumeSource();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "claimName" -> c.setClaimName(text(v));
            case "readOnly" -> c.setReadOnly(bool(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return c;
  }

  private static WorkspaceClaimTemplate claimTemplate(Object node) throws NotPlain {
    WorkspaceClaimTemplate t = new WorkspaceClaimTemplate();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "metadata" -> t.metadata = v == null ? null : templateMetadata(v);
            case "spec" -> t.spec = v == null ? null : claimSpec(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return t;
  }

  private static TemplateMetadata templateMetadata(Object node) throws NotPlain {
    TemplateMetadata m = new TemplateMetadata();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "labels" -> m.labels = stringMap(v);
            case "annotations" -> m.annotations = stringMap(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return m;
  }

  private static PersistentVolumeClaimSpec claimSpec(Object node) throws NotPlain {
    PersistentVolumeClaimSpec c = new PersistentVolumeClaimSpec();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "accessModes" -> c.setAccessModes(list(v, QuickBinder::text, true));
            case "storageClassName" -> c.setStorageClassName(text(v));
            case "volumeMode" -> c.setVolumeMode(text(v));
            case "resources" -> c.setResources(v == null ? null : claimResources(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return c;
  }

  private static VolumeResourceRequirements claimResources(Object node) throws NotPlain {
    VolumeResourceRequirements r = new VolumeResourceRequirements();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "requests" -> r.setRequests(quantities(v));
            case "limits" -> r.setLimits(quantities(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return r;
  }

  /** A map of quantities, each written as Jackson reads it: its text, parsed by Quantity. */
  private static Map<String, Quantity> quantities(Object v) throws NotPlain {
    if (v == null) {
      return null;
    }
    Map<String, Quantity> map = new LinkedHashMap<>();
    fields(
        v,
        (name, value) -> {
          String amount = text(value);
          if (amount == null) {
            throw NotPlain.INSTANCE;
          }
          map.put(name, new Quantity(amount));
        });
    return map;
  }

  private static VolumeMount volumeMount(Object node) throws NotPlain {
    VolumeMount m = new VolumeMount();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "name" -> m.setName(text(v));
            case "mountPath" -> m.setMountPath(text(v));
            case "subPath" -> m.setSubPath(text(v));
            case "readOnly" -> m.setReadOnly(bool(v));
            default -> throw NotPlain.INSTANCE;
          }
        });
    return m;
  }

  private static PodGC podGC(Object node) throws NotPlain {
    PodGC gc = new PodGC();
    fields(
        node,
        (name, v) -> {
          switch (name) {
            case "strategy" -> gc.strategy = podGCStrategy(v);
            default -> throw NotPlain.INSTANCE;
          }
        });
    return gc;
  }

  private static PodGCStrategy podGCStrategy(Object v) throws NotPlain {
    if (v == null) {
      return null;
    }
    for (PodGCStrategy strategy : PodGCStrategy.values()) {
      if (strategy.name().equals(v)) {
        return strategy;
      }
    }
    throw NotPlain.INSTANCE;
  }

  private static Executor executor(Object v) throws NotPlain {
    if (v == null) {
      return null;
    }
    return switch (v instanceof String text ? text : "") {
      case "pod" -> Executor.POD;
      case "supervisor" -> Executor.SUPERVISOR;
      default -> throw NotPlain.INSTANCE;
    };
  }

  @FunctionalInterface
  private interface Field {
    void set(String name, Object value) throws NotPlain;
  }

  /** Hands every field of a mapping to {@code field}. */
  private static void fields(Object node, Field field) throws NotPlain {
    if (!(node instanceof Map<?, ?> map)) {
      throw NotPlain.INSTANCE;
    }
    for (Map.Entry<?, ?> f : map.entrySet()) {
      field.set((String) f.getKey(), f.getValue());
    }
  }

  /**
   * A string field: a string, or a whole number or boolean, which Jackson takes as its text too.
   */
  private static String text(Object v) throws NotPlain {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Boolean) {
      return v.toString();
    }
    throw NotPlain.INSTANCE;
  }

  private static Integer integer(Object v) throws NotPlain {
    if (v == null || v instanceof Integer) {
      return (Integer) v;
    }
    throw NotPlain.INSTANCE;
  }

  private static Long longInteger(Object v) throws NotPlain {
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw NotPlain.INSTANCE;
  }

  private static Map<String, String> stringMap(Object v) throws NotPlain {
    if (v == null) {
      return null;
    }
    Map<String, String> map = new LinkedHashMap<>();
    fields(v, (name, value) -> map.put(name, text(value)));
    return map;
  }

  @FunctionalInterface
  private interface Binder<T> {
    T bind(Object node) throws NotPlain;
  }

  /** A list; null when the value is null and {@code nullable}; no null items. */
  private static <T> List<T> list(Object v, Binder<T> item, boolean nullable) throws NotPlain {
    if (v == null && nullable) {
      return null;
    }
    if (!(v instanceof List<?> items)) {
      throw NotPlain.INSTANCE;
    }
    List<T> list = new ArrayList<>(items.size());
    for (Object n : items) {
      if (n == null) {
        throw NotPlain.INSTANCE;
      }
      list.add(item.bind(n));
    }
    return list;
  }

  /**
   * What a plain value is, for an error message, in the words of JSON and YAML: array, string,
   * number, boolean, null (binary: a YAML !!binary scalar).
   */
  public static String kindOf(Object value) {
    if (value instanceof List) {
      return "array";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    return value == null ? "null" : "binary";
  }
}
