package dev.shepherd.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec patches of the plugin's commands and the UI's buttons. */
class ControlsTest {
  @Test
  void cancelSuspendAndResumeSetTheirSpecFields() throws Exception {
    assertThat(Controls.specPatch(Controls.Action.CANCEL, "w", Map.of()))
        .isEqualTo("{\"cancel\":true}");
    assertThat(Controls.specPatch(Controls.Action.SUSPEND, "w", Map.of()))
        .isEqualTo("{\"suspend\":true}");
    assertThat(Controls.specPatch(Controls.Action.RESUME, "w", Map.of()))
        .isEqualTo("{\"suspend\":false}");
    assertThat(Controls.Action.of("resume")).isEqualTo(Controls.Action.RESUME);
    assertThat(Controls.Action.of("delete")).isNull();
  }

  @Test
  void aRetryAsksForOneGenerationPastTheLastRecordedAndUndoesACancel() throws Exception {
    assertThat(Controls.specPatch(Controls.Action.RETRY, "w", Map.of("phase", "Failed")))
        .isEqualTo("{\"retryGeneration\":1,\"cancel\":false}");
    Map<String, Object> twice =
        Map.of(
            "phase",
            "Cancelled",
            "retries",
            List.of(Map.of("generation", 1), Map.of("generation", 5, "refused", "it ran")));
    assertThat(Controls.specPatch(Controls.Action.RETRY, "w", twice))
        .isEqualTo("{\"retryGeneration\":6,\"cancel\":false}");
  }

  @Test
  void aRetryOfAWorkflowThatDidNotFailIsRefused() {
    assertThatThrownBy(
            () -> Controls.specPatch(Controls.Action.RETRY, "w", Map.of("phase", "Running")))
        .isInstanceOf(Controls.Refused.class)
        .hasMessage("workflow w is Running: only a Failed or Cancelled workflow can be retried");
    assertThatThrownBy(() -> Controls.specPatch(Controls.Action.RETRY, "w", null))
        .hasMessage(
            "workflow w is not started: only a Failed or Cancelled workflow can be retried");
  }
}
