package dev.shepherd.engine.expr.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.CelComprehension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What shepherd reads from a checked CEL tree: the variables and the steps an expression uses, and,
 * for an evaluation error, the text of the value a missing key was looked up in.
 */
final class Ast {
  private static final String INDEX = "_[_]";

  private final CelAbstractSyntaxTree ast;
  private final Map<Long, Integer> positions;

  /** Variables and step names with the position (in code points) where each is read. */
  private final List<Use> variables = new ArrayList<>();

  private final List<Use> steps = new ArrayList<>();

  private record Use(int position, String name) {}

  /** {@code steps} used otherwise than with a step's name; at this position (code points). */
  static final class NotAStepName extends Exception {
    final int position;

    NotAStepName(int position) {
      super(null, null, false, false);
      this.position = position;
    }
  }

  private Ast(CelAbstractSyntaxTree ast) {
    this.ast = ast;
    this.positions = ast.getSource().getPositionsMap();
  }

  /** The variables and steps {@code ast} reads, each in order of appearance. */
  record Uses(Set<String> variables, Set<String> steps) {}

  static Uses uses(CelAbstractSyntaxTree ast) throws NotAStepName {
    Ast walk = new Ast(ast);
    walk.walk(ast.getExpr(), Set.of());
    return new Uses(inOrder(walk.variables), inOrder(walk.steps));
  }

  private static Set<String> inOrder(List<Use> uses) {
    Set<String> names = new LinkedHashSet<>();
    uses.stream()
        .sorted(Comparator.comparingInt(Use::position))
        .forEach(use -> names.add(use.name()));
    return Collections.unmodifiableSet(names);
  }

  /**
   * @param local the names that comprehension variables hide here ({@code [1].map(item, ...)})
   */
  private void walk(CelExpr e, Set<String> local) throws NotAStepName {
    switch (e.getKind()) {
      case IDENT -> {
        String name = e.ident().name();
        if (!local.contains(name) && Cel.VARIABLES.contains(name)) {
          variables.add(new Use(position(e), name));
          if (name.equals(Cel.STEPS)) {
            throw new NotAStepName(position(e));
          }
        }
      }
      case SELECT -> {
        CelExpr operand = e.select().operand();
        if (isSteps(operand, local)) {
          step(operand, e.select().field());
        } else {
          walk(operand, local);
        }
      }
      case CALL -> {
        List<CelExpr> args = e.call().args();
        if (e.call().function().equals(INDEX) && isSteps(args.getFirst(), local)) {
          CelExpr key = args.get(1);
          if (key.getKind() != CelExpr.ExprKind.Kind.CONSTANT
              || key.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
            throw new NotAStepName(position(key));
          }
          step(args.getFirst(), key.constant().stringValue());
          return;
        }
        if (e.call().target().isPresent()) {
          walk(e.call().target().get(), local);
        }
        for (CelExpr arg : args) {
          walk(arg, local);
        }
      }
      case LIST -> {
        for (CelExpr element : e.list().elements()) {
          walk(element, local);
        }
      }
      case MAP -> {
        for (CelExpr.CelMap.Entry entry : e.map().entries()) {
          walk(entry.key(), local);
          walk(entry.value(), local);
        }
      }
      case STRUCT -> {
        for (CelExpr.CelStruct.Entry entry : e.struct().entries()) {
          walk(entry.value(), local);
        }
      }
      case COMPREHENSION -> {
        CelComprehension c = e.comprehension();
        walk(c.iterRange(), local);
        walk(c.accuInit(), local);
        Set<String> inLoop = new HashSet<>(local);
        inLoop.add(c.iterVar());
        inLoop.add(c.iterVar2());
        inLoop.add(c.accuVar());
        walk(c.loopCondition(), inLoop);
        walk(c.loopStep(), inLoop);
        Set<String> inResult = new HashSet<>(local);
        inResult.add(c.accuVar());
        walk(c.result(), inResult);
      }
      default -> {}
    }
  }

