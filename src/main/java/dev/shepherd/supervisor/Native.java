package dev.shepherd.supervisor;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls the supervisor needs, bound with the FFM API (no JNI, no JNA).
 *
 * <p>Linux only (x86_64 and aarch64 share every number used here). All calls go through one
 * downcall handle ({@link #CALL}, which says why and why that is sound) that captures errno; the
 * wrappers return {@code -errno} instead of throwing where a failure is an ordinary outcome (ESRCH
 * from kill, ECHILD from waitid), and throw {@link NativeException} where it is not.
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

  /**
   * Where errno is in the capture state (a plain offset: a layout path's VarHandle spins classes).
   */
  private static final long ERRNO_OFFSET =
      CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

  /**
   * Per-thread native buffers: the errno capture, and scratch space for results (a siginfo_t, a
   * wait status, a pipe's two fds). Calls on one thread never overlap, so nothing is allocated per
   * call: the reap loop makes thousands of calls in a burst of orphans.
   */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  static final class Buffers {
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
   * Every libc function here is called through this one downcall handle: six 64-bit integers in,
   * one 64-bit integer out, errno captured, the function's address passed per call. Each distinct
   * {@link FunctionDescriptor} makes the FFM API generate a stub (a dozen hidden classes, a few
   * milliseconds each) that no AOT cache keeps; sixteen of them took ~150 ms of the start-up, one
   * takes ~10. It is sound for the functions below on the two Linux ABIs (x86_64 System V, aarch64
   * AAPCS64): their parameters are integers and pointers, all passed in the first six integer
   * registers, so a pointer goes as its address and an int or a short as a long of the same value;
   * registers beyond a function's parameters are ignored; an int result is the low half of the
   * returned register ({@code (int)}). No variadic function goes through it (their calling
   * convention differs) except prctl, whose variadic part is integers too and which the kernel
   * reads as five longs; x86_64's variadic {@code %al} only counts vector registers, and none is
   * used.
   */
  private static final MethodHandle CALL =
      LINKER.downcallHandle(
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
          ERRNO);

  /** The libc functions called through {@link #CALL}; an absent optional one has a null address. */
  enum Fn {
    GETPID("getpid"),
    KILL("kill"),
    WAITPID("waitpid"),
    WAITID("waitid"),
    EVENTFD("eventfd"),
    WRITE("write"),
    PIPE2("pipe2"),
    CLOSE("close"),
    READ("read"),
    POLL("poll"),
    PRCTL("prctl"),
    STRERROR("strerror"),
    POSIX_SPAWNP("posix_spawnp"),
    SPAWNATTR_INIT("posix_spawnattr_init"),
    SPAWNATTR_DESTROY("posix_spawnattr_destroy"),
    SPAWNATTR_SETFLAGS("posix_spawnattr_setflags"),
    SPAWNATTR_SETPGROUP("posix_spawnattr_setpgroup"),
    SPAWNATTR_SETSIGMASK("posix_spawnattr_setsigmask"),
    SPAWNATTR_SETSIGDEFAULT("posix_spawnattr_setsigdefault"),
    FILE_ACTIONS_INIT("posix_spawn_file_actions_init"),
    FILE_ACTIONS_DESTROY("posix_spawn_file_actions_destroy"),
    FILE_ACTIONS_ADDDUP2("posix_spawn_file_actions_adddup2"),
    FILE_ACTIONS_ADDOPEN("posix_spawn_file_actions_addopen"),
    /** glibc 2.34+; without it a step inherits whatever non-CLOEXEC descriptors the JVM holds. */
    FILE_ACTIONS_ADDCLOSEFROM("posix_spawn_file_actions_addclosefrom_np", true),
    /** glibc 2.29+; without it a step cannot be given a working directory. */
    FILE_ACTIONS_ADDCHDIR("posix_spawn_file_actions_addchdir_np", true);

    final MemorySegment address;

    Fn(String symbol) {
      this(symbol, false);
    }

    Fn(String symbol, boolean optional) {
      this.address = optional ? LIBC.find(symbol).orElse(null) : LIBC.findOrThrow(symbol);
    }

    boolean present() {
      return address != null;
    }
  }

  /**
   * Calls {@code fn} with up to six integer or pointer arguments; errno lands in {@code buffers}.
   */
  static long call(Buffers buffers, Fn fn, long a, long b, long c, long d, long e, long f) {
    try {
      return (long) CALL.invokeExact(fn.address, buffers.errno, a, b, c, d, e, f);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@link #call(Buffers, Fn, long, long, long, long, long, long)} for a function that returns an
   * int.
   */
  static int callInt(Fn fn, long a, long b, long c, long d, long e, long f) {
    return (int) call(BUFFERS.get(), fn, a, b, c, d, e, f);
  }

  static int callInt(Fn fn, long a) {
    return callInt(fn, a, 0, 0, 0, 0, 0);
  }

  static int callInt(Fn fn, long a, long b) {
    return callInt(fn, a, b, 0, 0, 0, 0);
  }

  static int callInt(Fn fn, long a, long b, long c) {
    return callInt(fn, a, b, c, 0, 0, 0);
  }

  static int getpid() {
    return callInt(Fn.GETPID, 0);
  }

  /** kill(2); returns 0 or {@code -errno} (ESRCH: nothing left to signal). */
  static int kill(int pid, int signal) {
    Buffers buffers = BUFFERS.get();
    int r = (int) call(buffers, Fn.KILL, pid, signal, 0, 0, 0, 0);
    return r == 0 ? 0 : -errno(buffers);
  }

  /**
   * waitid(P_ALL, WEXITED|WNOWAIT), blocking: sleeps until some child has exited and returns its
   * pid, leaving it unreaped so its pid (and so its process group id) stays reserved; returns at
   * once if a child is a zombie already. -ECHILD if we have no children at all.
   */
  static int awaitExitedChild() {
    Buffers buffers = BUFFERS.get();
    MemorySegment info = buffers.scratch; // siginfo_t
    while (true) {
      info.set(JAVA_INT, SI_PID, 0);
      int r = (int) call(buffers, Fn.WAITID, P_ALL, 0, info.address(), WEXITED | WNOWAIT, 0, 0);
      if (r == 0) {
        return info.get(JAVA_INT, SI_PID);
      }
      int e = errno(buffers);
      if (e == EINTR) {
        continue;
      }
      if (e == ECHILD) {
        return -ECHILD;
      }
      throw new NativeException("waitid", e);
    }
  }

  /**
   * Reaps a child known to be a zombie; returns its raw wait status, or -1 if it is already gone:
   * glibc's posix_spawnp reaps the child of a failed exec itself, after our peek may have seen it.
   */
  static int reap(int pid) {
    Buffers buffers = BUFFERS.get();
    MemorySegment status = buffers.scratch;
    while (true) {
      int r = (int) call(buffers, Fn.WAITPID, pid, status.address(), WNOHANG, 0, 0, 0);
      if (r == pid) {
        return status.get(JAVA_INT, 0);
      }
      int e = r == 0 ? 0 : errno(buffers);
      if (e == EINTR) {
        continue;
      }
      if (e == ECHILD) {
        return -1;
      }
      throw new NativeException("waitpid(" + pid + ")", e);
    }
  }

  /** pipe2(O_CLOEXEC): {read end, write end}. CLOEXEC so a pipe never leaks into another step. */
  static int[] pipe() {
    Buffers buffers = BUFFERS.get();
    MemorySegment fds = buffers.scratch;
    int r = (int) call(buffers, Fn.PIPE2, fds.address(), O_CLOEXEC, 0, 0, 0, 0);
    if (r != 0) {
      throw new NativeException("pipe2", errno(buffers));
    }
    return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
  }

  /** eventfd(0, EFD_CLOEXEC): a counter to wake a thread sleeping in poll. */
  static int eventfd() {
    Buffers buffers = BUFFERS.get();
    int fd = (int) call(buffers, Fn.EVENTFD, 0, EFD_CLOEXEC, 0, 0, 0, 0);
    if (fd < 0) {
      throw new NativeException("eventfd", errno(buffers));
    }
    return fd;
  }

  /** Adds 1 to an eventfd's counter, which makes it readable. */
  static void signalEventfd(int fd) {
    Buffers buffers = BUFFERS.get();
    MemorySegment one = buffers.scratch;
    one.set(JAVA_LONG, 0, 1L);
    while (true) {
      long n = call(buffers, Fn.WRITE, fd, one.address(), 8, 0, 0, 0);
      if (n == 8) {
        return;
      }
      int e = errno(buffers);
      if (e != EINTR) {
        throw new NativeException("write(eventfd)", e);
      }
    }
  }

  static void close(int fd) {
    callInt(Fn.CLOSE, fd); // Linux frees the fd even on EINTR
  }

  /** read(2) into {@code buf}; bytes read, 0 at end of file. */
  static int read(int fd, MemorySegment buf) {
    Buffers buffers = BUFFERS.get();
    while (true) {
      long n = call(buffers, Fn.READ, fd, buf.address(), buf.byteSize(), 0, 0, 0);
      if (n >= 0) {
        return (int) n;
      }
      int e = errno(buffers);
      if (e != EINTR) {
        throw new NativeException("read", e);
      }
    }
  }

  /** poll(2) on an array of {@code struct pollfd}; number ready, 0 on timeout or EINTR. */
  static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
    Buffers buffers = BUFFERS.get();
    int r = (int) call(buffers, Fn.POLL, pollfds.address(), count, timeoutMillis, 0, 0, 0);
    if (r >= 0) {
      return r;
    }
    int e = errno(buffers);
    if (e == EINTR) {
      return 0;
    }
    throw new NativeException("poll", e);
  }

  static void setChildSubreaper() {
    Buffers buffers = BUFFERS.get();
    int r = (int) call(buffers, Fn.PRCTL, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0);
    if (r != 0) {
      throw new NativeException("prctl(PR_SET_CHILD_SUBREAPER)", errno(buffers));
    }
  }

  static boolean isChildSubreaper() {
    Buffers buffers = BUFFERS.get();
    MemorySegment flag = buffers.scratch;
    flag.set(JAVA_INT, 0, 0);
    int r = (int) call(buffers, Fn.PRCTL, PR_GET_CHILD_SUBREAPER, flag.address(), 0, 0, 0, 0);
    if (r != 0) {
      throw new NativeException("prctl(PR_GET_CHILD_SUBREAPER)", errno(buffers));
    }
    return flag.get(JAVA_INT, 0) != 0;
  }

  /**
   * An errno in the C library's words and as a number, "Argument list too long (errno 7)": what a
   * user reads in a step's message when its process could not be made.
   */
  static String describe(int errno) {
    long text = call(BUFFERS.get(), Fn.STRERROR, errno, 0, 0, 0, 0, 0);
    String words =
        text == 0
            ? "Unknown error"
            : MemorySegment.ofAddress(text).reinterpret(Long.MAX_VALUE).getString(0);
    return words + " (errno " + errno + ")";
  }

  /** Fails with {@link NativeException} when a libc call that must not fail did. */
  static void check(String call, int result) {
    if (result != 0) {
      throw new NativeException(call, result);
    }
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  private static int errno(Buffers buffers) {
    return buffers.errno.get(JAVA_INT, ERRNO_OFFSET);
  }

  /** A libc call failed; {@link #errno} says why. */
  static final class NativeException extends RuntimeException {
    final int errno;

    NativeException(String call, int errno) {
      super(call + " failed: " + describe(errno));
      this.errno = errno;
    }
  }
}
