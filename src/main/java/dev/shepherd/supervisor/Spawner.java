package dev.shepherd.supervisor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.shepherd.supervisor.Native.Fn;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Starts one step process with posix_spawnp(3).
 *
 * <p>The child gets: its own process group (pgid = its pid), so the whole step can be signalled and
 * killed at once; an empty signal mask and default dispositions for every catchable signal, because
 * it would otherwise inherit the mask of the JVM thread that spawned it (HotSpot threads block
 * SIGQUIT, among others) and any ignored signals; stdin from /dev/null; stdout and stderr on the
 * given pipe ends; no other descriptor of ours.
 *
 * <p>glibc's posix_spawnp reports a failed exec as its return value and leaves no process behind;
 * those failures become exit code 127 (not found) or 126 (found but not executable), as in tini.
 * Any other error means no process could be made (E2BIG: arguments over the kernel's limit; EAGAIN:
 * out of PIDs, as under a cgroup's {@code pids.max}) and is thrown, in words.
 */
final class Spawner {
  private Spawner() {}

  /** A started process, or the exit status of one that could not be started. */
  record Result(int pid, ExitStatus failure) {}

  static Result spawn(Command command, int stdoutFd, int stderrFd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      long attr = arena.allocate(Native.SPAWNATTR_SIZE).address();
      long actions = arena.allocate(Native.FILE_ACTIONS_SIZE).address();
      Native.check("posix_spawnattr_init", Native.callInt(Fn.SPAWNATTR_INIT, attr));
      Native.check("posix_spawn_file_actions_init", Native.callInt(Fn.FILE_ACTIONS_INIT, actions));
      try {
        setAttributes(attr);
        setFileActions(actions, command, stdoutFd, stderrFd, arena);
        MemorySegment pid = arena.allocate(JAVA_INT);
        int error =
            Native.callInt(
                Fn.POSIX_SPAWNP,
                pid.address(),
                arena.allocateFrom(command.argv().getFirst()).address(),
                actions,
                attr,
                cStrings(command.argv(), arena).address(),
                envp(command.env(), arena).address());
        if (error == 0) {
          return new Result(pid.get(JAVA_INT, 0), null);
        }
        return new Result(0, execFailure(error));
      } finally {
        Native.callInt(Fn.FILE_ACTIONS_DESTROY, actions);
        Native.callInt(Fn.SPAWNATTR_DESTROY, attr);
      }
    }
  }

  private static void setAttributes(long attr) {
    short flags =
        Native.POSIX_SPAWN_SETPGROUP | Native.POSIX_SPAWN_SETSIGMASK | Native.POSIX_SPAWN_SETSIGDEF;
    Native.check("posix_spawnattr_setflags", Native.callInt(Fn.SPAWNATTR_SETFLAGS, attr, flags));
    Native.check("posix_spawnattr_setpgroup", Native.callInt(Fn.SPAWNATTR_SETPGROUP, attr, 0));
    Native.check(
        "posix_spawnattr_setsigmask",
        Native.callInt(Fn.SPAWNATTR_SETSIGMASK, attr, EMPTY_SIGSET.address()));
    Native.check(
        "posix_spawnattr_setsigdefault",
        Native.callInt(Fn.SPAWNATTR_SETSIGDEFAULT, attr, CATCHABLE_SIGSET.address()));
  }

  /**
   * sigset_t built here instead of with sigemptyset/sigaddset (two downcall handles less to create
   * at start-up): on Linux it is a bit array of unsigned longs, signal n at bit n-1, in native byte
   * order. Read-only after this; posix_spawnattr_setsig* copy it.
   */
  private static final MemorySegment EMPTY_SIGSET = Arena.global().allocate(Native.SIGSET_SIZE, 8);

  private static final MemorySegment CATCHABLE_SIGSET =
      Arena.global().allocate(Native.SIGSET_SIZE, 8);

  static {
    for (Signal s : Signal.values()) {
      if (s.catchable()) {
        int bit = s.number() - 1;
        long word = CATCHABLE_SIGSET.getAtIndex(JAVA_LONG, bit / 64);
        CATCHABLE_SIGSET.setAtIndex(JAVA_LONG, bit / 64, word | (1L << (bit % 64)));
      }
    }
  }

  private static void setFileActions(
      long actions, Command command, int stdoutFd, int stderrFd, Arena arena) {
    Native.check(
        "addopen",
        Native.callInt(
            Fn.FILE_ACTIONS_ADDOPEN,
            actions,
            0,
            arena.allocateFrom("/dev/null").address(),
            Native.O_RDONLY,
            0,
            0));
    Native.check("adddup2", Native.callInt(Fn.FILE_ACTIONS_ADDDUP2, actions, stdoutFd, 1));
    Native.check("adddup2", Native.callInt(Fn.FILE_ACTIONS_ADDDUP2, actions, stderrFd, 2));
    if (Fn.FILE_ACTIONS_ADDCLOSEFROM.present()) {
      Native.check("addclosefrom", Native.callInt(Fn.FILE_ACTIONS_ADDCLOSEFROM, actions, 3));
    }
    if (command.workingDir() != null) {
      if (!Fn.FILE_ACTIONS_ADDCHDIR.present()) {
        throw new UnsupportedOperationException(
            "this libc has no posix_spawn_file_actions_addchdir_np");
      }
      Native.check(
          "addchdir",
          Native.callInt(
              Fn.FILE_ACTIONS_ADDCHDIR,
              actions,
              arena.allocateFrom(command.workingDir().toString()).address()));
    }
  }

  private static ExitStatus execFailure(int error) throws IOException {
    return switch (error) {
      case Native.ENOENT, Native.ENOTDIR -> ExitStatus.notFound();
      case Native.EACCES,
          Native.ENOEXEC,
          Native.EPERM,
          Native.EISDIR,
          Native.ETXTBSY,
          Native.ELOOP,
          Native.ENAMETOOLONG ->
          ExitStatus.notExecutable();
      default -> throw new IOException(Native.describe(error));
    };
  }

  /** A NULL-terminated array of C strings. */
  private static MemorySegment cStrings(List<String> strings, Arena arena) {
    MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1);
    for (int i = 0; i < strings.size(); i++) {
      array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
    }
    array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
    return array;
  }

  private static MemorySegment envp(Map<String, String> env, Arena arena) {
    return cStrings(
        env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(), arena);
  }
}
