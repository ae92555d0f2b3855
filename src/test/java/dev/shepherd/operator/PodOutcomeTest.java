package dev.shepherd.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.engine.Outcome;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** How a step Pod's end is read. */
class PodOutcomeTest {
  static Pod ended(String phase, String podReason, int exitCode, String containerReason) {
    return ended(phase, podReason, exitCode, containerReason, null);
  }

  static Pod ended(
      String phase, String podReason, int exitCode, String containerReason, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("wf-a-1")
        .endMetadata()
        .withStatus(TestingKubelet.ended(phase, podReason, exitCode, containerReason, message))
        .build();
  }

  @Test
  void aFailedPodNeverCountsAsASuccessWhateverItsContainerSays() {
    assertThat(PodOutcome.of(ended("Failed", null, 0, "Completed")))
        .get()
        .satisfies(
            o -> {
              assertThat(o.succeeded()).isFalse();
              assertThat(o.reason()).isEqualTo("Error");
            });
    assertThat(PodOutcome.of(ended("Failed", null, 0, null)))
        .get()
        .extracting(Outcome::reason)
        .isEqualTo("Error");
    assertThat(PodOutcome.of(ended("Failed", null, 2, "Completed")))
        .get()
        .extracting(Outcome::reason)
        .isEqualTo("Error");
  }

  @Test
  void thePodsReasonComesBeforeTheContainersAndASucceededPodSucceeded() {
    assertThat(PodOutcome.of(ended("Failed", "DeadlineExceeded", 137, "Error")))
        .get()
        .extracting(Outcome::reason)
        .isEqualTo("DeadlineExceeded");
    assertThat(PodOutcome.of(ended("Failed", null, 137, "OOMKilled")))
        .get()
        .extracting(Outcome::reason)
        .isEqualTo("OOMKilled");
    assertThat(PodOutcome.of(ended("Succeeded", null, 0, "Completed")))
        .get()
        .satisfies(o -> assertThat(o.succeeded()).isTrue());
  }

  /**
   * The termination message is the outputs file after a clean exit; after a failure it is the log's
   * last lines (or whatever the step wrote), a message and never outputs.
   */
  @Test
  void theTerminationMessageIsTheOutputsOfASucceededPodAndTheMessageOfAFailedOne() {
    assertThat(PodOutcome.of(ended("Succeeded", null, 0, "Completed", "version=1.2\n")))
        .get()
        .satisfies(
            o -> {
              assertThat(o.outputs()).isEqualTo("version=1.2\n");
              assertThat(o.message()).isNull();
            });
    assertThat(PodOutcome.of(ended("Failed", null, 1, "Error", "make: *** [all] Error 1")))
        .get()
        .satisfies(
            o -> {
              assertThat(o.outputs()).isNull();
              assertThat(o.message()).isEqualTo("make: *** [all] Error 1");
            });
  }
}