  private boolean isSteps(CelExpr e, Set<String> local) {
    return e.getKind() == CelExpr.ExprKind.Kind.IDENT
        && e.ident().name().equals(Cel.STEPS)
        && !local.contains(Cel.STEPS);
  }

  private void step(CelExpr stepsIdent, String name) {
    int at = position(stepsIdent);
    variables.add(new Use(at, Cel.STEPS));
    steps.add(new Use(at, name));
  }

  private int position(CelExpr e) {
    return positions.getOrDefault(e.id(), 0);
  }

  /**
   * A lookup of {@code key} in the value that {@code in} is the text of, as the user would write it
   * ({@code steps.build.outputs}).
   */
  record Lookup(String in, String key) {}

  /**
   * The field selection or constant index at {@code position} (where CEL reports a missing key), if
   * the value it looks into is a path of fields and constant indexes from a variable.
   */
  static Optional<Lookup> lookupAt(CelAbstractSyntaxTree ast, int position) {
    Ast tree = new Ast(ast);
    return tree.accessAt(ast.getExpr(), position)
        .flatMap(
            access -> {
              boolean select = access.getKind() == CelExpr.ExprKind.Kind.SELECT;
              CelExpr operand =
                  select ? access.select().operand() : access.call().args().getFirst();
              String in = path(operand);
              String key =
                  select ? access.select().field() : constantText(access.call().args().get(1));
              return in == null || key == null
                  ? Optional.empty()
                  : Optional.of(new Lookup(in, key));
            });
  }

  /** The field selection or index at {@code position}, if there is one. */
  private Optional<CelExpr> accessAt(CelExpr e, int position) {
    List<CelExpr> children = new ArrayList<>();
    switch (e.getKind()) {
      case SELECT -> {
        if (position(e) == position) {
          return Optional.of(e);
        }
        children.add(e.select().operand());
      }
      case CALL -> {
        if (e.call().function().equals(INDEX) && position(e) == position) {
          return Optional.of(e);
        }
        e.call().target().ifPresent(children::add);
        children.addAll(e.call().args());
      }
      case LIST -> children.addAll(e.list().elements());
      case MAP -> e.map().entries().forEach(entry -> children.add(entry.value()));
      case COMPREHENSION -> {
        CelComprehension c = e.comprehension();
        children.addAll(
            List.of(c.iterRange(), c.accuInit(), c.loopCondition(), c.loopStep(), c.result()));
      }
      default -> {}
    }
    for (CelExpr child : children) {
      Optional<CelExpr> found = accessAt(child, position);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** A string or int constant as text, else null. */
  private static String constantText(CelExpr e) {
    if (e.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
      return null;
    }
    return switch (e.constant().getKind()) {
      case STRING_VALUE -> e.constant().stringValue();
      case INT64_VALUE -> Long.toString(e.constant().int64Value());
      default -> null;
    };
  }

  /** {@code steps.build.outputs}, {@code item.list[2]}, or null if {@code e} is no such path. */
  private static String path(CelExpr e) {
    switch (e.getKind()) {
      case IDENT -> {
        return e.ident().name();
      }
      case SELECT -> {
        String operand = path(e.select().operand());
        return operand == null ? null : operand + "." + e.select().field();
      }
      case CALL -> {
        if (!e.call().function().equals(INDEX)) {
          return null;
        }
        String operand = path(e.call().args().getFirst());
        CelExpr key = e.call().args().get(1);
        String text = constantText(key);
        if (operand == null || text == null) {
          return null;
        }
        return key.constant().getKind() == CelConstant.Kind.STRING_VALUE
            ? operand + key(text)
            : operand + "[" + text + "]";
      }
      default -> {
        return null;
      }
    }
  }

  /** {@code .name} for a name made of letters, digits, '_' and '-', else {@code ["name"]}. */
  private static String key(String name) {
    boolean plain = !name.isEmpty();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      plain &= Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }
    return plain ? "." + name : "[\"" + name + "\"]";
  }
}
