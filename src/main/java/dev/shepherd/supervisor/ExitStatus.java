package dev.shepherd.supervisor;

/**
 * How a step ended, with the exit code tini would report for it: a normal exit gives its own code
 * (0..255), death by signal N gives 128+N, a command that was not found 127, a command that was
 * found but could not be executed 126.
 *
 * @param code the exit code, 0..255
 * @param signal the signal that killed the process, or null if it was not killed by one
 */
public record ExitStatus(int code, Signal signal, Cause cause) {

  public enum Cause {
    EXITED,
    KILLED,
    NOT_FOUND,
    NOT_EXECUTABLE
  }

  public static ExitStatus exited(int code) {
    return new ExitStatus(code & 0xff, null, Cause.EXITED);
  }

  public static ExitStatus killed(Signal signal) {
    return new ExitStatus(128 + signal.number(), signal, Cause.KILLED);
  }

  public static ExitStatus notFound() {
    return new ExitStatus(127, null, Cause.NOT_FOUND);
  }

  public static ExitStatus notExecutable() {
    return new ExitStatus(126, null, Cause.NOT_EXECUTABLE);
  }

  /** Decodes a raw status from waitpid(2) (only exits and deaths: we never ask for stops). */
  static ExitStatus fromWaitStatus(int status) {
    int termSignal = status & 0x7f;
    if (termSignal == 0) {
      return exited((status >> 8) & 0xff);
    }
    return killed(Signal.of(termSignal));
  }

  public boolean success() {
    return code == 0;
  }

  /** A sentence fragment for a status message, e.g. "was killed by SIGKILL (exit code 137)". */
  public String describe() {
    return switch (cause) {
      case EXITED -> "exited with code " + code;
      case KILLED -> "was killed by " + signal + " (exit code " + code + ")";
      case NOT_FOUND -> "could not start: command not found (exit code 127)";
      case NOT_EXECUTABLE -> "could not start: command is not executable (exit code 126)";
    };
  }
}
