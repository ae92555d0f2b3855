package dev.shepherd.supervisor;

import java.io.PrintStream;

/** Where the lines of every step's stdout and stderr go. Called from the steps' log threads. */
@FunctionalInterface
public interface LineSink {
  void line(String step, String line);

  /** {@code [step] line} on the given stream, one whole line at a time. */
  static LineSink prefixed(PrintStream out) {
    return (step, line) -> {
      synchronized (out) {
        out.println("[" + step + "] " + line);
      }
    };
  }
}
