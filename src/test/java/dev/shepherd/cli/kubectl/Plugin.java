package dev.shepherd.cli.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** Runs {@code kubectl shepherd} in the test's JVM against a client of the test's choosing. */
final class Plugin {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:10Z");

  /** What one invocation printed, and its exit code; {@link #out} may be read while it runs. */
  static final class Result {
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    int code = -1;

    String out() {
      synchronized (outBytes) {
        return outBytes.toString(StandardCharsets.UTF_8);
      }
    }

    String err() {
      return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out() + "--- stderr\n" + err();
    }
  }

  private final Supplier<KubernetesClient> clients;
  private final boolean live;

  /**
   * @param clients a new client per invocation (the command closes the one it gets)
   */
  Plugin(Supplier<KubernetesClient> clients) {
    this(clients, false);
  }

  private Plugin(Supplier<KubernetesClient> clients, boolean live) {
    this.clients = clients;
    this.live = live;
  }

  /** The same, as on a terminal: watch draws the live table. */
  Plugin onTerminal() {
    return new Plugin(clients, true);
  }

  Result run(String... args) {
    Result r = new Result();
    r.code = run(r, args);
    return r;
  }

  int run(Result r, String... args) {
    PrintStream out = new PrintStream(new Synced(r.outBytes), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(r.errBytes, true, StandardCharsets.UTF_8);
    return KubectlCommand.run(
        args, out, err, target -> clients.get(), Clock.fixed(NOW, ZoneOffset.UTC), live);
  }

  /** Writes under the buffer's lock, so that a test can read it while the command writes. */
  private static final class Synced extends java.io.OutputStream {
    private final ByteArrayOutputStream to;

    Synced(ByteArrayOutputStream to) {
      this.to = to;
    }

    @Override
    public void write(int b) {
      synchronized (to) {
        to.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (to) {
        to.write(b, off, len);
      }
    }
  }
}
