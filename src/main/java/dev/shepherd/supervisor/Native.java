package dev.shepherd.supervisor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The libc calls the supervisor needs, bound with the FFM API (no JNI, no JNA).
 *
 * <p>Linux only (x86_64 and aarch64 share every number used here). Calls that report failure
 * through errno capture it with {@code captureCallState("errno")}; the wrappers return
 * {@code -errno} instead of throwing where a failure is an ordinary outcome (ESRCH from kill,
 * ECHILD from waitid), and throw {@link NativeException} where it is not.
 */
final class Native {
  private Native() {}

  // <sys/wait.h>
  static final int WNOHANG = 1;
  static final int WEXITED = 4;
  static final int WNOWAIT = 0x0100_0000;
  static final int P_ALL = 0;
  // <fcntl.h>, <poll.h>, <sys/prctl.h>, <spawn.h> (glibc values)
  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;
  static final short POLLIN = 0x1;
  static final int EFD_CLOEXEC = 0x80000;
  static final int PR_SET_CHILD_SUBREAPER = 36;
  static final int PR_GET_CHILD_SUBREAPER = 37;
  static final short POSIX_SPAWN_SETPGROUP = 0x02;
  static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  // <errno.h>
  static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, ENOEXEC = 8, ECHILD = 10;
  static final int EACCES = 13, ENOTDIR = 20, EISDIR = 21, ETXTBSY = 26, ENAMETOOLONG = 36;
  static final int ELOOP = 40;

  /** Opaque libc types; generous sizes (glibc x86_64: attr 336, file actions 80, sigset 128). */
  static final long SPAWNATTR_SIZE = 512, FILE_ACTIONS_SIZE = 256, SIGSET_SIZE = 128;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
  private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_VALUE =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  /**
   * Per-thread native buffers: the errno capture, and scratch space for results (a siginfo_t, a
   * wait status, a pipe's two fds). Calls on one thread never overlap, so nothing is allocated per
   * call: the reap loop makes thousands of calls in a burst of orphans.
   */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    final MemorySegment errno;
    final MemorySegment scratch;

