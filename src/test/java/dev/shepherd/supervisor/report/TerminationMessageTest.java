package dev.shepherd.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.StepStatus;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.api.wire.StatusPatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminationMessageTest {
  @TempDir Path dir;

  /** Renders, checks the size limit, and reads it back as a WorkflowStatus. */
  private static WorkflowStatus roundTrip(WorkflowStatus status) throws Exception {
    String text = TerminationMessage.render(status);
    assertThat(text.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(TerminationMessage.MAX_BYTES);
    assertThat(text).doesNotContain("\n").doesNotContain("observedGeneration");
    return Statuses.JSON.readValue(text, WorkflowStatus.class);
  }

  @Test
  void aSmallStatusIsWrittenWhole() throws Exception {
    WorkflowStatus status =
        Statuses.status(WorkflowPhase.Running, 3, 1, "1 of 3, \"quoted\"\n é 𝄞");
    // Whole: Jackson's text of the owned fields of the mapper's tree, byte for byte.
    ObjectNode owned = Statuses.JSON.valueToTree(status);
    owned.retain(StatusPatch.OWNED_FIELDS);
    assertThat(TerminationMessage.render(status))
        .isEqualTo(Statuses.JSON.writeValueAsString(owned));
    WorkflowStatus back = roundTrip(status);
    assertThat(Statuses.JSON.writeValueAsString(back.steps))
        .isEqualTo(Statuses.JSON.writeValueAsString(status.steps));
    assertThat(back.conditions).hasSize(1);
    assertThat(back.progress).isEqualTo("1/3");
  }

  @Test
  void aThousandSucceededStepsKeepPhaseProgressAndMessage() throws Exception {
    WorkflowStatus status =
        Statuses.status(WorkflowPhase.Succeeded, 1000, 1000, "All 1000 steps succeeded.");
    assertThat(Statuses.JSON.writeValueAsBytes(status).length).isGreaterThan(50_000);
    WorkflowStatus back = roundTrip(status);
    assertThat(back.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(back.progress).isEqualTo("1000/1000");
    assertThat(back.message).isEqualTo("All 1000 steps succeeded.");
    assertThat(back.steps).isEmpty();
    assertThat(back.conditions).extracting(c -> c.getType()).containsExactly("Reconciling");
  }

  @Test
  void aThousandStepsWithSomeFailuresKeepTheFailedOnes() throws Exception {
    WorkflowStatus status = Statuses.status(WorkflowPhase.Failed, 1000, 990, "2 steps failed.");
    for (int i = 990; i < 1000; i++) {
      StepStatus st = status.steps.get(i);
      st.phase = i < 992 ? StepPhase.Failed : StepPhase.Skipped;
      st.exitCode = i < 992 ? 3 : null;
      st.message = "x".repeat(1500); // output tails make even these too big together
    }
    WorkflowStatus back = roundTrip(status);
    assertThat(back.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(back.steps).extracting(s -> s.name).contains("step-990", "step-991");
    assertThat(back.steps).noneMatch(s -> s.phase == StepPhase.Succeeded);
    assertThat(back.step("step-990").exitCode).isEqualTo(3);
  }

  @Test
  void aThousandFailedStepsWithLongNamesKeepAsManyAsFitFailedFirst() throws Exception {
    WorkflowStatus status = Statuses.status(WorkflowPhase.Failed, 1000, 0, "m".repeat(20_000));
    for (int i = 0; i < 1000; i++) {
      StepStatus st = status.steps.get(i);
      st.name = ("s" + i + "-").repeat(30).substring(0, 63);
      st.phase = i % 2 == 0 ? StepPhase.Skipped : StepPhase.Failed;
      st.exitCode = i % 2 == 0 ? null : 137;
      st.reason = "OOMKilled";
      st.message = "é".repeat(3000);
    }
    WorkflowStatus back = roundTrip(status);
    assertThat(back.phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(back.progress).isEqualTo("0/1000");
    assertThat(back.message).startsWith("mmm").endsWith("...");
    assertThat(back.steps)
        .isNotEmpty()
        .allMatch(s -> s.phase == StepPhase.Failed && s.exitCode == 137);
  }

  @Test
  void hugeFieldsEverywhereStillGiveValidJson() throws Exception {
    WorkflowStatus status = new WorkflowStatus();
    status.phase = WorkflowPhase.Cancelled;
    status.progress = "p".repeat(5000);
    status.startedAt = "s".repeat(5000);
    status.message = "\uD83D\uDE00".repeat(5000); // 4-byte characters; never cut in half
    status.steps = List.of();
    WorkflowStatus back = roundTrip(status);
    assertThat(back.phase).isEqualTo(WorkflowPhase.Cancelled);
    assertThat(back.message).startsWith("\uD83D\uDE00").doesNotContain("\uFFFD");
  }

  @Test
  void writeReplacesTheFile() throws Exception {
    Path file = dir.resolve("termination-log");
    TerminationMessage.write(
        file, Statuses.status(WorkflowPhase.Running, 1000, 0, "x".repeat(100)));
    TerminationMessage.write(file, Statuses.status(WorkflowPhase.Succeeded, 1, 1, "done"));
    WorkflowStatus back = Statuses.JSON.readValue(Files.readString(file), WorkflowStatus.class);
    assertThat(back.phase).isEqualTo(WorkflowPhase.Succeeded);
    assertThat(back.steps).hasSize(1);
  }
}
