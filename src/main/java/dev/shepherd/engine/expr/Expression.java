package dev.shepherd.engine.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 */
public final class Expression {
  /** Enough for every expression of a few large workflows; a full cache starts again. */
  private static final int CACHE_SIZE = 1024;

  private static final Map<String, Expression> CACHE = new ConcurrentHashMap<>();

  private static final String EVALUATION_ERROR_AT = "evaluation error at <input>:";

  private final String source;
  private final CelText.Rewritten rewritten;
  private final CelAbstractSyntaxTree ast;
  private final CelRuntime.Program program;
  private final Set<String> stepReferences;
  private final Set<String> variables;

  private Expression(
      String source,
      CelText.Rewritten rewritten,
      CelAbstractSyntaxTree ast,
      CelRuntime.Program program,
      Ast.Uses uses) {
    this.source = source;
    this.rewritten = rewritten;
    this.ast = ast;
    this.program = program;
    this.stepReferences = uses.steps();
    this.variables = uses.variables();
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
    Expression compiled = compileAnew(source);
    if (CACHE.size() >= CACHE_SIZE) {
      CACHE.clear();
    }
    CACHE.put(source, compiled);
    return compiled;
  }

  private static Expression compileAnew(String source) {
    CelText.Rewritten rewritten = CelText.rewriteStepNames(source);
    CelAbstractSyntaxTree ast;
    try {
      ast = Cel.COMPILER.compile(rewritten.text()).getAst();
    } catch (CelValidationException e) {
      throw new ExpressionException(
          "Expression", source, "does not compile: " + issues(e, rewritten));
    }
    Ast.Uses uses;
    try {
      uses = Ast.uses(ast);
    } catch (Ast.NotAStepName e) {
      throw new ExpressionException(
          "Expression",
          source,
          "does not compile: steps must be indexed by a step name, as in steps.build.outputs.tag"
              + " or steps[\"build\"], at "
              + rewritten.position(e.position));
    }
    CelRuntime.Program program;
    try {
      program = Cel.RUNTIME.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new ExpressionException("Expression", source, "does not compile: " + e.getMessage());
    }
    return new Expression(source, rewritten, ast, program, uses);
  }

  private static String issues(CelValidationException e, CelText.Rewritten rewritten) {
    List<String> issues = new ArrayList<>();
    for (CelIssue issue : e.getErrors()) {
      // Every undeclared reference says so; shepherd's expressions have no container.
      String message = issue.getMessage().replace(" (in container '')", "");
      Optional<Integer> at = e.getSource().getLocationOffset(issue.getSourceLocation());
      issues.add(at.map(offset -> message + " at " + rewritten.position(offset)).orElse(message));
    }
    return String.join("; ", issues);
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
    return stepReferences;
  }

  /**
   * Which of the variables {@code params}, {@code steps}, {@code workflow}, {@code item}, {@code
   * itemIndex} the expression uses, in order of appearance.
   */
  public Set<String> variables() {
    return variables;
  }

  /** The type CEL's checker gives the result: {@code bool}, {@code string}, {@code dyn}, ... */
  public String resultType() {
    return ast.getResultType().name();
  }

  /** Whether the result can be a bool: its checked type is bool or dyn (known at run time). */
  public boolean canBeBool() {
    return is(CelKind.BOOL);
  }

  /** Whether the result can be a list: its checked type is a list or dyn. */
  public boolean canBeList() {
    return is(CelKind.LIST);
  }

  private boolean is(CelKind kind) {
    CelType type = ast.getResultType();
    return type.kind() == kind || type.kind() == CelKind.DYN || type.kind() == CelKind.ANY;
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
    for (String name : variables) {
      Object value = vars.get(name);
      if (value == null && !vars.containsKey(name)) {
        throw new ExpressionException(
            "Expression", source, "uses " + name + ", which has no value here");
      }
      input.put(name, Values.toCel(value));
    }
    Object result;
    try {
      result = program.eval(input);
    } catch (CelEvaluationException e) {
      throw new ExpressionException("Expression", source, "failed: " + failure(e));
    }
    try {
      return Values.toPlain(result);
    } catch (IllegalArgumentException e) {
      throw new ExpressionException("Expression", source, "has " + e.getMessage());
    }
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
        "Expression",
        source,
        "is " + Values.typeName(value) + " (" + Values.quoted(value) + "), not a " + type);
  }

  /**
   * CEL's reason, its position mapped to the source as written; a missing key said with the path it
   * was looked up in.
   */
  private String failure(CelEvaluationException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (!message.startsWith(EVALUATION_ERROR_AT)) {
      return message;
    }
    int colon = message.indexOf(": ", EVALUATION_ERROR_AT.length());
    int position;
    try {
      position = Integer.parseInt(message.substring(EVALUATION_ERROR_AT.length(), colon));
    } catch (NumberFormatException | StringIndexOutOfBoundsException unexpected) {
      return message;
    }
    String reason = message.substring(colon + 2);
    if (reason.endsWith(".")) {
      reason = reason.substring(0, reason.length() - 1);
    }
    if (e.getErrorCode() == CelErrorCode.ATTRIBUTE_NOT_FOUND) {
      Optional<Ast.Lookup> lookup = Ast.lookupAt(ast, position);
      // A field says "key 'k' is not present in map", an index just the key.
      if (lookup.isPresent()
          && (reason.equals("key '" + lookup.get().key() + "' is not present in map")
              || reason.equals(lookup.get().key()))) {
        return lookup.get().in() + " has no key '" + lookup.get().key() + "'";
      }
    }
    return reason + " at " + rewritten.position(position);
  }

  @Override
  public String toString() {
    return source;
  }
}
