package dev.shepherd.engine.expr.cel;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.shepherd.engine.expr.Json;
import java.util.List;

/**
 * The one CEL environment of shepherd's expressions: the variables a workflow's expressions see,
 * the standard functions and macros, the string, math, list, set and base64 extensions, and {@code
 * fromJSON}/{@code toJSON}. Built when first used (the JVM initialises a class on first use), so a
 * process whose workflows have no expression never loads CEL.
 */
final class Cel {
  static final String PARAMS = "params";
  static final String STEPS = "steps";
  static final String WORKFLOW = "workflow";
  static final String ITEM = "item";
  static final String ITEM_INDEX = "itemIndex";

  /** The variables, in the order the documentation gives them. */
  static final List<String> VARIABLES = List.of(PARAMS, STEPS, WORKFLOW, ITEM, ITEM_INDEX);

  /**
   * Bounds the work of one expression's macros ({@code map}, {@code all}, ...): an expression runs
   * in the operator and in the supervisor, next to everything else.
   */
  private static final int COMPREHENSION_LIMIT = 100_000;

  private static final CelOptions OPTIONS =
      CelOptions.current()
          // 1 < 1.5: numbers out of JSON are ints or doubles, and a user should not have to care.
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(COMPREHENSION_LIMIT)
          .build();

  static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar(PARAMS, MapType.create(SimpleType.STRING, SimpleType.STRING))
          .addVar(STEPS, MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar(WORKFLOW, MapType.create(SimpleType.STRING, SimpleType.STRING))
          .addVar(ITEM, SimpleType.DYN)
          .addVar(ITEM_INDEX, SimpleType.INT)
          .addLibraries(
              CelExtensions.strings(),
              CelExtensions.math(OPTIONS),
              CelExtensions.lists(),
              CelExtensions.sets(OPTIONS),
              CelExtensions.encoders(OPTIONS))
          .addFunctionDeclarations(
              CelFunctionDecl.newFunctionDeclaration(
                  "fromJSON",
                  CelOverloadDecl.newGlobalOverload(
                      "fromJSON_string", SimpleType.DYN, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "toJSON",
                  CelOverloadDecl.newGlobalOverload(
                      "toJSON_dyn", SimpleType.STRING, SimpleType.DYN)))
          .build();

  static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .setOptions(OPTIONS)
          .addLibraries(
              CelExtensions.strings(),
              CelExtensions.math(OPTIONS),
              CelExtensions.lists(),
              CelExtensions.sets(OPTIONS),
              CelExtensions.encoders(OPTIONS))
          .addFunctionBindings(
              CelFunctionBinding.from("fromJSON_string", String.class, Cel::fromJson),
              CelFunctionBinding.from("toJSON_dyn", Object.class, Cel::toJson))
          .build();

  private Cel() {}

  private static Object fromJson(String text) throws CelEvaluationException {
    try {
      return Json.read(text, NullValue.NULL_VALUE);
    } catch (Json.Malformed e) {
      throw new CelEvaluationException("fromJSON: not JSON: " + e.getMessage());
    }
  }

  private static String toJson(Object value) throws CelEvaluationException {
    try {
      return Json.write(Values.toPlain(value));
    } catch (IllegalArgumentException e) {
      throw new CelEvaluationException("toJSON: " + e.getMessage());
    }
  }
}
