package dev.shepherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shepherd.operator.TestingCluster;
import dev.shepherd.operator.ui.UiServer;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
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

  @Test
  void theWebUiRunsOnlyWhenTurnedOnAndThenListensOnLoopbackByDefault() throws Exception {
    try (TestingCluster cluster = new TestingCluster()) {
      assertThat(OperatorCommand.ui(cluster.client, Map.of())).isNull();
      assertThat(OperatorCommand.ui(cluster.client, Map.of("SHEPHERD_UI", "false"))).isNull();
      assertThat(cluster.requests())
          .as("no informer, no request")
          .noneMatch(r -> r.contains("/workflows"));
      try (UiServer ui =
          OperatorCommand.ui(
              cluster.client, Map.of("SHEPHERD_UI", "true", "SHEPHERD_UI_PORT", "0"))) {
        assertThat(ui).isNotNull();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ui.port())) {
          assertThat(socket.isConnected()).isTrue();
        }
      }
    }
  }
}
