package dev.shepherd.engine.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The little of CEL's lexical syntax that shepherd needs before CEL parses: where string literals
 * and comments are, so that the rewriting of dashed step names and the end of a {@code ${{ }}} are
 * never looked for inside them. By hand: {@link Templates#has} and this run in every supervisor,
 * which loads no regex engine.
 */
public final class CelText {
  /**
   * Words that CEL does not take as a field name after a dot: its literals and operators, and the
   * identifiers it reserves.
   */
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private CelText() {}

  /**
   * An expression's source as CEL reads it, with {@code steps.<name>} written as {@code
   * steps["<name>"]} where the name is no CEL identifier; it maps positions back to the source.
   */
  public static final class Rewritten {
    private final String original;
    private final String text;

    /** Per rewrite: original start, original end, rewritten start, rewritten end. */
    private final List<int[]> edits;

    private Rewritten(String original, String text, List<int[]> edits) {
      this.original = original;
      this.text = text;
      this.edits = edits;
    }

    public String text() {
      return text;
    }

    /**
     * Where a position CEL reports (an offset in code points of {@link #text}) is in the source as
     * written: {@code column 5}, or {@code line 2, column 3} in a source of several lines.
     */
    public String position(int codePoints) {
      if (codePoints < 0 || codePoints > text.codePointCount(0, text.length())) {
        return "";
      }
      int at = original(text.offsetByCodePoints(0, codePoints));
      int lineStart = original.lastIndexOf('\n', at - 1) + 1;
      int column = original.codePointCount(lineStart, at) + 1;
      if (original.indexOf('\n') < 0) {
        return "column " + column;
      }
      int line = 1;
      for (int i = 0; i < lineStart; i++) {
        if (original.charAt(i) == '\n') {
          line++;
        }
      }
      return "line " + line + ", column " + column;
    }

    /** The char offset in the source of a char offset in the rewritten text. */
    private int original(int rewritten) {
      int delta = 0;
      for (int[] edit : edits) {
        if (rewritten < edit[2]) {
          break;
        }
        if (rewritten < edit[3]) {
          return edit[0];
        }
        delta = edit[1] - edit[3];
      }
      return Math.min(rewritten + delta, original.length());
    }
  }

  /**
   * {@code source} with every {@code steps.<name>} outside string literals and comments, where the
   * name is a DNS label that CEL would not read as one field name (it has a '-', starts with a
   * digit or is a reserved word), written as {@code steps["<name>"]}. A {@code steps} after a dot
   * is some other value's field and stays.
   */
  public static Rewritten rewriteStepNames(String source) {
    StringBuilder out = null;
    List<int[]> edits = new ArrayList<>();
    int copied = 0;
    int i = 0;
    while ((i = nextIdentifier(source, i)) >= 0) {
      int end = identifierEnd(source, i);
      int nameEnd =
          end - i == 5 && source.startsWith("steps", i) && !afterDot(source, i)
              ? dashedNameEnd(source, end)
              : -1;
      if (nameEnd < 0) {
        i = end;
        continue;
      }
      int dot = source.indexOf('.', end);
      int nameStart = skipSpace(source, dot + 1);
      String name = source.substring(nameStart, nameEnd);
      if (out == null) {
        out = new StringBuilder(source.length() + 16);
      }
      out.append(source, copied, end);
      int rewrittenStart = out.length();
      out.append("[\"").append(name).append("\"]");
      edits.add(new int[] {end, nameEnd, rewrittenStart, out.length()});
      copied = nameEnd;
      i = nameEnd;
    }
    if (out == null) {
      return new Rewritten(source, source, List.of());
    }
    out.append(source, copied, source.length());
    return new Rewritten(source, out.toString(), edits);
  }

  /**
   * {@code source} with its references renamed, outside string literals and comments: {@code
   * steps.<name>} and {@code steps["<name>"]} of a step that {@code steps} maps to a new name
   * (null: kept), and {@code params.<name>} and {@code params["<name>"]} that {@code params} maps
   * to CEL text, replaced by that text in parentheses. For a template's steps inlined into a
   * workflow (see {@code engine.TemplateCalls}): read as CEL reads the name, so that a dashed name
   * is one name, and a name in a string literal stays what it is.
   */
  public static String renameReferences(
      String source, Function<String, String> steps, Function<String, String> params) {
    StringBuilder out = new StringBuilder(source.length() + 16);
    int copied = 0;
    int i = 0;
    while ((i = nextIdentifier(source, i)) >= 0) {
      int end = identifierEnd(source, i);
      String word = source.substring(i, end);
      boolean isSteps = word.equals("steps");
      if ((!isSteps && !word.equals("params")) || afterDot(source, i)) {
        i = end;
        continue;
      }
      int[] name = isSteps ? referencedName(source, end, true) : referencedName(source, end, false);
      if (name == null) {
        i = end;
        continue;
      }
      String referenced = source.substring(name[0], name[1]);
      String replacement = (isSteps ? steps : params).apply(referenced);
      if (replacement != null) {
        out.append(source, copied, isSteps ? name[0] : i);
        out.append(isSteps ? replacement : "(" + replacement + ")");
        copied = isSteps ? name[1] : name[2];
      }
      i = name[2];
    }
    return copied == 0 ? source : out.append(source, copied, source.length()).toString();
  }

  /**
   * The start of the first identifier at or after {@code i} outside string literals and comments
   * (not the rest of a longer one), or -1.
   */
  private static int nextIdentifier(String source, int i) {
    while (i < source.length()) {
      int skipped = skipLiteralOrComment(source, i);
      if (skipped != i) {
        i = skipped;
      } else if (isIdentifierStart(source.charAt(i))
          && (i == 0 || !isIdentifierPart(source.charAt(i - 1)))) {
        return i;
      } else {
        i++;
      }
    }
    return -1;
  }

  private static int identifierEnd(String source, int start) {
    int end = start;
    while (end < source.length() && isIdentifierPart(source.charAt(end))) {
      end++;
    }
    return end;
  }

  /**
   * After {@code steps} or {@code params} (ending at {@code from}): the start and end of the name
   * in {@code .<name>} or {@code ["<name>"]}, and the end of the reference; null if there is none.
   * A step's name is a DNS label (a trailing '-' being a minus), a param's an identifier.
   */
  private static int[] referencedName(String source, int from, boolean label) {
    int at = skipSpace(source, from);
    if (at < source.length() && source.charAt(at) == '.') {
      int start = skipSpace(source, at + 1);
      int end = start;
      while (end < source.length()
          && (label ? isLabelChar(source.charAt(end)) : isIdentifierPart(source.charAt(end)))) {
        end++;
      }
      while (label && end > start && source.charAt(end - 1) == '-') {
        end--;
      }
      if (end == start || (end < source.length() && isIdentifierPart(source.charAt(end)))) {
        return null;
      }
      return new int[] {start, end, end};
    }
    if (at < source.length() && source.charAt(at) == '[') {
      int quote = skipSpace(source, at + 1);
      if (quote >= source.length() || !isQuote(source.charAt(quote))) {
        return null;
      }
      int close = source.indexOf(source.charAt(quote), quote + 1);
      int bracket = close < 0 ? -1 : skipSpace(source, close + 1);
      if (bracket < 0
          || bracket >= source.length()
          || source.charAt(bracket) != ']'
          || source.substring(quote + 1, close).indexOf('\\') >= 0) {
        return null;
      }
      return new int[] {quote + 1, close, bracket + 1};
    }
    return null;
  }

  /**
   * After {@code steps} (ending at {@code from}): where {@code .<name>} ends, if the name is a DNS
   * label that needs quoting; -1 if there is no such name.
   */
  private static int dashedNameEnd(String source, int from) {
    int dot = skipSpace(source, from);
    if (dot >= source.length() || source.charAt(dot) != '.') {
      return -1;
    }
    int start = skipSpace(source, dot + 1);
    int end = start;
    while (end < source.length() && isLabelChar(source.charAt(end))) {
      end++;
    }
    // A trailing '-' is a minus: steps.a-(b) is steps.a - (b).
    while (end > start && source.charAt(end - 1) == '-') {
      end--;
    }
    if (end == start
        || source.charAt(start) == '-'
        || (end < source.length() && isIdentifierPart(source.charAt(end)))) {
      return -1; // no name, or one with letters a DNS label does not have
    }
    String name = source.substring(start, end);
    boolean identifier = name.indexOf('-') < 0 && !Character.isDigit(name.charAt(0));
    return identifier && !RESERVED.contains(name) ? -1 : end;
  }

  /**
   * In a template, the offset of the {@code }}} that closes the expression starting at {@code
   * from}: the first one outside string literals and outside braces the expression opened (a map
   * literal may end in {@code }}}); -1 if there is none. Comments are not skipped: an expression
   * ends at its {@code }}} even after a {@code //}.
   */
  static int expressionEnd(String template, int from) {
    int depth = 0;
    int i = from;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (isQuote(c)) {
        i = stringEnd(template, i);
        continue;
      }
      if (depth == 0 && template.startsWith("}}", i)) {
        return i;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      }
      i++;
    }
    return -1;
  }

  /** Past the string literal or comment that starts at {@code i}, or {@code i} if none does. */
  private static int skipLiteralOrComment(String source, int i) {
    char c = source.charAt(i);
    if (isQuote(c)) {
      return stringEnd(source, i);
    }
    if (c == '/' && source.startsWith("//", i)) {
      int newline = source.indexOf('\n', i);
      return newline < 0 ? source.length() : newline + 1;
    }
    return i;
  }

  /**
   * Past the string literal whose quote is at {@code quote} ({@code '}, {@code "}, or three of
   * either), honouring escapes unless a prefix {@code r} makes it raw; the end of the text if it is
   * not closed (CEL then says so).
   */
  private static int stringEnd(String source, int quote) {
    char q = source.charAt(quote);
    String triple = String.valueOf(q).repeat(3);
    boolean isTriple = source.startsWith(triple, quote);
    boolean raw = isRaw(source, quote);
    int i = quote + (isTriple ? 3 : 1);
    while (i < source.length()) {
      char c = source.charAt(i);
      if (c == '\\' && !raw) {
        i += 2;
        continue;
      }
      if (isTriple ? source.startsWith(triple, i) : c == q) {
        return i + (isTriple ? 3 : 1);
      }
      i++;
    }
    return source.length();
  }

  /** Whether the literal at {@code quote} has a prefix ({@code r}, {@code b}, both) with an r. */
  private static boolean isRaw(String source, int quote) {
    int start = quote;
    while (start > 0 && quote - start < 2 && "rRbB".indexOf(source.charAt(start - 1)) >= 0) {
      start--;
    }
    if (start > 0 && isIdentifierPart(source.charAt(start - 1))) {
      return false;
    }
    for (int i = start; i < quote; i++) {
      if (source.charAt(i) == 'r' || source.charAt(i) == 'R') {
        return true;
      }
    }
    return false;
  }

  private static boolean afterDot(String source, int i) {
    int before = i - 1;
    while (before >= 0 && Character.isWhitespace(source.charAt(before))) {
      before--;
    }
    return before >= 0 && source.charAt(before) == '.';
  }

  private static int skipSpace(String source, int i) {
    while (i < source.length() && Character.isWhitespace(source.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'';
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
  }

  /** What a step's name, a DNS label, is made of. */
  private static boolean isLabelChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }
}
