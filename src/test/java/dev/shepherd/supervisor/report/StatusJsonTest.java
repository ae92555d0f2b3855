package dev.shepherd.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** {@link StatusJson} makes what Jackson's ObjectMapper makes of a status: the same tree, the same text. */
class StatusJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Property(tries = 300)
  void theTreeAndTheTextAreTheMappers(@ForAll long seed) throws Exception {
    WorkflowStatus status = random(new Random(seed));
    JsonNode expected = MAPPER.valueToTree(status);
    JsonNode tree = StatusJson.tree(status);
    // JsonNode.equals (field order aside): AssertJ compares JsonNodes as Iterables, values in order.
    assertThat(tree.equals(expected)).as("%s is the mapper's %s", tree, expected).isTrue();
    assertThat(StatusJson.write(tree)).isEqualTo(MAPPER.writeValueAsString(tree));
    assertThat(MAPPER.readTree(StatusJson.write(tree)).equals(MAPPER.readTree(MAPPER.writeValueAsString(status))))
        .as("the text reads back as the mapper's text of the status").isTrue();
  }

  private static WorkflowStatus random(Random r) {
    WorkflowStatus s = new WorkflowStatus();
    s.phase = r.nextBoolean() ? null : WorkflowPhase.values()[r.nextInt(WorkflowPhase.values().length)];
    s.progress = text(r);
    s.startedAt = text(r);
    s.finishedAt = text(r);
    s.message = text(r);
    s.observedGeneration = r.nextBoolean() ? null : r.nextLong();
    s.steps = r.nextInt(8) == 0 ? null : new ArrayList<>();
    for (int i = 0, n = s.steps == null ? 0 : r.nextInt(4); i < n; i++) {
      StepStatus st = new StepStatus();
      st.name = text(r);
      st.phase = r.nextBoolean() ? null : StepPhase.values()[r.nextInt(StepPhase.values().length)];
      st.exitCode = r.nextBoolean() ? null : r.nextInt(256);
      st.reason = text(r);
      st.attempts = r.nextBoolean() ? null : r.nextInt(5);
      st.startedAt = text(r);
      st.finishedAt = text(r);
      st.podName = text(r);
      st.message = text(r);
      s.steps.add(st);
    }
    s.conditions = r.nextInt(8) == 0 ? null : new ArrayList<>();
    for (int i = 0, n = s.conditions == null ? 0 : r.nextInt(3); i < n; i++) {
      Condition c = new ConditionBuilder().withType(text(r)).withStatus(text(r)).withReason(text(r))
          .withMessage(text(r)).withLastTransitionTime(text(r))
          .withObservedGeneration(r.nextBoolean() ? null : (long) r.nextInt(9)).build();
      if (r.nextInt(5) == 0) c.setAdditionalProperty("extra", switch (r.nextInt(3)) {
        case 0 -> "x";
        case 1 -> 7;
        default -> 1.5;
      });
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
