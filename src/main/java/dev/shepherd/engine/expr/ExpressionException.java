package dev.shepherd.engine.expr;

/**
 * An expression (or a template of {@code ${{ }}}) that does not compile, or whose evaluation
 * failed. Unchecked, so that a caller which has already compiled every expression of a spec need
 * not declare what can then only be an evaluation error.
 *
 * <p>The message is a sentence that quotes the source: {@code Expression "steps.a.outputs.x == 1"
 * failed: steps.a.outputs has no key 'x'.}
 */
public final class ExpressionException extends RuntimeException {
  private final String source;
  private final String problem;

  /** An error about expressions that is not about one source; its message as given. */
  public ExpressionException(String message) {
    super(message);
    this.source = null;
    this.problem = message;
  }

  /**
   * @param kind "Expression" or "Template"
   * @param source the source as the user wrote it
   * @param problem what went wrong, as a verb phrase after the quoted source, without a full stop
   */
  public ExpressionException(String kind, String source, String problem) {
    super(kind + " \"" + source + "\" " + problem + ".");
    this.source = source;
    this.problem = problem;
  }

  /** The expression or template, as written; null if the error is about none. */
  public String source() {
    return source;
  }

  /**
   * What went wrong, without the source: {@code does not compile: undeclared reference to 'foo' at
   * column 1}, {@code failed: steps has no key 'build'}, {@code is a string, not a bool}.
   */
  public String problem() {
    return problem;
  }
}
