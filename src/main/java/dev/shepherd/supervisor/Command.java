package dev.shepherd.supervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run for one step.
 *
 * @param name the step name, used as the log prefix {@code [name]}
 * @param argv the program (looked up in PATH like execvp) and its arguments
 * @param env the whole environment of the step
 * @param workingDir where it starts, or null for ours
 */
public record Command(String name, List<String> argv, Map<String, String> env, Path workingDir) {
  public Command {
    Objects.requireNonNull(name, "name");
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("step " + name + ": empty argv");
    }
  }

  /** A step that inherits our environment and working directory. */
  public static Command of(String name, String... argv) {
    return new Command(name, List.of(argv), System.getenv(), null);
  }
}
