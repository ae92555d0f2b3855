package dev.shepherd.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads since {@link #start}, by who the thread works for, read from the
 * thread's name. Threads are polled (a thread that ends keeps the CPU time of its last poll), and
 * what no Java thread accounts for (GC, JIT) is the process CPU minus the threads'.
 *
 * <p>Names: the mock server runs on vert.x event loops; the benchmark's own threads and the HTTP
 * and task threads of its clients are named bench-*; JOSDK's reconcile pool has the JDK's default
 * names pool-N-thread-N; the operator's client (the cluster's) keeps fabric8's names
 * (JdkHttpClientFactory-*, -N-pool-N-thread-N for its task executor) and the JDK HTTP selector
 * threads that existed before the benchmark's clients were made. What is left (the ForkJoin common
 * pool, where fabric8 completes the responses of every client, and the benchmark clients' selector
 * threads) can't be told apart: it is reported as shared.
 */
final class ThreadCpu {
  static final String MOCK = "mock server (vert.x event loop)";
  static final String RECONCILE = "operator: JOSDK reconcile threads";
  static final String OPERATOR_CLIENT =
      "operator: its client's HTTP, informer and selector threads";
  static final String BENCH = "benchmark: kubelet, driver, their clients, measuring";
  static final String SHARED = "shared by all clients: ForkJoin common pool, other selectors";
  static final String JVM = "JVM internal: GC, JIT (process CPU minus threads)";

  private static final Pattern JDK_POOL = Pattern.compile("pool-\\d+-thread-\\d+");
  private static final Pattern FABRIC8_TASKS = Pattern.compile("-\\d+-pool-\\d+-thread-\\d+");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Map<Long, Long> baseline = new ConcurrentHashMap<>();
  private final Map<Long, Long> latest = new ConcurrentHashMap<>();
  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final Set<String> operatorSelectors = ConcurrentHashMap.newKeySet();
  private long processStart;
  private long processEnd;

  /** Call when only the cluster's client exists: its JDK selector threads are the operator's. */
  void rememberOperatorSelectors() {
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null
          && t.getThreadName().startsWith("HttpClient-")
          && t.getThreadName().endsWith("-SelectorManager")) {
        operatorSelectors.add(t.getThreadName());
      }
    }
  }

  void start() {
    processStart = os.getProcessCpuTime();
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        baseline.put(id, cpu);
      }
    }
    poll();
  }

  synchronized void poll() {
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(t.getThreadId());
      if (cpu >= 0) {
        latest.put(t.getThreadId(), cpu);
        names.put(t.getThreadId(), t.getThreadName());
      }
    }
  }

  void stop() {
    poll();
    processEnd = os.getProcessCpuTime();
  }

  String category(String name) {
    if (name.startsWith("vert.x-") || name.startsWith("vertx-")) {
      return MOCK;
    }
    if (name.startsWith("bench-") || name.equals("main")) {
      return BENCH;
    }
    if (JDK_POOL.matcher(name).matches()) {
      return RECONCILE;
    }
    if (name.startsWith("JdkHttpClientFactory-")
        || FABRIC8_TASKS.matcher(name).matches()
        || operatorSelectors.contains(name)) {
      return OPERATOR_CLIENT;
    }
    return SHARED;
  }

  /** CPU nanoseconds by category, JVM internal included; in a fixed order. */
  Map<String, Long> byCategory() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String c : new String[] {RECONCILE, OPERATOR_CLIENT, SHARED, MOCK, BENCH, JVM}) {
      out.put(c, 0L);
    }
    long threadsTotal = 0;
    for (var e : latest.entrySet()) {
      long cpu = e.getValue() - baseline.getOrDefault(e.getKey(), 0L);
      threadsTotal += cpu;
      out.merge(category(names.get(e.getKey())), cpu, Long::sum);
    }
    out.put(JVM, Math.max(0, processEnd - processStart - threadsTotal));
    return out;
  }

  long processCpu() {
    return processEnd - processStart;
  }
}
