package dev.shepherd.engine.expr;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A compiled CEL expression of a workflow ({@code when}, {@code itemsFrom}, {@code ${{ }}}).
 *
 * <p>Its variables: {@code params} (map of string to string), {@code steps} (map from a step's name
 * to a map of {@code outputs}, a map of string to string, {@code phase}, a string, and {@code
 * exitCode}, an int, absent when there is none), {@code workflow} (map of string to string: {@code
 * name}, {@code namespace}, {@code phase}), {@code item} (any value) and {@code itemIndex} (an
 * int). The standard functions and macros, CEL's string, math, list, set and base64 extensions,
 * {@code fromJSON(string)} (any JSON value: objects are maps, whole numbers ints, other numbers
 * doubles) and {@code toJSON(value)} (compact JSON).
 *
 * <p>Step names are DNS labels, and CEL would read {@code steps.build-image.outputs.tag} as a
 * subtraction. So before CEL parses it, {@code steps.<name>} outside string literals and comments
 * is written {@code steps["<name>"]} when the name is not a CEL identifier (it has a '-', starts
 * with a digit or is a reserved word such as {@code in}); a '-' right after the name, as in {@code
 * steps.a-(b)}, stays a minus. {@code steps["build-image"]} works as written. Positions in messages
 * are those of the source as written.
 *
 * <p>{@code steps} may only be indexed by a step's name, so that {@link #stepReferences} knows
 * every step an expression reads before it runs: {@code steps[name]} with a name computed at run
 * time does not compile.
 *
 * <p>Compiling is cached per source; an Expression is immutable and thread-safe.
 *
 * <p>CEL itself is behind {@link Compiled}: {@code dev.shepherd.engine.expr.cel.CelLanguage}, on
 * the class path where everything is (the operator's jar, the tests), and in the supervisor runtime
 * in {@value #LANGUAGE_JAR} next to shepherd's jar, loaded on the first compile. A jar on the class
 * path is opened by every service lookup (a TLS handshake's System.Logger), which holds its central
 * directory in memory: CEL's eight thousand entries there cost every supervisor start time and
 * memory, with or without an expression (bench/SUPERVISOR.md, session 8).
 */
public final class Expression {
  /** The jar of CEL and its libraries in the supervisor runtime, next to shepherd's jar. */
  public static final String LANGUAGE_JAR = "shepherd-cel.jar";

  static final String LANGUAGE = "dev.shepherd.engine.expr.cel.CelLanguage";

  /** An expression as the language compiled it. */
  public interface Compiled {
    Set<String> stepReferences();

    Set<String> variables();

    String resultType();

    /** Whether the result can be of this CEL kind (BOOL, LIST): its checked type is, or dyn. */
    boolean canBe(String kind);

    /** The value for these variables (only those it uses), as plain Java values. */
    Object evaluate(Map<String, Object> vars);
  }

  /** Enough for every expression of a few large workflows; a full cache starts again. */
  private static final int CACHE_SIZE = 1024;

  private static final Map<String, Expression> CACHE = new ConcurrentHashMap<>();

  private final String source;
  private final Compiled compiled;

  private Expression(String source, Compiled compiled) {
    this.source = source;
    this.compiled = compiled;
  }

  /** The language, loaded on the first compile. */
  private static final class Language {
    static final Function<String, Compiled> INSTANCE = load();

    @SuppressWarnings("unchecked")
    private static Function<String, Compiled> load() {
      ClassLoader own = Expression.class.getClassLoader();
      Class<?> type;
      try {
        type = Class.forName(LANGUAGE, true, own);
      } catch (ClassNotFoundException notHere) {
        type = fromLanguageJar(own);
      }
      try {
        return (Function<String, Compiled>) type.getConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("the expression language cannot start: " + e, e);
      }
    }

    private static Class<?> fromLanguageJar(ClassLoader parent) {
      Path jar;
      try {
        jar =
            Path.of(Expression.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling(LANGUAGE_JAR);
      } catch (URISyntaxException e) {
        throw new IllegalStateException("the expression language's jar: " + e, e);
      }
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "the expression language is not installed: " + jar + " is missing");
      }
      try {
        // Never closed: the language's classes stay loaded for the life of the process.
        @SuppressWarnings("resource")
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, parent);
        return Class.forName(LANGUAGE, true, loader);
      } catch (IOException | ClassNotFoundException e) {
        throw new IllegalStateException("the expression language in " + jar + ": " + e, e);
      }
    }
  }

  /**
   * Parses and type-checks {@code source}.
   *
   * @throws ExpressionException if it does not compile, with CEL's reasons and their positions, or
   *     if it uses {@code steps} otherwise than with a step's name
   */
  public static Expression compile(String source) throws ExpressionException {
    Expression cached = CACHE.get(source);
    if (cached != null) {
      return cached;
    }
    Expression compiled = new Expression(source, Language.INSTANCE.apply(source));
    if (CACHE.size() >= CACHE_SIZE) {
      CACHE.clear();
    }
    CACHE.put(source, compiled);
    return compiled;
  }

  /** The expression as written. */
  public String source() {
    return source;
  }

  /**
   * The names of the steps the expression reads ({@code steps.x...}, {@code steps["x"]}), in order
   * of appearance.
   */
  public Set<String> stepReferences() {
    return compiled.stepReferences();
  }

  /**
   * Which of the variables {@code params}, {@code steps}, {@code workflow}, {@code item}, {@code
   * itemIndex} the expression uses, in order of appearance.
   */
  public Set<String> variables() {
    return compiled.variables();
  }

  /** The type CEL's checker gives the result: {@code bool}, {@code string}, {@code dyn}, ... */
  public String resultType() {
    return compiled.resultType();
  }

  /** Whether the result can be a bool: its checked type is bool or dyn (known at run time). */
  public boolean canBeBool() {
    return compiled.canBe("BOOL");
  }

  /** Whether the result can be a list: its checked type is a list or dyn. */
  public boolean canBeList() {
    return compiled.canBe("LIST");
  }

  /**
   * The value for these variables, as plain Java: String, Long, Double, Boolean, List, Map with
   * String keys (JSON's null inside a list or map is null).
   *
   * @param vars plain Java values (Integer and Float are taken too) for at least the variables the
   *     expression uses; null is JSON's null (an item of {@code [1, null]})
   * @throws ExpressionException if a variable it uses is not given, or its evaluation fails (a
   *     missing key: {@code steps.a.outputs has no key 'x'})
   */
  public Object evaluate(Map<String, Object> vars) throws ExpressionException {
    Map<String, Object> input = new HashMap<>();
    for (String name : compiled.variables()) {
      Object value = vars.get(name);
      if (value == null && !vars.containsKey(name)) {
        throw new ExpressionException(
            "Expression", source, "uses " + name + ", which has no value here");
      }
      input.put(name, value);
    }
    return compiled.evaluate(input);
  }

  /**
   * The value, which must be a bool.
   *
   * @throws ExpressionException if the evaluation fails or the value is no bool (saying what it is)
   */
  public boolean evaluateBool(Map<String, Object> vars) throws ExpressionException {
    Object value = evaluate(vars);
    if (value instanceof Boolean b) {
      return b;
    }
    throw notA("bool", value);
  }

  /**
   * The value, which must be a list; its elements as plain Java values (see {@link #evaluate}).
   *
   * @throws ExpressionException if the evaluation fails or the value is no list (saying what it is)
   */
  @SuppressWarnings("unchecked")
  public List<Object> evaluateList(Map<String, Object> vars) throws ExpressionException {
    Object value = evaluate(vars);
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    throw notA("list", value);
  }

  private ExpressionException notA(String type, Object value) {
    return new ExpressionException(
        "Expression", source, "is " + typeName(value) + " (" + quoted(value) + "), not a " + type);
  }

  /** "a string", "an int", ...: a plain value's CEL type, for messages. */
  private static String typeName(Object plain) {
    return switch (plain) {
      case null -> "null";
      case String s -> "a string";
      case Long l -> "an int";
      case Double d -> "a double";
      case Boolean b -> "a bool";
      case List<?> list -> "a list";
      case Map<?, ?> map -> "a map";
      default -> "a " + plain.getClass().getSimpleName();
    };
  }

  /** The value for a message: text, a string in quotes, cut short if long. */
  private static String quoted(Object plain) {
    String text = plain instanceof String s ? "\"" + s + "\"" : Templates.text(plain);
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  @Override
  public String toString() {
    return source;
  }
}
