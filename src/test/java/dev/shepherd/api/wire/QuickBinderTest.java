package dev.shepherd.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.cli.run.WorkflowFile;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link QuickBinder} is only ever a faster way to the object Jackson's strict binding makes: for
 * any document it returns null (and Jackson binds it, or reports the error) or an equal Workflow.
 * It never accepts a document that Jackson rejects.
 */
class QuickBinderTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A Jackson tree as plain values, as PlainJson and WorkflowFile make them. */
  private static Object plain(JsonNode tree) {
    return MAPPER.convertValue(tree, Object.class);
  }

  @Test
  void everyExampleTakesTheQuickPathToTheSameWorkflow() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
    for (Path example : examples) {
      for (WorkflowFile.Document doc :
          WorkflowFile.parse(example.toString(), Files.readString(example))) {
        if (doc.spec().podTemplate != null) {
          // What a supervisor Pod carries has no podTemplate (CarriedManifest), and is plain.
          Manifest carried =
              QuickBinder.bind(
                  PlainJson.read(CarriedManifest.write(StrictBinding.bind(doc.tree()))));
          assertThat(carried).as(example + " as carried takes the quick path").isNotNull();
          assertThat(carried.spec().podTemplate).isNull();
          assertThat(carried.spec().steps.getFirst().volumeMounts)
              .isEqualTo(doc.spec().steps.getFirst().volumeMounts);
          continue;
        }
        Manifest quick = QuickBinder.bind(doc.tree());
        assertThat(quick).as(example + " takes the quick path").isNotNull();
        assertThat(json(quick))
            .as(example.toString())
            .isEqualTo(json(Manifest.of(StrictBinding.bind(doc.tree()))));
      }
    }
  }

  @Test
  void scalarsBecomeTextAsJacksonMakesThem() throws Exception {
    JsonNode tree =
        yaml(
            """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: s, labels: {tier: 3, on: true}}
        spec:
          params: [{name: N, value: 3}, {name: B, value: false}, {name: L, value: 12345678901}, {name: E, value: null}]
          parallelism: 2
          activeDeadlineSeconds: 12345678901
          steps:
            - {name: a, command: [echo, 1, true], env: [{name: X, value: 0}], depends: [], retry: {limit: 1}, timeoutSeconds: 5}
        """);
    Manifest quick = QuickBinder.bind(plain(tree));
    assertThat(quick).isNotNull();
    assertThat(json(quick)).isEqualTo(json(Manifest.of(StrictBinding.bind(plain(tree)))));
    assertThat(quick.spec().params.getFirst().value).isEqualTo("3");
  }

  /** The workspace in each of its common forms, and steps' mounts, bind as Jackson binds them. */
  @Test
  void workspacesAndVolumeMountsTakeTheQuickPathToTheSameWorkflow() throws Exception {
    for (String workspace :
        List.of(
            "{mountPath: /data, emptyDir: {medium: Memory}}",
            "{persistentVolumeClaim: {claimName: shared, readOnly: false}}",
            "{volumeClaimTemplate: {metadata: {labels: {tier: fast}, annotations: {a: b}}, spec:"
                + " {accessModes: [ReadWriteMany], storageClassName: nfs, volumeMode: Filesystem,"
                + " resources: {requests: {storage: 1Gi}, limits: {storage: 2000}}}}}",
            "{}")) {
      JsonNode tree =
          yaml(
              "apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n"
                  + "  workspace: "
                  + workspace
                  + "\n  steps: [{name: a, command: [x], volumeMounts: [{name: workspace,"
                  + " mountPath: /src, subPath: a, readOnly: true}]}]");
      Manifest quick = QuickBinder.bind(plain(tree));
      assertThat(quick).as(workspace).isNotNull();
      assertThat(json(quick))
          .as(workspace)
          .isEqualTo(json(Manifest.of(StrictBinding.bind(plain(tree)))));
    }
  }

  @Test
  void aStepsTemplateCallTakesTheQuickPathToTheSameWorkflow() throws Exception {
    JsonNode tree =
        yaml(
            "apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n"
                + "  steps: [{name: a, depends: [b], template: {name: t, params: [{name: P,"
                + " value: '${{ params.Q }}'}]}}, {name: b, command: [x]}]");
    Manifest quick = QuickBinder.bind(plain(tree));
    assertThat(quick).isNotNull();
    assertThat(quick.spec().steps.getFirst().template.params).hasSize(1);
    assertThat(json(quick)).isEqualTo(json(Manifest.of(StrictBinding.bind(plain(tree)))));
  }

  @Test
  void whatItDoesNotKnowGoesToJackson() throws Exception {
    for (String spec :
        List.of(
            "steps: [{name: a, command: [x], dependz: [b]}]", // a misspelt field: Jackson names it
            "steps: [{name: a, command: [x], env: [{name: P, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}]",
            "steps: [{name: a, command: [x], resources: {limits: {cpu: 1}}}]",
            "securityContext: {runAsUser: 1000}\n  steps: [{name: a, command: [x]}]",
            "steps: [{name: a, command: [x], timeoutSeconds: '5'}]", // Jackson coerces text to a
            // number
            "steps: [{name: a, command: [x], timeoutSeconds: 1.5}]",
            "steps: [{name: a, command: x}]",
            "executor: Pod\n  steps: [{name: a, command: [x]}]",
            "steps: [null]",
            "steps: null",
            "podTemplate: {nodeSelector: {disk: ssd}}\n  steps: [{name: a, command: [x]}]",
            "workspace: {emptyDir: {sizeLimit: 1Gi}}\n  steps: [{name: a, command: [x]}]",
            "steps: [{name: a, command: [x], volumeMounts: [{name: w, mountPath: /w, mountPropagation: None}]}]")) {
      JsonNode tree =
          yaml(
              "apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  "
                  + spec);
      assertThat(QuickBinder.bind(plain(tree))).as(spec).isNull();
    }
  }

  /** Random documents around the plain subset, with random damage: never a different result. */
  @Property(tries = 400)
  void quickIsNullOrTheSameAsJackson(@ForAll long seed) {
    Random random = new Random(seed);
    ObjectNode doc = randomWorkflow(random);
    int damage = random.nextInt(4);
    for (int i = 0; i < damage; i++) {
      damage(doc, random);
    }

    Manifest quick = QuickBinder.bind(plain(doc));
    Manifest jackson;
    try {
      jackson = Manifest.of(StrictBinding.bind(plain(doc)));
    } catch (JsonProcessingException e) {
      assertThat(quick)
          .as("Jackson rejects %s (%s), so must the quick binder", doc, e.getOriginalMessage())
          .isNull();
      return;
    }
    if (quick != null) {
      assertThat(json(quick)).as(doc.toString()).isEqualTo(json(jackson));
    }
  }

  private static ObjectNode randomWorkflow(Random r) {
    ObjectNode doc = NODES.objectNode();
    doc.put("apiVersion", "shepherd.dev/v1alpha1");
    doc.put("kind", "Workflow");
    ObjectNode meta = doc.putObject("metadata");
    meta.put("name", "w" + r.nextInt(100));
    if (r.nextBoolean()) {
      meta.putObject("labels").put("app", "x").put("n", r.nextInt(10));
    }
    if (r.nextBoolean()) {
      meta.put("generation", r.nextInt(5) + 1);
    }
    ObjectNode spec = doc.putObject("spec");
    if (r.nextBoolean()) {
      spec.put("image", "busybox");
    }
    if (r.nextBoolean()) {
      spec.put("parallelism", r.nextInt(5) + 1);
    }
    if (r.nextBoolean()) {
      spec.put("activeDeadlineSeconds", r.nextInt(1000) + 1);
    }
    if (r.nextBoolean()) {
      spec.put("executor", r.nextBoolean() ? "pod" : "supervisor");
    }
    if (r.nextBoolean()) {
      spec.putArray("params").addObject().put("name", "P").put("value", "v");
    }
    ArrayNode steps = spec.putArray("steps");
    int n = r.nextInt(4) + 1;
    for (int i = 0; i < n; i++) {
      ObjectNode step = steps.addObject();
      step.put("name", "s" + i);
      step.putArray("command").add("sh").add("-c").add("exit " + r.nextInt(3));
      if (r.nextBoolean()) {
        step.putArray("args").add("a");
      }
      if (i > 0 && r.nextBoolean()) {
        step.putArray("depends").add("s" + r.nextInt(i));
      }
      if (r.nextBoolean()) {
        step.putArray("env").addObject().put("name", "E").put("value", "e");
      }
      if (r.nextBoolean()) {
        step.put("workingDir", "/tmp");
      }
      if (r.nextBoolean()) {
        step.put("timeoutSeconds", r.nextInt(100) + 1);
      }
      if (r.nextBoolean()) {
        step.putObject("retry").put("limit", r.nextInt(3)).put("backoffSeconds", 1);
      }
      if (r.nextInt(4) == 0) {
        step.put("when", "params.P == 'v'");
      }
      switch (r.nextInt(4)) {
        case 0 -> {
          ArrayNode items = step.putArray("items").add("a").add(r.nextInt(9)).add(r.nextBoolean());
          items.addObject().put("region", "eu").putArray("zones").add(1).add("b");
          items.addArray().add("x");
        }
        case 1 -> step.put("itemsFrom", "params.P.split(',')");
        default -> {}
      }
      if (r.nextInt(4) == 0) {
        step.put("maxParallel", r.nextInt(3) + 1);
      }
      if (r.nextInt(5) == 0) {
        ObjectNode call = step.putObject("template").put("name", "t");
        if (r.nextBoolean()) {
          call.putArray("params").addObject().put("name", "P").put("value", "${{ params.P }}");
        }
      }
    }
    if (r.nextInt(3) == 0) {
      spec.putArray("finally").addObject().put("name", "f").putArray("command").add("true");
    }
    return doc;
  }

  /**
   * Replaces one random value somewhere in the document by a random other kind of value, or adds a
   * field.
   */
  private static void damage(ObjectNode doc, Random r) {
    List<ObjectNode> objects = new ArrayList<>();
    collect(doc, objects);
    ObjectNode target = objects.get(r.nextInt(objects.size()));
    List<String> names = new ArrayList<>();
    target.fieldNames().forEachRemaining(names::add);
    String field =
        r.nextInt(5) == 0 || names.isEmpty()
            ? List.of("dependz", "valueFrom", "resources", "status", "uid", "limit")
                .get(r.nextInt(6))
            : names.get(r.nextInt(names.size()));
    JsonNode value =
        switch (r.nextInt(9)) {
          case 0 -> NODES.nullNode();
          case 1 -> NODES.textNode("7");
          case 2 -> NODES.numberNode(7);
          case 3 -> NODES.numberNode(1.5);
          case 4 -> NODES.booleanNode(true);
          case 5 -> NODES.arrayNode().add("x");
          case 6 -> NODES.arrayNode().addNull();
          case 7 -> NODES.numberNode(12345678901L);
          default -> NODES.objectNode().put("name", "x");
        };
    target.set(field, value);
  }

  private static void collect(JsonNode node, List<ObjectNode> into) {
    if (node instanceof ObjectNode o) {
      into.add(o);
    }
    for (JsonNode child : node) {
      collect(child, into);
    }
  }

  private static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  /**
   * The whole manifest as JSON, nulls included (a record's JSON would compare ObjectMeta by
   * identity).
   */
  private static String json(Manifest m) {
    return Serialization.asJson(m.metadata()) + " " + Serialization.asJson(m.spec());
  }
}
