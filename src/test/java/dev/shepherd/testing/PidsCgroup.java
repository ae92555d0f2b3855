package dev.shepherd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child cgroup with the pids controller, for a test that runs processes out of PIDs as a Pod at
 * its {@code pids.max} does. Made under the cgroup this JVM is in, on cgroup v2 (one hierarchy,
 * {@code /sys/fs/cgroup}, pids enabled in the parent's {@code cgroup.subtree_control}) or v1 (the
 * pids hierarchy, {@code /sys/fs/cgroup/pids}). Needs root, as the PID-namespace tests do.
 */
public final class PidsCgroup implements AutoCloseable {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Path dir;

  private PidsCgroup(Path dir) {
    this.dir = dir;
  }

  /**
   * Makes the cgroup {@code name} (with no limit yet); throws {@link Unavailable}, saying why, when
   * this machine has no pids controller a test can write to.
   */
  public static PidsCgroup create(String name) throws Unavailable {
    Path parent = parent();
    Path dir = parent.resolve(name + "-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new Unavailable("cannot make the cgroup " + dir + ": " + e);
    }
    PidsCgroup cgroup = new PidsCgroup(dir);
    if (!Files.isWritable(dir.resolve("pids.max"))) {
      cgroup.close();
      throw new Unavailable(dir + " has no writable pids.max");
    }
    return cgroup;
  }

  private static Path parent() throws Unavailable {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
    } catch (IOException e) {
      throw new Unavailable("cannot read /proc/self/cgroup: " + e);
    }
    if (Files.exists(ROOT.resolve("cgroup.controllers"))) { // v2
      String own =
          lines.stream()
              .filter(l -> l.startsWith("0::"))
              .findFirst()
              .map(l -> l.substring(3))
              .orElse("/");
      Path parent = ROOT.resolve(own.substring(1));
      try {
        if (!Files.readString(parent.resolve("cgroup.controllers")).contains("pids")) {
          throw new Unavailable("cgroup v2, and the pids controller is not available in " + parent);
        }
        if (!Files.readString(parent.resolve("cgroup.subtree_control")).contains("pids")) {
          Files.writeString(parent.resolve("cgroup.subtree_control"), "+pids");
        }
      } catch (IOException e) {
        throw new Unavailable(
            "cgroup v2, and pids cannot be enabled for the children of "
                + parent
                + " (a cgroup with processes of its own cannot delegate controllers): "
                + e);
      }
      return parent;
    }
    Path hierarchy = ROOT.resolve("pids");
    if (!Files.exists(hierarchy.resolve("cgroup.procs"))) {
      throw new Unavailable(
          "no cgroup v2 at " + ROOT + " and no v1 pids hierarchy at " + hierarchy);
    }
    String own =
        lines.stream()
            .map(l -> l.split(":", 3))
            .filter(f -> f.length == 3 && List.of(f[1].split(",")).contains("pids"))
            .map(f -> f[2])
            .findFirst()
            .orElse("/");
    return hierarchy.resolve(own.substring(1));
  }

  /** The file to which writing a pid moves that process (with all its threads) here. */
  public Path procs() {
    return dir.resolve("cgroup.procs");
  }

  /** How many tasks (processes and threads) the cgroup holds now. */
  public long current() throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("pids.current")).strip());
  }

  /** Sets {@code pids.max}: a number, or {@code max} for no limit. */
  public void max(String max) throws IOException {
    Files.writeString(dir.resolve("pids.max"), max);
  }

  /** Lifts the limit and removes the cgroup, which must hold no process by then. */
  @Override
  public void close() {
    try {
      if (Files.exists(dir.resolve("pids.max"))) {
        max("max");
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      System.err.println("cannot remove the cgroup " + dir + ": " + e);
    }
  }

  /** This machine has no pids controller a test can use; the message says why. */
  public static final class Unavailable extends Exception {
    Unavailable(String why) {
      super(why);
    }
  }
}
