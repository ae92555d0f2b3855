package dev.shepherd.api.wire;

import dev.shepherd.api.Workflow;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Workflow that a supervisor Pod carries in its environment variable {@value #ENV}: the
 * operator writes it ({@link #write}) into the Pod it builds, {@code shepherd supervise} reads it
 * ({@link #read}) before anything else, so that its first step starts without waiting for the API
 * server, and it runs the spec the Pod was made for.
 *
 * <p>The format: a Workflow manifest as {@code kubectl apply} and {@code shepherd run} take it, in
 * compact JSON, with apiVersion, kind, metadata with only name, namespace and generation (the
 * generation the supervisor reports its status for), and the spec but its {@code podTemplate}: the
 * Pod's placement and volumes, which the operator applied to the Pod and the supervisor never
 * reads, and whose affinity and volume schemas the hand-written binder leaves to Jackson.
 *
 * <p>Here in {@code api.wire}, beside the model, because both sides use it: the operator and the
 * supervisor may both depend on {@code api}, while the supervisor may depend on neither {@code
 * operator} nor {@code cli}. One class holds the name, the format and both directions, so that
 * writer and reader cannot drift apart.
 *
 * <p>Each side uses what suits it. The operator writes with Jackson (fabric8's serialization, as
 * everything it sends): it has Jackson loaded anyway, and the spec comes out as the API server
 * stores it. The supervisor reads by hand ({@link PlainJson}, then {@link QuickBinder}): Jackson's
 * parser and data binding would be most of its start-up and a good part of its memory. What the
 * hand-written path leaves (a float, resources, a security context: anything outside the plain
 * subset) goes to Jackson ({@link StrictBinding}), which gives the same value or the error. Only
 * the nested {@code Jackson} class names Jackson's types, so a plain manifest loads none of them.
 */
public final class CarriedManifest {
  /** The supervisor container's environment variable that holds the manifest. */
  public static final String ENV = "SHEPHERD_MANIFEST";

  /**
   * Set, to its spec.retryGeneration, on the supervisor of a retry in place: it runs the carried
   * spec on from the workflow's stored status, where the steps to run again are Pending, instead of
   * from an empty status.
   */
  public static final String RETRY_ENV = "SHEPHERD_RETRY";

  /** A carried manifest that cannot be read; the message says why, starting with {@value #ENV}. */
  public static final class Unreadable extends Exception {
    Unreadable(String why) {
      super(ENV + ": " + why);
    }
  }

  private CarriedManifest() {}

  /** The manifest of {@code workflow}: compact JSON, in one line. */
  public static String write(Workflow workflow) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", workflow.getMetadata().getName());
    metadata.put("namespace", workflow.getMetadata().getNamespace());
    metadata.put("generation", workflow.getMetadata().getGeneration());
    metadata.values().removeIf(Objects::isNull);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("apiVersion", Workflow.API_VERSION);
    manifest.put("kind", "Workflow");
    manifest.put("metadata", metadata);
    manifest.put("spec", Jackson.withoutPodTemplate(workflow.getSpec()));
    return Jackson.write(manifest);
  }

  /** The Workflow of a manifest that {@link #write} wrote, or why it cannot be read. */
  public static Manifest read(String json) throws Unreadable {
    Object tree;
    try {
      tree = PlainJson.read(json);
    } catch (PlainJson.Unusual e) {
      tree = Jackson.read(json); // Jackson's parser then: the same value, or the error
    }
    if (!(tree instanceof Map<?, ?> fields)) {
      throw new Unreadable(
          "a Workflow is a JSON object, not a JSON " + QuickBinder.kindOf(tree) + ".");
    }
    Object kind = fields.get("kind");
    Object apiVersion = fields.get("apiVersion");
    if (!"Workflow".equals(kind)) {
      throw new Unreadable(
          (kind == null ? "no kind" : "kind is \"" + kind + "\"") + "; expected Workflow.");
    }
    if (!Workflow.API_VERSION.equals(apiVersion)) {
      throw new Unreadable(
          (apiVersion == null ? "no apiVersion" : "apiVersion is \"" + apiVersion + "\"")
              + "; expected "
              + Workflow.API_VERSION
              + ".");
    }
    Manifest manifest = QuickBinder.bind(tree);
    if (manifest == null) {
      manifest = Jackson.bind(tree);
    }
    if (manifest.spec() == null) {
      throw new Unreadable("the Workflow has no spec.");
    }
    return manifest;
  }

  /**
   * Everything that names Jackson's types, loaded on first use: a type of Jackson's in a signature
   * or a local variable of the outer class would have the verifier load Jackson in every
   * supervisor.
   */
  private static final class Jackson {
    private Jackson() {}

    static String write(Map<String, Object> manifest) {
      return io.fabric8.kubernetes.client.utils.Serialization.asJson(manifest);
    }

    @SuppressWarnings("unchecked")
    static Object withoutPodTemplate(dev.shepherd.api.WorkflowSpec spec) {
      if (spec == null || spec.podTemplate == null) {
        return spec;
      }
      Map<String, Object> tree =
          io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
              .convertValue(spec, Map.class);
      tree.remove("podTemplate");
      return tree;
    }

    /** The one JSON value of {@code json}, as {@link PlainJson} would give it, or the error. */
    static Object read(String json) throws Unreadable {
      com.fasterxml.jackson.databind.ObjectMapper mapper = StrictBinding.mapper();
      try (com.fasterxml.jackson.core.JsonParser parser = mapper.createParser(json)) {
        if (parser.nextToken() == null) {
          throw new Unreadable("no Workflow in it.");
        }
        com.fasterxml.jackson.databind.JsonNode tree = mapper.readTree(parser);
        if (parser.nextToken() != null) {
          throw new Unreadable("more than one JSON value.");
        }
        return mapper.convertValue(tree, Object.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Unreadable("invalid JSON: " + e.getOriginalMessage());
      } catch (java.io.IOException e) {
        throw new Unreadable(e.getMessage());
      }
    }

    /** The tree bound strictly, as a workflow file is, or what is wrong with it and where. */
    static Manifest bind(Object tree) throws Unreadable {
      try {
        return Manifest.of(StrictBinding.bind(tree));
      } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
          pointer
              .append('/')
              .append(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
        }
        throw new Unreadable(
            (pointer.isEmpty() ? "" : pointer + ": ") + firstLine(e.getOriginalMessage()));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Unreadable(firstLine(e.getOriginalMessage()));
      }
    }

    private static String firstLine(String message) {
      return message == null ? "cannot bind it." : message.lines().findFirst().orElse("");
    }
  }
}
