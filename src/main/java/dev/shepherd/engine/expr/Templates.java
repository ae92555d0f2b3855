package dev.shepherd.engine.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Strings with {@code ${{ <expr> }}} in them (a step's command, args, env values, working directory
 * and image): each is replaced by its expression's value as text when the step starts. A string is
 * put as it is, a whole number without ".0", a double as CEL's {@code string()} writes it, a bool
 * as true or false, a list or map as compact JSON.
 *
 * <p>An expression ends at the first {@code }}} outside its string literals and outside the braces
 * of its map literals, so {@code ${{ {"a": {"b": 1}} }}} is one expression.
 *
 * <p>{@link #has} is all a workflow without expressions pays for: it touches no CEL class (nor
 * {@link Expression}), so a supervisor loads CEL only when a workflow uses an expression; nor does
 * {@link #text}.
 */
public final class Templates {
  private static final String OPEN = "${{";
  private static final String CLOSE = "}}";

  /** Enough for the fields of a few large workflows; a full cache starts again. */
  private static final int CACHE_SIZE = 1024;

  /** Per template: its parts, a String for text and an Expression for each {@code ${{ }}}. */
  private static final Map<String, List<Object>> CACHE = new ConcurrentHashMap<>();

  private Templates() {}

  /** Whether {@code s} has a {@code ${{} in it (null has none). */
  public static boolean has(String s) {
    return s != null && s.contains(OPEN);
  }

  /**
   * The compiled expression of every {@code ${{ }}} of {@code template}, in order.
   *
   * @throws ExpressionException if one does not compile (quoting it), or a {@code ${{} is not
   *     closed or is empty (quoting the template)
   */
  public static List<Expression> expressions(String template) throws ExpressionException {
    List<Expression> expressions = new ArrayList<>();
    for (Object part : parts(template)) {
      if (part instanceof Expression expression) {
        expressions.add(expression);
      }
    }
    return expressions;
  }

  /**
   * {@code template} with each {@code ${{ expr }}} replaced by its value as text.
   *
   * @throws ExpressionException as {@link #expressions} does, or if an evaluation fails
   */
  public static String render(String template, Map<String, Object> vars)
      throws ExpressionException {
    if (!has(template)) {
      return template;
    }
    StringBuilder out = new StringBuilder(template.length());
    for (Object part : parts(template)) {
      if (part instanceof Expression expression) {
        out.append(text(expression.evaluate(vars)));
      } else {
        out.append((String) part);
      }
    }
    return out.toString();
  }

  /**
   * How a plain value (String, Long or Integer, Double, Boolean, List, Map, null) reads in a
   * template: a string as it is, a whole number without ".0", a double as CEL's {@code string()}
   * writes it, a bool as true or false, a list or map as compact JSON, null as null. Touches no CEL
   * class either: a loop's items given as a literal list read as text without CEL.
   *
   * @throws IllegalArgumentException for a value in a list or map that JSON has no form for
   */
  public static String text(Object plain) {
    return switch (plain) {
      case null -> "null";
      case String s -> s;
      case List<?> list -> Json.write(list);
      case Map<?, ?> map -> Json.write(map);
      default -> String.valueOf(plain);
    };
  }

  /**
   * {@code template} with the source of each {@code ${{ }}} replaced by {@code f} of it, without
   * compiling anything; from a {@code ${{} that nothing closes on, the text stays as it is (the
   * validation of the result says so).
   */
  public static String mapExpressions(String template, UnaryOperator<String> f) {
    if (!has(template)) {
      return template;
    }
    List<String> pieces = pieces(template);
    StringBuilder out = new StringBuilder(template.length());
    for (int i = 0; i < pieces.size(); i++) {
      out.append(i % 2 == 0 ? pieces.get(i) : OPEN + f.apply(pieces.get(i)) + CLOSE);
    }
    return out.toString();
  }

  /**
   * A CEL expression whose value is the text {@code template} renders to: its text as string
   * literals, each {@code ${{ expr }}} as {@code string(expr)}, joined by {@code +}. A value that
   * {@code string()} does not take (a list, a map) fails where the expression is evaluated.
   */
  public static String asCel(String template) {
    List<String> pieces = pieces(template == null ? "" : template);
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      String piece = pieces.get(i);
      if (i % 2 == 1) {
        terms.add("string(" + piece.strip() + ")");
      } else if (!piece.isEmpty() || pieces.size() == 1) {
        terms.add(Json.write(piece)); // a JSON string is a CEL string literal
      }
    }
    return String.join(" + ", terms);
  }

  /**
   * The text and expression sources of {@code template}, alternating: text at even indexes (maybe
   * empty), an expression's source at odd ones.
   */
  private static List<String> pieces(String template) {
    List<String> pieces = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = template.indexOf(OPEN, at);
      int end = open < 0 ? -1 : CelText.expressionEnd(template, open + OPEN.length());
      if (end < 0) {
        break;
      }
      pieces.add(template.substring(at, open));
      pieces.add(template.substring(open + OPEN.length(), end));
      at = end + CLOSE.length();
    }
    pieces.add(template.substring(at));
    return pieces;
  }

  private static List<Object> parts(String template) {
    List<Object> cached = CACHE.get(template);
    if (cached != null) {
      return cached;
    }
    List<Object> parts = split(template);
    if (CACHE.size() >= CACHE_SIZE) {
      CACHE.clear();
    }
    CACHE.put(template, parts);
    return parts;
  }

  private static List<Object> split(String template) {
    List<Object> parts = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = template.indexOf(OPEN, at);
      if (open < 0) {
        break;
      }
      int end = CelText.expressionEnd(template, open + OPEN.length());
      if (end < 0) {
        throw new ExpressionException(
            "Template",
            template,
            "has a " + OPEN + " at column " + (open + 1) + " that no " + CLOSE + " closes");
      }
      String source = template.substring(open + OPEN.length(), end).strip();
      if (source.isEmpty()) {
        throw new ExpressionException(
            "Template",
            template,
            "has an empty " + OPEN + " " + CLOSE + " at column " + (open + 1));
      }
      if (open > at) {
        parts.add(template.substring(at, open));
      }
      parts.add(Expression.compile(source));
      at = end + CLOSE.length();
    }
    if (at < template.length()) {
      parts.add(template.substring(at));
    }
    return List.copyOf(parts);
  }
}
