package dev.shepherd.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.LoopStatus;
import dev.shepherd.api.PinnedTemplate;
import dev.shepherd.api.RunStatus;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link StatusJson} makes what Jackson's ObjectMapper makes of a status: the same tree, in plain
 * Java values, and the same text, byte for byte.
 */
class StatusJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Property(tries = 300)
  void theTreeAndTheTextAreTheMappers(@ForAll long seed) throws Exception {
    WorkflowStatus status = random(new Random(seed));
    JsonNode expected = MAPPER.valueToTree(status);
    Map<String, Object> tree = StatusJson.tree(status);
    plain(tree);
    // The plain values as the mapper's tree: IntNode and LongNode differ, so Integer and Long must
    // be
    // where Jackson has them. JsonNode.equals (field order aside; the text below checks the order):
    // AssertJ compares JsonNodes as Iterables, values in order.
    JsonNode asTree = MAPPER.valueToTree(tree);
    assertThat(asTree.equals(expected)).as("%s is the mapper's %s", asTree, expected).isTrue();
    String text = StatusJson.write(tree);
    assertThat(text)
        .as("the text of the mapper's tree")
        .isEqualTo(MAPPER.writeValueAsString(expected));
    assertThat(text)
        .as("the mapper's text of the plain values")
        .isEqualTo(MAPPER.writeValueAsString(tree));
    assertThat(MAPPER.readTree(text).equals(MAPPER.readTree(MAPPER.writeValueAsString(status))))
        .as("the text reads back as the mapper's text of the status")
        .isTrue();
  }

  /**
   * Plain values of JSON all through: maps in field order, lists, strings, numbers, booleans, null.
   */
  private static void plain(Object value) {
    if (value instanceof Map<?, ?> object) {
      assertThat(object).isInstanceOf(LinkedHashMap.class);
      assertThat(object.keySet()).allMatch(String.class::isInstance);
      object.values().forEach(StatusJsonTest::plain);
    } else if (value instanceof List<?> array) {
      assertThat(array).isInstanceOf(ArrayList.class);
      array.forEach(StatusJsonTest::plain);
    } else if (value != null) {
      assertThat(value)
          .isInstanceOfAny(String.class, Integer.class, Long.class, Boolean.class, Double.class);
    }
  }

  /** Each kind of value a tree can hold, and one of each that only the mapper writes. */
  @Test
  void writesEachKindOfValueAsTheMapper() throws Exception {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("z", "first field, \"quoted\"\n");
    object.put("int", Integer.MIN_VALUE);
    object.put("long", Long.MAX_VALUE);
    object.put("true", true);
    object.put("false", false);
    object.put("null", null);
    object.put("empty", new LinkedHashMap<>());
    object.put("array", new ArrayList<>(Arrays.asList(1, null, "a", new ArrayList<>(), -2L)));
    object.put("double", 1.5);
    object.put("nan", Double.NaN);
    object.put("big", new BigInteger("123456789012345678901234567890"));
    object.put("bytes", new byte[] {1, 2, -1});
    String text = StatusJson.write(object);
    assertThat(text)
        .startsWith("{\"z\":\"first field, \\\"quoted\\\"\\n\",\"int\":-2147483648,")
        .isEqualTo(MAPPER.writeValueAsString(object))
        .isEqualTo(MAPPER.valueToTree(object).toString());
    assertThat(StatusJson.write(null)).isEqualTo("null");
    assertThat(StatusJson.write(List.of())).isEqualTo("[]");
  }

  private static void run(Random r, RunStatus st) {
    st.name = text(r);
    st.phase = r.nextBoolean() ? null : StepPhase.values()[r.nextInt(StepPhase.values().length)];
    st.exitCode = r.nextBoolean() ? null : r.nextInt(256);
    st.reason = text(r);
    st.attempts = r.nextBoolean() ? null : r.nextInt(5);
    st.startedAt = text(r);
    st.finishedAt = text(r);
    st.podName = text(r);
    st.message = text(r);
    st.outputs =
        switch (r.nextInt(4)) {
          case 0 -> null;
          case 1 -> new LinkedHashMap<>(); // left out, as NON_EMPTY says
          default -> {
            Map<String, String> outputs = new LinkedHashMap<>();
            for (int k = 0, m = 1 + r.nextInt(3); k < m; k++) {
              outputs.put("name_" + k + r.nextInt(100), text(r));
            }
            yield outputs;
          }
        };
  }

  private static WorkflowStatus random(Random r) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase =
        r.nextBoolean() ? null : WorkflowPhase.values()[r.nextInt(WorkflowPhase.values().length)];
    s.progress = text(r);
    s.startedAt = text(r);
    s.finishedAt = text(r);
    s.message = text(r);
    s.observedGeneration = r.nextBoolean() ? null : r.nextLong();
    s.steps = r.nextInt(8) == 0 ? null : new ArrayList<>();
    s.abortReason = text(r);
    s.abortMessage = text(r);
    s.stepTemplates = r.nextInt(3) == 0 ? null : new ArrayList<>();
    for (int i = 0, n = s.stepTemplates == null ? 0 : r.nextInt(3); i < n; i++) {
      s.stepTemplates.add(new PinnedTemplate(text(r), text(r), text(r)));
    }
    for (int i = 0, n = s.steps == null ? 0 : r.nextInt(4); i < n; i++) {
      StepStatus st = new StepStatus();
      run(r, st);
      if (r.nextInt(3) == 0) {
        st.loop = new LoopStatus(r.nextInt(10_000));
        st.loop.started = r.nextBoolean() ? null : r.nextInt(100);
        for (int j = 0, m = r.nextInt(3); j < m; j++) {
          RunStatus instance = new RunStatus();
          run(r, instance);
          st.loop.instances.add(instance);
        }
      }
      s.steps.add(st);
    }
    s.conditions = r.nextInt(8) == 0 ? null : new ArrayList<>();
    for (int i = 0, n = s.conditions == null ? 0 : r.nextInt(3); i < n; i++) {
      Condition c =
          new ConditionBuilder()
              .withType(text(r))
              .withStatus(text(r))
              .withReason(text(r))
              .withMessage(text(r))
              .withLastTransitionTime(text(r))
              .withObservedGeneration(r.nextBoolean() ? null : (long) r.nextInt(9))
              .build();
      if (r.nextInt(5) == 0) {
        c.setAdditionalProperty(
            "extra",
            switch (r.nextInt(3)) {
              case 0 -> "x";
              case 1 -> 7;
              default -> 1.5;
            });
      }
      s.conditions.add(c);
    }
    return s;
  }

  /** Null, or text with the characters JSON must escape, and non-ASCII. */
  private static String text(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> null;
      case 1 -> "";
      case 2 -> "plain " + r.nextInt(100);
      case 3 -> "quote \" backslash \\ newline \n tab \t ctrl \u0001 end";
      case 4 -> "cr \r bs \b ff \f unit \u001f del \u007f ls \u2028 slash / nul \u0000";
      default -> "ünïcödé ✓ 𝄞 " + r.nextInt(10);
    };
  }
}
