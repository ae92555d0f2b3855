package dev.shepherd.api.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON a supervisor Pod carries ({@link CarriedManifest}) into plain Java values, by
 * hand: an object is a {@code LinkedHashMap<String, Object>} (fields in order), an array an {@code
 * ArrayList<Object>}, then String, Boolean, null, and whole numbers of int or long size as Integer
 * or Long (as Jackson's {@code readTree} makes int and long nodes). Not with Jackson: its first
 * parser initialises {@code BigDecimal}, whose static set-up multiplies big numbers on the
 * fork-join pool, some 20 ms of the supervisor's start-up, and its trees are ~60 classes in every
 * supervisor's memory. Anything else (a fraction, an exponent, a duplicate key, a syntax error) is
 * {@link Unusual}, and the caller reads the text with Jackson, which gives the same value or the
 * error message. {@code PlainJsonTest} checks that against Jackson.
 */
final class PlainJson {
  /** The text is not in the plain subset (or not JSON): read it with Jackson. */
  static final class Unusual extends Exception {
    private static final Unusual INSTANCE = new Unusual();

    private Unusual() {
      super(null, null, false, false);
    }
  }

  /**
   * Deeper than this is Unusual, so Jackson reads it, with this as its limit too (its error names
   * the depth). A manifest nests a few levels; without a limit a hostile one of thousands of
   * brackets would end the supervisor with a StackOverflowError.
   */
  static final int MAX_DEPTH = 100;

  private final String text;
  private int at;
  private int depth;

  private PlainJson(String text) {
    this.text = text;
  }

  /** The one JSON value of {@code text}. */
  static Object read(String text) throws Unusual {
    PlainJson reader = new PlainJson(text);
    Object value = reader.value();
    reader.skipSpace();
    if (reader.at != text.length()) {
      throw Unusual.INSTANCE;
    }
    return value;
  }

  private Object value() throws Unusual {
    skipSpace();
    if (at >= text.length()) {
      throw Unusual.INSTANCE;
    }
    char c = text.charAt(at);
    if (c == '{' || c == '[') {
      if (depth == MAX_DEPTH) {
        throw Unusual.INSTANCE;
      }
      depth++;
      Object container = c == '{' ? object() : array();
      depth--;
      return container;
    }
    return switch (c) {
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() throws Unusual {
    Map<String, Object> object = new LinkedHashMap<>();
    at++; // {
    skipSpace();
    if (peek() == '}') {
      at++;
      return object;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw Unusual.INSTANCE;
      }
      String name = string();
      skipSpace();
      if (peek() != ':') {
        throw Unusual.INSTANCE;
      }
      at++;
      if (object.containsKey(name)) {
        throw Unusual.INSTANCE;
      }
      object.put(name, value());
      skipSpace();
      char next = peek();
      at++;
      if (next == '}') {
        return object;
      }
      if (next != ',') {
        throw Unusual.INSTANCE;
      }
    }
  }

  private List<Object> array() throws Unusual {
    List<Object> array = new ArrayList<>();
    at++; // [
    skipSpace();
    if (peek() == ']') {
      at++;
      return array;
    }
    while (true) {
      array.add(value());
      skipSpace();
      char next = peek();
      at++;
      if (next == ']') {
        return array;
      }
      if (next != ',') {
        throw Unusual.INSTANCE;
      }
    }
  }

  private String string() throws Unusual {
    at++; // "
    StringBuilder out = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw Unusual.INSTANCE;
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw Unusual.INSTANCE; // control characters must be escaped
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw Unusual.INSTANCE;
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw Unusual.INSTANCE;
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
              throw Unusual.INSTANCE;
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
        }
        default -> throw Unusual.INSTANCE;
      }
    }
  }

  private Object number() throws Unusual {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    int digits = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    int length = at - digits;
    // No fraction or exponent, no leading zero, at most 18 digits (a long for sure).
    if (length == 0 || length > 18 || (length > 1 && text.charAt(digits) == '0')) {
      throw Unusual.INSTANCE;
    }
    if (at < text.length()
        && (text.charAt(at) == '.' || text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
      throw Unusual.INSTANCE;
    }
    long value = Long.parseLong(text, start, at, 10);
    return value == (int) value ? (Object) (int) value : (Object) value;
  }

  private Object literal(String word, Boolean value) throws Unusual {
    if (!text.startsWith(word, at)) {
      throw Unusual.INSTANCE;
    }
    at += word.length();
    return value;
  }

  private char peek() throws Unusual {
    if (at >= text.length()) {
      throw Unusual.INSTANCE;
    }
    return text.charAt(at);
  }

  private void skipSpace() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }
}
