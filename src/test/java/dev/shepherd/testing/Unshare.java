package dev.shepherd.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Whether this machine lets a test start a process as PID 1 of a new PID namespace with {@code
 * unshare -pf --mount-proc} (it needs root, as in CI, or user namespaces).
 */
public final class Unshare {
  private static String problem;
  private static boolean probed;

  private Unshare() {}

  /** Null if {@code unshare -pf --mount-proc} works here, else why not. */
  public static synchronized String problem() throws InterruptedException {
    if (!probed) {
      probed = true;
      try {
        Process probe =
            new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true")
                .redirectErrorStream(true)
                .start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (probe.waitFor() != 0) {
          problem = "unshare exited " + probe.exitValue() + ": " + out.strip();
        }
      } catch (IOException e) {
        problem = "no unshare: " + e.getMessage();
      }
    }
    return problem;
  }
}
