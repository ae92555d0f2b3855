package dev.shepherd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal of unlimited height, enough of VT100 for what LiveTable writes (text, CR, LF, cursor
 * up, erase in line, clear to the end of the screen; colours ignored): {@link #play} gives the
 * lines it shows.
 */
public final class TerminalScreen {
  private TerminalScreen() {}

  public static List<String> play(String text) {
    List<StringBuilder> lines = new ArrayList<>();
    lines.add(new StringBuilder());
    int row = 0;
    int col = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\033') {
        assertThat(text.charAt(i + 1)).as("escape at %d", i).isEqualTo('[');
        int j = i + 2;
        while (Character.isDigit(text.charAt(j))) {
          j++;
        }
        int n = j == i + 2 ? 1 : Integer.parseInt(text.substring(i + 2, j));
        switch (text.charAt(j)) {
          case 'A' -> row = Math.max(0, row - n);
          case 'J' -> {
            StringBuilder line = lines.get(row);
            line.setLength(Math.min(col, line.length()));
            while (lines.size() > row + 1) {
              lines.removeLast();
            }
          }
          case 'K' -> {
            StringBuilder line = lines.get(row);
            String param = text.substring(i + 2, j);
            if (param.equals("2")) {
              line.setLength(0);
            } else if (param.isEmpty() || param.equals("0")) {
              line.setLength(Math.min(col, line.length()));
            } else {
              throw new AssertionError("unexpected escape ESC[" + param + "K");
            }
          }
          case 'm' -> {}
          default -> throw new AssertionError("unexpected escape " + text.substring(i, j + 1));
        }
        i = j;
      } else if (c == '\r') {
        col = 0;
      } else if (c == '\n') {
        row++;
        col = 0;
        if (lines.size() <= row) {
          lines.add(new StringBuilder());
        }
      } else {
        StringBuilder line = lines.get(row);
        while (line.length() < col) {
          line.append(' ');
        }
        if (col < line.length()) {
          line.setCharAt(col, c);
        } else {
          line.append(c);
        }
        col++;
      }
    }
    List<String> out = new ArrayList<>(lines.stream().map(StringBuilder::toString).toList());
    while (!out.isEmpty() && out.getLast().isEmpty()) {
      out.removeLast();
    }
    return out;
  }
}
