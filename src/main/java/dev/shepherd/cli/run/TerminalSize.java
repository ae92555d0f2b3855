package dev.shepherd.cli.run;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The size of the terminal on stdout: ioctl(1, TIOCGWINSZ) through the FFM API (no child process:
 * {@code stty} is out of the question in a JVM whose Supervisor reaps every child), else the {@code
 * LINES} and {@code COLUMNS} environment variables, else 24 x 80. Asked again at every redraw, so a
 * resized window is followed.
 */
public record TerminalSize(int rows, int columns) {
  public static final TerminalSize DEFAULT = new TerminalSize(24, 80);

  /** TIOCGWINSZ of Linux (x86_64, aarch64 and most others). */
  private static final long TIOCGWINSZ = 0x5413;

  /** From the environment (LINES, COLUMNS), each falling back to the default. */
  public static TerminalSize fromEnvironment(Map<String, String> env) {
    return new TerminalSize(
        positive(env.get("LINES"), DEFAULT.rows()),
        positive(env.get("COLUMNS"), DEFAULT.columns()));
  }

  /** Of the terminal on stdout, or from the environment if that cannot be asked. */
  public static TerminalSize ofStdout() {
    TerminalSize env = fromEnvironment(System.getenv());
    int[] ws = Ioctl.windowSize(1);
    if (ws == null) {
      return env;
    }
    return new TerminalSize(ws[0] > 0 ? ws[0] : env.rows(), ws[1] > 0 ? ws[1] : env.columns());
  }

  /**
   * Whether stdout is a terminal that understands cursor movement (not TERM=dumb, not unset): where
   * {@link LiveTable} can redraw in place.
   */
  public static boolean stdoutIsTerminal(String term) {
    if (term == null || term.isBlank() || term.equals("dumb")) {
      return false;
    }
    java.io.Console console = System.console();
    return console != null && console.isTerminal();
  }

  private static int positive(String text, int otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(text.trim());
      return n > 0 ? n : otherwise;
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /**
   * The downcall, made on first use; none where native access is not enabled (no warning printed).
   */
  private static final class Ioctl {
    private static final MethodHandle IOCTL = handle();

    private static MethodHandle handle() {
      try {
        if (!TerminalSize.class.getModule().isNativeAccessEnabled()
            || !System.getProperty("os.name", "").startsWith("Linux")) {
          return null;
        }
        Linker linker = Linker.nativeLinker();
        return linker
            .defaultLookup()
            .find("ioctl")
            .map(
                address ->
                    linker.downcallHandle(
                        address,
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                        Linker.Option.firstVariadicArg(2)))
            .orElse(null);
      } catch (RuntimeException | LinkageError e) {
        return null;
      }
    }

    /** {rows, columns} of the terminal on fd, or null if fd is no terminal. */
    static int[] windowSize(int fd) {
      if (IOCTL == null) {
        return null;
      }
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ws = arena.allocate(8, 2); // struct winsize: 4 unsigned shorts
        int r = (int) IOCTL.invokeExact(fd, TIOCGWINSZ, ws);
        if (r != 0) {
          return null;
        }
        return new int[] {
          Short.toUnsignedInt(ws.get(JAVA_SHORT, 0)), Short.toUnsignedInt(ws.get(JAVA_SHORT, 2))
        };
      } catch (Throwable e) {
        return null;
      }
    }
  }
}
