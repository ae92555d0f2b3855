package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shepherd.api.Concurrency;
import dev.shepherd.api.Param;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.ConcurrencyQueue.Member;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ConcurrencyQueueTest {
  private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

  private static Member waiting(String name, int second) {
    return new Member(name, T.plusSeconds(second), false, true);
  }

  private static Member running(String name) {
    return new Member(name, T, true, false);
  }

  @Test
  void theOldestWaitingStartsWhenAPlaceIsFreeAndTheOthersKnowTheirPlace() {
    List<Member> key = List.of(running("a"), waiting("c", 2), waiting("b", 1));

    assertThat(ConcurrencyQueue.decide("b", 1, key)).isEqualTo(new ConcurrencyQueue.Decision(1, 1));
    assertThat(ConcurrencyQueue.decide("c", 1, key)).isEqualTo(new ConcurrencyQueue.Decision(2, 1));
    assertThat(ConcurrencyQueue.decide("b", 2, key).admitted()).isTrue();
    assertThat(ConcurrencyQueue.decide("c", 2, key).place()).isEqualTo(1);
  }

  @Test
  void aKeyMayReadParams() {
    WorkflowSpec spec = new WorkflowSpec();
    spec.params = List.of(new Param("ENV", "prod"));
    spec.concurrency = new Concurrency();
    spec.concurrency.key = "deploy-${{ params.ENV }}";
    assertThat(ConcurrencyQueue.key(spec)).isEqualTo("deploy-prod");
  }

  /** Whatever the queue, never more than max admitted: each admitted one counts as it starts. */
  @Property(tries = 300)
  void neverMoreThanMaxRun(
      @ForAll @IntRange(min = 1, max = 4) int max,
      @ForAll @IntRange(min = 0, max = 6) int runningNow,
      @ForAll @IntRange(min = 0, max = 8) int waitingNow) {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < runningNow; i++) {
      members.add(running("r" + i));
    }
    for (int i = 0; i < waitingNow; i++) {
      members.add(waiting("w" + i, waitingNow - i));
    }
    int admitted = 0;
    for (int i = 0; i < waitingNow; i++) {
      if (ConcurrencyQueue.decide("w" + i, max, members).admitted()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(Math.max(0, Math.min(waitingNow, max - runningNow)));
  }
}
