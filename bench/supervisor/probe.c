/*
 * probe: the small native helper of the supervisor benchmarks (bench/SUPERVISOR.md).
 * Build: gcc -O2 -o probe probe.c   (the scripts do this into bench/supervisor/build/)
 *
 *   probe launch FILE CMD [ARGS...]
 *       writes CLOCK_REALTIME in ns to FILE, then execvp(CMD): the launch timestamp, taken as
 *       late as possible before the supervisor (java or tini) starts.
 *   probe stamp
 *       prints "stamp <CLOCK_REALTIME ns>" and the parent's VmRSS/VmHWM lines ("parent-rss <kB>",
 *       "parent-hwm <kB>"): run as a supervisor's first step, this is the moment of the first exec
 *       and the supervisor's memory at that moment.
 *   probe rss
 *       only the parent's VmRSS/VmHWM (a last step: the supervisor's memory after a run).
 *   probe orphans N
 *       the orphan benchmark, run as the supervisor's (only) step. Forks a "maker" that vforks N
 *       children which _exit(0) at once (each a zombie of the maker), writing their pids to shared
 *       memory, and then exits without waiting for them: the kernel reparents all N zombies to the
 *       nearest subreaper or PID 1, i.e. the supervisor. After waitpid(maker), checks the pids not
 *       yet gone with kill(pid, 0) (succeeds on a zombie, ESRCH once reaped) about every 1 ms,
 *       until all are gone or 60 s have passed; then scans /proc/N/stat once for state Z and
 *       counts the processes in /proc against the count before (run it in its own PID
 *       namespace, so /proc shows only its own). Prints one line:
 *         orphans n=N fork_ms=... drain_ms=... samples=... first=... left=... zombies=... extra=...
 *       drain_ms: from the maker's exit to the first sample with every orphan gone; first: how
 *       many were still there at the first sample; left: not gone at the end (must be 0);
 *       zombies: processes in state Z at the end (must be 0); extra: processes more than before.
 *       The measurement is this same program under every supervisor.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void parent_memory(void) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)getppid());
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("parent-rss ? (%s: %s)\n", path, strerror(errno));
    return;
  }
  while (fgets(line, sizeof line, f)) {
    long kb;
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) printf("parent-rss %ld\n", kb);
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) printf("parent-hwm %ld\n", kb);
  }
  fclose(f);
}

/* Numeric entries of /proc, read with getdents64 on one open descriptor (cheap, no per-pid I/O). */
static int count_procs(int procfd) {
  char buf[65536];
  int count = 0;
  lseek(procfd, 0, SEEK_SET);
  for (;;) {
    long n = syscall(SYS_getdents64, procfd, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      struct {
        unsigned long long ino;
        long long off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      } *d = (void *)(buf + off);
      if (d->name[0] >= '1' && d->name[0] <= '9') count++;
      off += d->reclen;
    }
  }
  return count;
}

/* Processes in state Z (one read of /proc/N/stat each: only once, at the end). */
static int count_zombies(void) {
  DIR *dir = opendir("/proc");
  struct dirent *e;
  int zombies = 0;
  char path[300], stat[512];
  while (dir && (e = readdir(dir))) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0) continue;
    stat[n] = 0;
    char *p = strrchr(stat, ')'); /* the name may contain spaces and parentheses */
    if (p && p[1] == ' ' && p[2] == 'Z') zombies++;
  }
  if (dir) closedir(dir);
  return zombies;
}

static int orphans(int n) {
  int procfd = open("/proc", O_RDONLY | O_DIRECTORY);
  if (procfd < 0) {
    perror("open /proc");
    return 1;
  }
  /* The maker writes the orphans' pids here; we check them with kill(pid, 0), which succeeds on a
     zombie and fails with ESRCH once it has been reaped. */
  pid_t *pids = mmap(NULL, sizeof(pid_t) * n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (pids == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  int baseline = count_procs(procfd);
  long long t0 = now_ns(CLOCK_MONOTONIC);
  pid_t maker = fork();
  if (maker < 0) {
    perror("fork");
    return 1;
  }
  if (maker == 0) {
    for (int i = 0; i < n; i++) {
      pid_t c = vfork(); /* the child only calls _exit: vfork is allowed and much cheaper */
      if (c == 0) _exit(0);
      if (c < 0) {
        perror("vfork (orphan)");
        _exit(1);
      }
      pids[i] = c;
    }
    _exit(0);
  }
  int status;
  while (waitpid(maker, &status, 0) < 0 && errno == EINTR) {}
  long long t1 = now_ns(CLOCK_MONOTONIC);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "maker failed: status %d\n", status);
    return 1;
  }
  int left = n, peak = 0, samples = 0;
  long long t2 = t1;
  struct timespec ms = {0, 1000000};
  for (;;) {
    int still = 0;
    for (int i = 0; i < left; i++) {
      if (kill(pids[i], 0) == 0 || errno != ESRCH) pids[still++] = pids[i];
    }
    left = still;
    samples++;
    t2 = now_ns(CLOCK_MONOTONIC);
    if (samples == 1) peak = left;
    if (left == 0 || t2 - t1 > 60000000000LL) break;
    nanosleep(&ms, NULL);
  }
  int zombies = count_zombies();
  int extra = count_procs(procfd) - baseline;
  printf("orphans n=%d fork_ms=%.3f drain_ms=%.3f samples=%d first=%d left=%d zombies=%d extra=%d\n", n,
         (t1 - t0) / 1e6, (t2 - t1) / 1e6, samples, peak, left, zombies, extra);
  fflush(stdout);
  return left == 0 && zombies == 0 ? 0 : 3;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "launch") == 0) {
    char text[32];
    int len = snprintf(text, sizeof text, "%lld\n", now_ns(CLOCK_REALTIME));
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, len) != len) {
      perror(argv[2]);
      return 1;
    }
    close(fd);
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
  }
  if (argc == 2 && strcmp(argv[1], "stamp") == 0) {
    printf("stamp %lld\n", now_ns(CLOCK_REALTIME));
    parent_memory();
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "rss") == 0) {
    parent_memory();
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "orphans") == 0) return orphans(atoi(argv[2]));
  fprintf(stderr, "usage: probe launch FILE CMD [ARGS...] | stamp | rss | orphans N\n");
  return 2;
}
