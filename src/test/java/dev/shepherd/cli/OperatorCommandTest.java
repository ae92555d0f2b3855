package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OperatorCommandTest {
  @Test
  void theDefaultTtlIsOffUnlessSetAndAWholeNumberOfSecondsOfZeroOrMore() {
    assertThat(OperatorCommand.defaultTtl(null)).isNull();
    assertThat(OperatorCommand.defaultTtl(" ")).isNull();
    assertThat(OperatorCommand.defaultTtl("0")).isEqualTo(Duration.ZERO);
    assertThat(OperatorCommand.defaultTtl("604800")).isEqualTo(Duration.ofDays(7));
    for (String bad : new String[] {"-1", "1h", "1.5"}) {
      assertThatThrownBy(() -> OperatorCommand.defaultTtl(bad))
          .hasMessage(
              "SHEPHERD_DEFAULT_TTL_SECONDS must be a whole number of seconds, 0 or more, not \""
                  + bad
                  + "\".");
    }
  }
}
