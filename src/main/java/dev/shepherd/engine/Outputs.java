package dev.shepherd.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A step's outputs as it writes them to the file named by {@value #VARIABLE}, in GitHub Actions'
 * format: a line {@code name=value}, or a value over several lines, {@code name<<DELIMITER}, the
 * value's lines, then a line that is exactly {@code DELIMITER}. Empty lines are ignored; of a name
 * given twice the last value counts. Which of {@code =} and {@code <<} comes first in a line
 * decides its form, so a simple value may hold {@code <<} and a delimiter {@code =}.
 *
 * <p>A name is an environment variable's ({@code [A-Za-z_][A-Za-z0-9_]*}), so that a later step can
 * get an output as a variable under the same name.
 *
 * <p>At most {@value #MAX_BYTES} bytes (UTF-8) per step, in every runner: the pod executor gets the
 * outputs as the container's termination message, of which the kubelet keeps the last 4096 bytes of
 * the file and drops the rest. A message of 4096 bytes may therefore be the tail of a longer file,
 * a 4095-byte one never is: with one byte less than the kubelet keeps, a step that wrote too much
 * is told so instead of having the start of its outputs silently cut off. The supervisor and {@code
 * shepherd run} have no such cap, but the same limit everywhere keeps a workflow's meaning the same
 * in every executor.
 *
 * <p>By hand, not with {@code java.util.regex}: the supervisor parses its steps' outputs, and what
 * it loads is measured (bench/SUPERVISOR.md), as for {@link SpecValidation}'s names.
 */
public final class Outputs {
  /** The environment variable that names the file a step writes its outputs to. */
  public static final String VARIABLE = "SHEPHERD_OUTPUT";

  /** The largest outputs of one step, in UTF-8 bytes; see the class comment for why. */
  public static final int MAX_BYTES = 4095;

  /** The reason of an attempt that exited 0 but whose outputs can't be used. */
  public static final String INVALID_REASON = "OutputsInvalid";

  private static final String HEREDOC = "<<";

  private Outputs() {}

  /** Outputs that can't be parsed; the message names the line, e.g. {@code line 3: ...}. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The outputs in {@code text}, in the order their names first appear; empty for null or empty
   * text.
   *
   * @throws Invalid if the text is over {@value #MAX_BYTES} bytes or a line is malformed
   */
  public static Map<String, String> parse(String text) throws Invalid {
    if (text == null || text.isEmpty()) {
      return Map.of();
    }
    long bytes = utf8Length(text);
    if (bytes > MAX_BYTES) {
      throw new Invalid(
          "over "
              + MAX_BYTES
              + " bytes, the most a step may write (a kubelet keeps only the last 4096 bytes of a"
              + " termination message)");
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    int lineNumber = 0;
    int at = 0;
    while (at < text.length()) {
      int end = lineEnd(text, at);
      String line = text.substring(at, end);
      lineNumber++;
      at = end + 1;
      if (line.isEmpty()) {
        continue;
      }
      int equals = line.indexOf('=');
      int heredoc = line.indexOf(HEREDOC);
      if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
        outputs.put(name(line.substring(0, equals), lineNumber), line.substring(equals + 1));
        continue;
      }
      if (heredoc < 0) {
        throw new Invalid(
            "line "
                + lineNumber
                + ": "
                + quote(line)
                + " is neither name=value nor name<<DELIMITER");
      }
      String name = name(line.substring(0, heredoc), lineNumber);
      String delimiter = line.substring(heredoc + HEREDOC.length());
      if (delimiter.isEmpty()) {
        throw new Invalid("line " + lineNumber + ": " + quote(line) + " has no delimiter after <<");
      }
      int started = lineNumber;
      StringBuilder value = new StringBuilder();
      boolean closed = false;
      while (at < text.length()) {
        end = lineEnd(text, at);
        String valueLine = text.substring(at, end);
        lineNumber++;
        at = end + 1;
        if (valueLine.equals(delimiter)) {
          closed = true;
          break;
        }
        if (lineNumber > started + 1) {
          value.append('\n');
        }
        value.append(valueLine);
      }
      if (!closed) {
        throw new Invalid(
            "line "
                + started
                + ": the value of "
                + name
                + " is not ended by a line "
                + quote(delimiter));
      }
      outputs.put(name, value.toString());
    }
    return Collections.unmodifiableMap(outputs);
  }

  /** The name of an output, if it is an environment variable's name. */
  private static String name(String name, int lineNumber) throws Invalid {
    if (!validName(name)) {
      throw new Invalid(
          "line "
              + lineNumber
              + ": "
              + quote(name)
              + " is not an output name (letters, digits and _, not starting with a digit)");
    }
    return name;
  }

  /** {@code [A-Za-z_][A-Za-z0-9_]*}. */
  public static boolean validName(String name) {
    if (name.isEmpty() || (name.charAt(0) >= '0' && name.charAt(0) <= '9')) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int lineEnd(String text, int from) {
    int end = text.indexOf('\n', from);
    return end < 0 ? text.length() : end;
  }

  /** The length of {@code text} in UTF-8, without encoding it. */
  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** A line or name as the message quotes it: shortened, so that the message stays a sentence. */
  private static String quote(String s) {
    if (s.length() <= 40) {
      return "\"" + s + "\"";
    }
    int end = Character.isHighSurrogate(s.charAt(36)) ? 36 : 37; // never half a character
    return "\"" + s.substring(0, end) + "...\"";
  }
}
