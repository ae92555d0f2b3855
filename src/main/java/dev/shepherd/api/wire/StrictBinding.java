package dev.shepherd.api.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.shepherd.api.Workflow;

/**
 * Jackson's binding of a manifest's tree to the model, for every document that {@link QuickBinder}
 * leaves: a workflow file of {@code shepherd run} and a {@link CarriedManifest} alike, so both
 * accept the same documents and reject the same. Strict: an unknown field is an error, also inside
 * the Kubernetes types (metadata, env, resources), which would otherwise keep unknown fields aside
 * silently. The supervisor loads this class only for a manifest that the quick path cannot take.
 */
public final class StrictBinding {
  /**
   * What the parsers of manifests read: nested no deeper than {@link PlainJson} reads. Binding a
   * value converts it recursively, and a file or manifest nested less deep than Jackson's own limit
   * overflowed the small stack of the supervisor runtime's threads.
   */
  public static final StreamReadConstraints NESTING =
      StreamReadConstraints.builder().maxNestingDepth(PlainJson.MAX_DEPTH).build();

  private StrictBinding() {}

  /** Built on first use: a plain manifest never needs it (see {@link QuickBinder}). */
  private static final class Strict {
    static final ObjectMapper MAPPER = strictMapper();
  }

  /** The strict mapper; for the names of values in messages, too. */
  public static ObjectMapper mapper() {
    return Strict.MAPPER;
  }

  /** The Workflow of a tree of plain values (maps, lists, strings, numbers, booleans, null). */
  public static Workflow bind(Object tree) throws JsonProcessingException {
    return Strict.MAPPER.treeToValue(Strict.MAPPER.valueToTree(tree), Workflow.class);
  }

  /**
   * A mapper that fails on unknown fields everywhere: the Kubernetes model classes keep unknown
   * fields in an "additionalProperties" any-setter, which this removes.
   */
  private static ObjectMapper strictMapper() {
    SimpleModule strict = new SimpleModule("shepherd-strict");
    strict.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            builder.setIgnoreUnknownProperties(false);
            return builder;
          }
        });
    return new ObjectMapper(JsonFactory.builder().streamReadConstraints(NESTING).build())
        .registerModule(strict)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }
}
