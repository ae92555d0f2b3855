package dev.shepherd.cli.kubectl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line as kubectl reads one: flags anywhere among the arguments, {@code --flag value}
 * or {@code --flag=value}, short ones as {@code -n value}; a flag a command does not take is an
 * error.
 */
record Args(List<String> positionals, Map<String, List<String>> values, Set<String> switches) {
  /** Flags that take a value, with their long name; the short ones map to it. */
  private static final Map<String, String> VALUED =
      Map.ofEntries(
          Map.entry("-n", "--namespace"),
          Map.entry("--namespace", "--namespace"),
          Map.entry("--context", "--context"),
          Map.entry("--kubeconfig", "--kubeconfig"),
          Map.entry("-p", "--param"),
          Map.entry("--param", "--param"),
          Map.entry("-o", "--output"),
          Map.entry("--output", "--output"),
          Map.entry("--attempt", "--attempt"));

  private static final Map<String, String> SWITCHES =
      Map.of(
          "-w", "--watch",
          "--watch", "--watch",
          "-f", "--follow",
          "--follow", "--follow",
          "-h", "--help",
          "--help", "--help");

  /** A command line that can't be read; the message is kubectl's kind of sentence. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  static Args parse(String[] args) throws Invalid {
    List<String> positionals = new ArrayList<>();
    Map<String, List<String>> values = new LinkedHashMap<>();
    Set<String> switches = new LinkedHashSet<>();
    boolean flagsEnded = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (flagsEnded || !arg.startsWith("-") || arg.equals("-")) {
        positionals.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        flagsEnded = true;
        continue;
      }
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (VALUED.containsKey(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new Invalid("flag needs an argument: " + name);
          }
          value = args[++i];
        }
        values.computeIfAbsent(VALUED.get(name), k -> new ArrayList<>()).add(value);
      } else if (SWITCHES.containsKey(name) && value == null) {
        switches.add(SWITCHES.get(name));
      } else {
        throw new Invalid("unknown flag: " + name);
      }
    }
    return new Args(positionals, values, switches);
  }

  /** The last value of a flag, or null. */
  String value(String flag) {
    List<String> v = values.get(flag);
    return v == null ? null : v.getLast();
  }

  List<String> all(String flag) {
    return values.getOrDefault(flag, List.of());
  }

  boolean has(String flag) {
    return switches.contains(flag);
  }

  /** Refuses the flags the command does not take (the global ones are always taken). */
  void allow(String command, String... flags) throws Invalid {
    Set<String> allowed =
        new HashSet<>(Set.of("--namespace", "--context", "--kubeconfig", "--help"));
    allowed.addAll(List.of(flags));
    for (String flag : values.keySet()) {
      if (!allowed.contains(flag)) {
        throw new Invalid("unknown flag for " + command + ": " + flag);
      }
    }
    for (String flag : switches) {
      if (!allowed.contains(flag)) {
        throw new Invalid("unknown flag for " + command + ": " + flag);
      }
    }
  }

  /** The positionals after the command, exactly {@code n} of them or between min and max. */
  List<String> operands(String usage, int min, int max) throws Invalid {
    List<String> operands = positionals.subList(1, positionals.size());
    if (operands.size() < min || operands.size() > max) {
      throw new Invalid(
          (operands.size() < min ? "too few" : "too many") + " arguments; usage: " + usage);
    }
    return operands;
  }
}