    Buffers() {
      Arena arena = Arena.ofAuto();
      errno = arena.allocate(CAPTURE);
      scratch = arena.allocate(SCRATCH_SIZE, 8);
    }
  }

  /** Enough for a siginfo_t (128 bytes on Linux). */
  private static final long SCRATCH_SIZE = 128;
  /** Offset of si_pid in siginfo_t on 64-bit Linux. */
  private static final long SI_PID = 16;

  /**
   * The downcall handles, each in its own holder class so that it is created (and its classes
   * spun) on first use only, not all at once when this class is initialised: creating a handle
   * costs milliseconds of class generation, and start-up needs only some of them before the first
   * step runs.
   */
  private static final class Getpid {
    static final MethodHandle MH = fn("getpid", FunctionDescriptor.of(JAVA_INT));
  }

  private static final class Kill {
    static final MethodHandle MH = fnErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class Waitpid {
    static final MethodHandle MH =
        fnErrno("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Waitid {
    static final MethodHandle MH =
        fnErrno("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Eventfd {
    static final MethodHandle MH = fnErrno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class Write {
    static final MethodHandle MH =
        fnErrno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class Pipe2 {
    static final MethodHandle MH = fnErrno("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Close {
    static final MethodHandle MH = fnErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class Read {
    static final MethodHandle MH =
        fnErrno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class Poll {
    static final MethodHandle MH =
        fnErrno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  private static final class Prctl {
    static final MethodHandle MH = fnErrno("prctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));
  }

  /**
   * The posix_spawn family, used together by every spawn: one holder. These return an error
   * number instead of setting errno.
   */
  static final class Spawn {
    private Spawn() {}

    static final MethodHandle POSIX_SPAWNP = fn("posix_spawnp",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ATTR_SETFLAGS =
        fn("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    static final MethodHandle ATTR_SETPGROUP =
        fn("posix_spawnattr_setpgroup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle ATTR_SETSIGMASK =
        fn("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle ATTR_SETSIGDEFAULT =
        fn("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle FILE_ACTIONS_INIT =
        fn("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle FILE_ACTIONS_DESTROY =
        fn("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle FILE_ACTIONS_ADDDUP2 =
        fn("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle FILE_ACTIONS_ADDOPEN = fn("posix_spawn_file_actions_addopen",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** glibc 2.34+; without it a step inherits whatever non-CLOEXEC descriptors the JVM holds. */
    static final Optional<MethodHandle> FILE_ACTIONS_ADDCLOSEFROM = optionalFn(
        "posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** glibc 2.29+; absent on older libcs, where a step cannot be given a working directory. Only for steps with a workingDir. */
  static final class Addchdir {
    private Addchdir() {}

    static final Optional<MethodHandle> MH = optionalFn("posix_spawn_file_actions_addchdir_np",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  }

  static int getpid() {
    try {
      return (int) Getpid.MH.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** kill(2); returns 0 or {@code -errno} (ESRCH: nothing left to signal). */
  static int kill(int pid, int signal) {
    try {
      int r = (int) Kill.MH.invokeExact(errnoBuf(), pid, signal);
      return r == 0 ? 0 : -errno();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * waitid(P_ALL, WEXITED|WNOWAIT), blocking: sleeps until some child has exited and returns its
   * pid, leaving it unreaped so its pid (and so its process group id) stays reserved; returns at
   * once if a child is a zombie already. -ECHILD if we have no children at all.
   */
  static int awaitExitedChild() {
    try {
      Buffers buffers = BUFFERS.get();
      MemorySegment info = buffers.scratch; // siginfo_t
      while (true) {
        info.set(JAVA_INT, SI_PID, 0);
        int r = (int) Waitid.MH.invokeExact(buffers.errno, P_ALL, 0, info, WEXITED | WNOWAIT);
        if (r == 0) return info.get(JAVA_INT, SI_PID);
        int e = errno(buffers);
        if (e == EINTR) continue;
        if (e == ECHILD) return -ECHILD;
        throw new NativeException("waitid", e);
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * Reaps a child known to be a zombie; returns its raw wait status, or -1 if it is already gone:
   * glibc's posix_spawnp reaps the child of a failed exec itself, after our peek may have seen it.
   */
  static int reap(int pid) {
    try {
      Buffers buffers = BUFFERS.get();
      MemorySegment status = buffers.scratch;
      while (true) {
        int r = (int) Waitpid.MH.invokeExact(buffers.errno, pid, status, WNOHANG);
        if (r == pid) return status.get(JAVA_INT, 0);
        int e = r == 0 ? 0 : errno(buffers);
        if (e == EINTR) continue;
        if (e == ECHILD) return -1;
        throw new NativeException("waitpid(" + pid + ")", e);
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** pipe2(O_CLOEXEC): {read end, write end}. CLOEXEC so a pipe never leaks into another step. */
  static int[] pipe() {
    try {
      Buffers buffers = BUFFERS.get();
      MemorySegment fds = buffers.scratch;
      int r = (int) Pipe2.MH.invokeExact(buffers.errno, fds, O_CLOEXEC);
      if (r != 0) throw new NativeException("pipe2", errno(buffers));
      return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** eventfd(0, EFD_CLOEXEC): a counter to wake a thread sleeping in poll. */
  static int eventfd() {
    try {
      int fd = (int) Eventfd.MH.invokeExact(errnoBuf(), 0, EFD_CLOEXEC);
      if (fd < 0) throw new NativeException("eventfd", errno());
      return fd;
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Adds 1 to an eventfd's counter, which makes it readable. */
  static void signalEventfd(int fd) {
    try {
      Buffers buffers = BUFFERS.get();
      MemorySegment one = buffers.scratch;
      one.set(JAVA_LONG, 0, 1L);
      while (true) {
        long n = (long) Write.MH.invokeExact(buffers.errno, fd, one, 8L);
        if (n == 8) return;
        int e = errno(buffers);
        if (e != EINTR) throw new NativeException("write(eventfd)", e);
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static void close(int fd) {
    try {
      int ignored = (int) Close.MH.invokeExact(errnoBuf(), fd); // Linux frees the fd even on EINTR
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** read(2) into {@code buf}; bytes read, 0 at end of file. */
  static int read(int fd, MemorySegment buf) {
    try {
      while (true) {
        long n = (long) Read.MH.invokeExact(errnoBuf(), fd, buf, buf.byteSize());
        if (n >= 0) return (int) n;
        int e = errno();
        if (e != EINTR) throw new NativeException("read", e);
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** poll(2) on an array of {@code struct pollfd}; number ready, 0 on timeout or EINTR. */
  static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
    try {
      int r = (int) Poll.MH.invokeExact(errnoBuf(), pollfds, (long) count, timeoutMillis);
      if (r >= 0) return r;
      int e = errno();
      if (e == EINTR) return 0;
      throw new NativeException("poll", e);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static void setChildSubreaper() {
    try {
      int r = (int) Prctl.MH.invokeExact(errnoBuf(), PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
      if (r != 0) throw new NativeException("prctl(PR_SET_CHILD_SUBREAPER)", errno());
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static boolean isChildSubreaper() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment flag = arena.allocate(JAVA_INT);
      int r = (int) Prctl.MH.invokeExact(errnoBuf(), PR_GET_CHILD_SUBREAPER, flag.address(), 0L, 0L, 0L);
      if (r != 0) throw new NativeException("prctl(PR_GET_CHILD_SUBREAPER)", errno());
      return flag.get(JAVA_INT, 0) != 0;
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Fails with {@link NativeException} when a libc call that must not fail did. */
  static void check(String call, int result) {
    if (result != 0) throw new NativeException(call, result);
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(t);
  }

  private static MemorySegment errnoBuf() {
    return BUFFERS.get().errno;
  }

  private static int errno() {
    return errno(BUFFERS.get());
  }

  private static int errno(Buffers buffers) {
    return (int) ERRNO_VALUE.get(buffers.errno, 0L);
  }

  private static MethodHandle fn(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(LIBC.findOrThrow(name), fd);
  }

  private static MethodHandle fnErrno(String name, FunctionDescriptor fd, Linker.Option... more) {
    Linker.Option[] options = new Linker.Option[more.length + 1];
    options[0] = ERRNO;
    System.arraycopy(more, 0, options, 1, more.length);
    return LINKER.downcallHandle(LIBC.findOrThrow(name), fd, options);
  }

  private static Optional<MethodHandle> optionalFn(String name, FunctionDescriptor fd) {
    return LIBC.find(name).map(symbol -> LINKER.downcallHandle(symbol, fd));
  }

  /** A libc call failed; {@link #errno} says why. */
  static final class NativeException extends RuntimeException {
    final int errno;

    NativeException(String call, int errno) {
      super(call + " failed: errno " + errno);
      this.errno = errno;
    }
  }
}
