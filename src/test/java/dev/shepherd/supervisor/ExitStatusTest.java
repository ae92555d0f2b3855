package dev.shepherd.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Decoding waitpid statuses into tini's exit codes; no processes involved. */
class ExitStatusTest {

  @Property
  void aNormalExitKeepsItsCode(@ForAll @IntRange(min = 0, max = 255) int code) {
    ExitStatus status = ExitStatus.fromWaitStatus(code << 8);
    assertEquals(code, status.code());
    assertEquals(ExitStatus.Cause.EXITED, status.cause());
    assertNull(status.signal());
  }

  @Property
  void deathBySignalIs128PlusN(
      @ForAll @IntRange(min = 1, max = 31) int signal, @ForAll boolean coreDumped) {
    ExitStatus status = ExitStatus.fromWaitStatus(signal | (coreDumped ? 0x80 : 0));
    assertEquals(128 + signal, status.code());
    assertEquals(Signal.of(signal), status.signal());
  }

  @Property
  void signalNumbersRoundTrip(@ForAll @IntRange(min = 1, max = 31) int number) {
    assertEquals(number, Signal.of(number).number());
  }
}
