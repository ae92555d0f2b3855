package dev.shepherd.engine.expr.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.shepherd.engine.expr.CelText;
import dev.shepherd.engine.expr.Expression;
import dev.shepherd.engine.expr.ExpressionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The expression language with CEL: what {@link Expression} compiles with. Apart from the rest of
 * shepherd, so that a runtime keeps CEL and its libraries in a jar of their own, which only a
 * workflow with an expression opens ({@link Expression}).
 */
public final class CelLanguage implements Function<String, Expression.Compiled> {
  private static final String EVALUATION_ERROR_AT = "evaluation error at <input>:";

  @Override
  public Expression.Compiled apply(String source) {
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
    return new Compiled(source, rewritten, ast, program, uses);
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

  private record Compiled(
      String source,
      CelText.Rewritten rewritten,
      CelAbstractSyntaxTree ast,
      CelRuntime.Program program,
      Ast.Uses uses)
      implements Expression.Compiled {
    @Override
    public Set<String> stepReferences() {
      return uses.steps();
    }

    @Override
    public Set<String> variables() {
      return uses.variables();
    }

    @Override
    public String resultType() {
      return ast.getResultType().name();
    }

    @Override
    public boolean canBe(String kind) {
      CelType type = ast.getResultType();
      return type.kind() == CelKind.valueOf(kind)
          || type.kind() == CelKind.DYN
          || type.kind() == CelKind.ANY;
    }

    @Override
    public Object evaluate(Map<String, Object> vars) {
      Map<String, Object> input = new HashMap<>();
      for (Map.Entry<String, Object> v : vars.entrySet()) {
        input.put(v.getKey(), Values.toCel(v.getValue()));
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
     * CEL's reason, its position mapped to the source as written; a missing key said with the path
     * it was looked up in.
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
  }
}
