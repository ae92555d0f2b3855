package dev.shepherd.engine.expr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for {@code fromJSON}, {@code toJSON} and the rendering of lists and maps, read into and
 * written from plain Java values: an object is a {@code LinkedHashMap<String, Object>} (in order;
 * of a repeated name the last wins), an array an {@code ArrayList}, a whole number that fits a long
 * a Long and any other number a Double. By hand, not with Jackson, which a supervisor never loads;
 * and the API model's reader ({@code api.wire.PlainJson}) takes only the subset a manifest has.
 */
public final class Json {
  /** Deeper than this is refused: a hostile output would otherwise overflow the stack. */
  static final int MAX_DEPTH = 100;

  /** Text that is not JSON; the message says what was expected and where. */
  public static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  private final String text;
  private final Object nullValue;
  private int at;
  private int depth;

  private Json(String text, Object nullValue) {
    this.text = text;
    this.nullValue = nullValue;
  }

  /** The one JSON value of {@code text}, with {@code nullValue} for each JSON null. */
  public static Object read(String text, Object nullValue) throws Malformed {
    Json reader = new Json(text, nullValue);
    Object value = reader.value();
    reader.skipSpace();
    if (reader.at != text.length()) {
      throw reader.expected("the end of the text");
    }
    return value;
  }

  private Object value() throws Malformed {
    skipSpace();
    if (at >= text.length()) {
      throw expected("a value");
    }
    char c = text.charAt(at);
    if (c == '{' || c == '[') {
      if (depth == MAX_DEPTH) {
        throw new Malformed("nested deeper than " + MAX_DEPTH + " at offset " + at);
      }
      depth++;
      Object container = c == '{' ? object() : array();
      depth--;
      return container;
    }
    return switch (c) {
      case '"' -> string();
      case 't' -> word("true", Boolean.TRUE);
      case 'f' -> word("false", Boolean.FALSE);
      case 'n' -> word("null", nullValue);
      default -> number();
    };
  }

  private Map<String, Object> object() throws Malformed {
    Map<String, Object> object = new LinkedHashMap<>();
    at++;
    skipSpace();
    if (at < text.length() && text.charAt(at) == '}') {
      at++;
      return object;
    }
    while (true) {
      skipSpace();
      if (at >= text.length() || text.charAt(at) != '"') {
        throw expected("a name in quotes");
      }
      String name = string();
      skipSpace();
      if (at >= text.length() || text.charAt(at) != ':') {
        throw expected("':'");
      }
      at++;
      object.put(name, value());
      if (endOf('}')) {
        return object;
      }
    }
  }

  private List<Object> array() throws Malformed {
    List<Object> array = new ArrayList<>();
    at++;
    skipSpace();
    if (at < text.length() && text.charAt(at) == ']') {
      at++;
      return array;
    }
    while (true) {
      array.add(value());
      if (endOf(']')) {
        return array;
      }
    }
  }

  /** After a member: true past the closing {@code close}, false past a comma. */
  private boolean endOf(char close) throws Malformed {
    skipSpace();
    char next = at < text.length() ? text.charAt(at) : 0;
    if (next != close && next != ',') {
      throw expected("',' or '" + close + "'");
    }
    at++;
    return next == close;
  }

  private String string() throws Malformed {
    int start = at++;
    StringBuilder out = new StringBuilder();
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw new Malformed("a control character in a string at offset " + (at - 1));
      }
      if (c == '\\') {
        out.append(escaped());
      } else {
        out.append(c);
      }
    }
    throw new Malformed("the string at offset " + start + " is not closed");
  }

  /** The character an escape stands for, its backslash read. */
  private char escaped() throws Malformed {
    char e = at < text.length() ? text.charAt(at) : 0;
    at++;
    switch (e) {
      case '"', '\\', '/' -> {
        return e;
      }
      case 'b' -> {
        return '\b';
      }
      case 'f' -> {
        return '\f';
      }
      case 'n' -> {
        return '\n';
      }
      case 'r' -> {
        return '\r';
      }
      case 't' -> {
        return '\t';
      }
      case 'u' -> {
        int code = 0;
        for (int i = 0; i < 4; i++) {
          int digit = at < text.length() ? Character.digit(text.charAt(at), 16) : -1;
          if (digit < 0) {
            throw expected("four hex digits after \\u");
          }
          at++;
          code = code * 16 + digit;
        }
        return (char) code;
      }
      default -> throw new Malformed("an unknown escape at offset " + (at - 2));
    }
  }

  private Object number() throws Malformed {
    int start = at;
    if (at < text.length() && text.charAt(at) == '-') {
      at++;
    }
    if (digits() == 0) {
      at = start;
      throw expected("a value");
    }
    boolean whole = true;
    if (at < text.length() && text.charAt(at) == '.') {
      at++;
      whole = false;
      if (digits() == 0) {
        throw expected("a digit");
      }
    }
    if (at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
      at++;
      whole = false;
      if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
        at++;
      }
      if (digits() == 0) {
        throw expected("a digit");
      }
    }
    String number = text.substring(start, at);
    if (whole) {
      try {
        return Long.parseLong(number);
      } catch (NumberFormatException tooLong) {
        // Outside a long: a double, as JavaScript would read it.
      }
    }
    return Double.parseDouble(number);
  }

  private int digits() {
    int start = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    return at - start;
  }

  private Object word(String word, Object value) throws Malformed {
    if (!text.startsWith(word, at)) {
      throw expected("a value");
    }
    at += word.length();
    return value;
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

  private Malformed expected(String what) {
    return new Malformed(
        "expected " + what + (at < text.length() ? " at offset " + at : " at the end of the text"));
  }

  /**
   * Compact JSON of a plain value (String, Long or Integer, Double, Boolean, List, Map, null).
   *
   * @throws IllegalArgumentException for a value JSON has no form for (NaN, infinities, anything
   *     else), naming it
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    switch (value) {
      case null -> out.append("null");
      case String s -> quote(s, out);
      case Long l -> out.append(l.longValue());
      case Integer i -> out.append(i.intValue());
      case Boolean b -> out.append(b.booleanValue());
      case Double d -> {
        if (d.isNaN() || d.isInfinite()) {
          throw new IllegalArgumentException(d + " has no JSON form");
        }
        out.append(d.doubleValue());
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(list.get(i), out);
        }
        out.append(']');
      }
      case Map<?, ?> map -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          quote(String.valueOf(e.getKey()), out);
          out.append(':');
          write(e.getValue(), out);
        }
        out.append('}');
      }
      default ->
          throw new IllegalArgumentException(
              "a " + value.getClass().getSimpleName() + " has no JSON form");
    }
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(Character.forDigit(c >> 4, 16));
            out.append(Character.forDigit(c & 0xf, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
