package dev.shepherd.bench;

import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.bench.RequestLog.Actor;
import dev.shepherd.operator.ShepherdOperator;
import dev.shepherd.operator.TestingCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The operator benchmark: many small workflows through the real operator against the in-process
 * mock API server, with a simulated kubelet. Not a test: run it with bench/operator.sh.
 *
 * <pre>
 * OperatorBench [workflows [steps [kubeletDelayMs]]] [--shape=diamond|chain] [--rate=N]
 *               [--threads=N] [--timeout-minutes=N]
 * </pre>
 *
 * <ul>
 *   <li>workflows (default 1000), steps per workflow (default 5);
 *   <li>kubeletDelayMs: "min-max" or "max" (default 0-50): the kubelet marks a new Pod Running
 *       after a random delay in that range, then Succeeded after another;
 *   <li>--shape: diamond (default: s1, then s2 and s3 in parallel, then s4 after both, then a chain
 *       to the last step: a "diamond plus one" with 5 steps) or chain (s1 then s2 ... then sN);
 *   <li>--rate: workflows created per second; 0 (default) creates them all at once, one after
 *       another from one thread as fast as the API server accepts them;
 *   <li>--threads: JOSDK reconcile threads (default: JOSDK's default);
 *   <li>--timeout-minutes: give up and report what finished (default 30).
 * </ul>
 */
public final class OperatorBench {
  private static final String NAMESPACE = TestingCluster.NAMESPACE;

  /**
   * The mock server logs every request at INFO through java.util.logging: held so the level sticks.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  record Options(
      int workflows,
      int steps,
      int minDelayMs,
      int maxDelayMs,
      String shape,
      double rate,
      Integer threads,
      int timeoutMinutes) {
    static Options parse(String[] args) {
      List<String> positional = new ArrayList<>();
      String shape = "diamond";
      double rate = 0;
      Integer threads = null;
      int timeout = 30;
      for (String a : args) {
        if (a.startsWith("--shape=")) {
          shape = a.substring(8);
        } else if (a.startsWith("--rate=")) {
          rate = Double.parseDouble(a.substring(7));
        } else if (a.startsWith("--threads=")) {
          threads = Integer.parseInt(a.substring(10));
        } else if (a.startsWith("--timeout-minutes=")) {
          timeout = Integer.parseInt(a.substring(18));
        } else if (a.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + a);
        } else {
          positional.add(a);
        }
      }
      int workflows = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 1000;
      int steps = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 5;
      String delay = positional.size() > 2 ? positional.get(2) : "0-50";
      int dash = delay.indexOf('-');
      int min = dash < 0 ? 0 : Integer.parseInt(delay.substring(0, dash));
      int max = Integer.parseInt(dash < 0 ? delay : delay.substring(dash + 1));
      if (!shape.equals("diamond") && !shape.equals("chain")) {
        throw new IllegalArgumentException("--shape must be diamond or chain, not " + shape);
      }
      if (shape.equals("diamond") && steps < 4) {
        throw new IllegalArgumentException("--shape=diamond needs at least 4 steps, not " + steps);
      }
      if (workflows < 1 || steps < 1 || min < 0 || max < min) {
        throw new IllegalArgumentException(
            "need workflows >= 1, steps >= 1, 0 <= min delay <= max delay");
      }
      return new Options(workflows, steps, min, max, shape, rate, threads, timeout);
    }
  }

  public static void main(String[] args) throws Exception {
    Options opt = Options.parse(args);
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    int exit = new OperatorBench().run(opt);
    System.exit(exit);
  }

  private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
  private final Map<String, Long> finishedAt = new ConcurrentHashMap<>();
  private final Map<String, WorkflowPhase> finalPhase = new ConcurrentHashMap<>();
  private final List<Long> createMicros = java.util.Collections.synchronizedList(new ArrayList<>());

  int run(Options opt) throws Exception {
    System.out.printf(
        "shepherd operator benchmark: %d workflows x %d steps (%s), kubelet delay %d-%d ms, %s, "
            + "reconcile threads %s%n",
        opt.workflows(),
        opt.steps(),
        shapeName(opt),
        opt.minDelayMs(),
        opt.maxDelayMs(),
        opt.rate() > 0 ? "created at " + opt.rate() + "/s" : "created all at once",
        opt.threads() == null ? "JOSDK default" : opt.threads());
    System.out.printf(
        "JVM: %s %s, %d CPUs, max heap %s%n",
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        Runtime.getRuntime().availableProcessors(),
        HeapWatch.mib(HeapWatch.maxHeap()));

    HeapWatch heap = new HeapWatch();
    long heapJvm = HeapWatch.usedAfterFullGc();

    TestingCluster cluster = new TestingCluster();
    RequestLog log = new RequestLog(cluster.server);
    ThreadCpu cpu = new ThreadCpu();
    cpu.rememberOperatorSelectors();
    KubernetesClient driver = benchClient(cluster, "driver", RequestLog.DRIVER_AGENT);
    KubernetesClient kubeletClient = benchClient(cluster, "kubelet", RequestLog.KUBELET_AGENT);
    BenchKubelet kubelet =
        new BenchKubelet(kubeletClient, NAMESPACE, opt.minDelayMs(), opt.maxDelayMs(), 4);
    kubelet.start();
    CountDownLatch allFinished = new CountDownLatch(opt.workflows());
    SharedIndexInformer<Workflow> watch =
        driver
            .resources(Workflow.class)
            .inNamespace(NAMESPACE)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Workflow w) {
                    seen(w);
                  }

                  @Override
                  public void onUpdate(Workflow before, Workflow w) {
                    seen(w);
                  }

                  @Override
                  public void onDelete(Workflow w, boolean unknown) {}

                  private void seen(Workflow w) {
                    if (w.getStatus() != null
                        && w.getStatus().phase != null
                        && w.getStatus().phase.isFinal()
                        && finalPhase.putIfAbsent(w.getMetadata().getName(), w.getStatus().phase)
                            == null) {
                      finishedAt.put(w.getMetadata().getName(), System.nanoTime());
                      allFinished.countDown();
                    }
                  }
                },
                0);
    long heapCluster = HeapWatch.usedAfterFullGc();

    ShepherdOperator operator =
        new ShepherdOperator(
            cluster.client,
            Clock.systemUTC(),
            o -> {
              o.withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withCloseClientOnStop(false);
              if (opt.threads() != null) {
                o.withConcurrentReconciliationThreads(opt.threads());
              }
            });
    operator.start();
    long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!operator.isReady()) {
      if (System.nanoTime() > readyBy) {
        throw new IllegalStateException("the operator was not ready within 30 s");
      }
      Thread.sleep(20);
    }
    log.startCounting();
    long heapOperatorIdle = HeapWatch.usedAfterFullGc();
    System.out.printf(
        "heap after full GC: JVM alone %s, + mock server, clients, kubelet %s, + idle operator %s%n",
        HeapWatch.mib(heapJvm), HeapWatch.mib(heapCluster), HeapWatch.mib(heapOperatorIdle));

    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    heap.resetPeaks();
    AtomicLong sampling = new AtomicLong(1);
    cpu.start();
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .name("bench-sampler")
            .start(
                () -> {
                  for (long i = 0; sampling.get() == 1; i++) {
                    heap.sample();
                    if (i % 50 == 0) {
                      cpu.poll();
                    }
                    try {
                      Thread.sleep(10);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });

    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    Thread creator =
        Thread.ofPlatform()
            .name("bench-creator")
            .start(
                () -> {
                  for (int i = 0; i < opt.workflows(); i++) {
                    if (opt.rate() > 0) {
                      long due = start + (long) (i * 1e9 / opt.rate());
                      long wait = due - System.nanoTime();
                      if (wait > 0) {
                        try {
                          TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }
                    Workflow w = workflow(String.format("wf-%05d", i), opt);
                    long t0 = System.nanoTime();
                    createdAt.put(w.getMetadata().getName(), t0);
                    driver.resource(w).create();
                    createMicros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0));
                  }
                });

    long deadline = start + TimeUnit.MINUTES.toNanos(opt.timeoutMinutes());
    long lastReport = start;
    while (!allFinished.await(200, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      if (now > deadline) {
        break;
      }
      if (now - lastReport >= TimeUnit.SECONDS.toNanos(10)) {
        lastReport = now;
        System.out.printf(
            "  %5.0f s: %d created, %d finished, %d pods seen by the kubelet, %d succeeded; "
                + "operator writes %d, reads %d%n",
            (now - start) / 1e9,
            createdAt.size(),
            finishedAt.size(),
            kubelet.podsSeen(),
            kubelet.podsSucceeded(),
            log.total(Actor.OPERATOR, true),
            log.total(Actor.OPERATOR, false));
      }
    }
    boolean complete = allFinished.getCount() == 0;
    creator.join(TimeUnit.SECONDS.toMillis(10));
    long lastFinish =
        finishedAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    long firstCreate = createdAt.values().stream().mapToLong(Long::longValue).min().orElse(start);
    double wallSeconds = (lastFinish - firstCreate) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
    cpu.stop();
    log.awaitQuiet(1500);
    sampling.set(0);
    sampler.join();
    long peakUsed = heap.peakUsed();
    long peakAfterGc = heap.peakAfterGc();
    long collections = heap.collections();

    String scrape = operator.registry().scrape();
    int meters = operator.registry().getMeters().size();
    Map<String, Double> metrics = sumByName(scrape);
    Map<String, Long> metersByName =
        operator.registry().getMeters().stream()
            .collect(
                Collectors.groupingBy(
                    m ->
                        m.getId().getName()
                            + (m.getId().getTag("name") != null ? " (per resource)" : ""),
                    TreeMap::new,
                    Collectors.counting()));

    Map<String, Long> phases =
        watch.getStore().list().stream()
            .collect(
                Collectors.groupingBy(
                    w ->
                        w.getStatus() == null || w.getStatus().phase == null
                            ? "none"
                            : w.getStatus().phase.name(),
                    TreeMap::new,
                    Collectors.counting()));
    long heapEndAll = HeapWatch.usedAfterFullGc();
    // Drop the benchmark's caches (the kubelet's Pods, the driver's Workflows) before measuring.
    watch.close();
    watch = null;
    kubelet.close();
    driver.close();
    kubeletClient.close();
    long heapEnd = HeapWatch.usedAfterFullGc();
    // What the per-resource meters hold: the registry without them.
    operator.registry().clear();
    long heapEndNoMeters = HeapWatch.usedAfterFullGc();
    operator.close();
    operator = null;
    long heapMockOnly = HeapWatch.usedAfterFullGc();

    // ---- results ----
    long steps = (long) finishedAt.size() * opt.steps();
    long succeeded = finalPhase.values().stream().filter(p -> p == WorkflowPhase.Succeeded).count();
    System.out.println();
    System.out.printf(
        "RESULT %s: %d/%d workflows finished (%d Succeeded) in %.1f s%n",
        complete ? "complete" : "INCOMPLETE (timed out)",
        finishedAt.size(),
        opt.workflows(),
        succeeded,
        wallSeconds);
    System.out.printf(
        "  throughput: %.0f workflows/min, %.0f steps/s%n",
        finishedAt.size() / wallSeconds * 60, steps / wallSeconds);
    System.out.printf("  latency create -> final phase: %s%n", latencies());
    System.out.printf(
        "  process CPU: %.1f s over %.1f s wall (%.2f cores busy of %d)%n",
        cpuSeconds,
        wallSeconds,
        cpuSeconds / wallSeconds,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "  API latency seen by the driver's creates (sequential POSTs): %s%n", createLatencies());
    Map<String, Long> cpuBy = cpu.byCategory();
    System.out.printf("  CPU by thread (%.1f s in all):%n", cpu.processCpu() / 1e9);
    cpuBy.forEach(
        (k, v) ->
            System.out.printf(
                "    %-62s %7.1f s  %4.1f%%%n",
                k, v / 1e9, 100.0 * v / Math.max(1, cpu.processCpu())));
    long operatorCpu = cpuBy.get(ThreadCpu.RECONCILE) + cpuBy.get(ThreadCpu.OPERATOR_CLIENT);
    long sharedCpu = cpuBy.get(ThreadCpu.SHARED);
    System.out.printf(
        "  => operator CPU per step: %.2f ms (its own threads) to %.2f ms (with all shared client "
            + "threads); per workflow %.1f to %.1f ms%n",
        operatorCpu / 1e6 / steps,
        (operatorCpu + sharedCpu) / 1e6 / steps,
        operatorCpu / 1e6 / finishedAt.size(),
        (operatorCpu + sharedCpu) / 1e6 / finishedAt.size());

    long opWrites = log.total(Actor.OPERATOR, true);
    long podCreates = log.count(Actor.OPERATOR, "POST", "pods", false, null);
    long statusWrites =
        log.count(Actor.OPERATOR, "PUT", "workflows", true, "status")
            + log.count(Actor.OPERATOR, "PATCH", "workflows", true, "status");
    long events = log.count(Actor.OPERATOR, "POST", "events", false, null);
    long other = opWrites - podCreates - statusWrites - events;
    System.out.println();
    System.out.printf(
        "API writes by the operator: %d = %.2f per step (target <= 3)%n",
        opWrites, per(opWrites, steps));
    System.out.printf("  pod creates      %7d  %.2f/step%n", podCreates, per(podCreates, steps));
    System.out.printf(
        "  status writes    %7d  %.2f/step  %.2f/workflow%n",
        statusWrites, per(statusWrites, steps), per(statusWrites, finishedAt.size()));
    System.out.printf(
        "  events           %7d  %.2f/step  %.2f/workflow%n",
        events, per(events, steps), per(events, finishedAt.size()));
    System.out.printf("  other            %7d  %.2f/step%n", other, per(other, steps));
    System.out.printf("  workflows by number of status writes: %s%n", log.statusWriteSpread());
    long opReads = log.total(Actor.OPERATOR, false);
    System.out.printf(
        "API reads by the operator: %d = %.2f per step%n", opReads, per(opReads, steps));
    for (Actor a : List.of(Actor.OPERATOR, Actor.KUBELET, Actor.DRIVER)) {
      System.out.printf("  %s requests by kind: %s%n", a.name().toLowerCase(), log.byKind(a));
    }

    System.out.println();
    System.out.printf(
        "Reconciles and events (JOSDK metrics, summed over all workflows; %d meters, scrape %d KiB):%n",
        meters, scrape.length() / 1024);
    metrics.forEach((k, v) -> System.out.printf("  %-60s %12.0f%n", k, v));
    System.out.printf("  meters by name: %s%n", metersByName);
    Double reconciles = metrics.get("operator_sdk_reconciliations_started_total");
    if (reconciles != null) {
      System.out.printf(
          "  => %.2f reconciles per step, %.1f per workflow%n",
          reconciles / steps, reconciles / finishedAt.size());
    }

    System.out.println();
    System.out.printf(
        "Heap (used after full GC; mock server, kubelet and operator share this JVM):%n");
    System.out.printf(
        "  JVM before anything                           %s%n", HeapWatch.mib(heapJvm));
    System.out.printf(
        "  + mock server, clients, kubelet (empty)       %s%n", HeapWatch.mib(heapCluster));
    System.out.printf(
        "  + idle operator                               %s  (operator: %s)%n",
        HeapWatch.mib(heapOperatorIdle), HeapWatch.mib(heapOperatorIdle - heapCluster));
    System.out.printf(
        "  end, everything still running                 %s%n", HeapWatch.mib(heapEndAll));
    System.out.printf(
        "  end, kubelet and driver closed, caches freed  %s%n", HeapWatch.mib(heapEnd));
    System.out.printf(
        "  end, operator's meter registry cleared        %s  (per-resource meters: %s)%n",
        HeapWatch.mib(heapEndNoMeters), HeapWatch.mib(heapEnd - heapEndNoMeters));
    System.out.printf(
        "  end, operator stopped too (mock server data)  %s%n", HeapWatch.mib(heapMockOnly));
    System.out.printf(
        "  => operator at the end: %s (with %d workflows and %d pods in its caches); "
            + "mock server with its data: %s%n",
        HeapWatch.mib(heapEnd - heapMockOnly),
        finishedAt.size(),
        podCreates,
        HeapWatch.mib(heapMockOnly - heapJvm));
    System.out.printf(
        "  peak during the run, whole JVM: used %s (before a GC, with garbage), %s after a GC "
            + "(%d GCs)%n",
        HeapWatch.mib(peakUsed), HeapWatch.mib(peakAfterGc), collections);
    System.out.printf(
        "kubelet: %d pods seen, %d succeeded, %d write errors%n",
        kubelet.podsSeen(), kubelet.podsSucceeded(), kubelet.errors());
    if (!complete) {
      System.out.printf("unfinished: phases %s%n", phases);
    }
    log.close();
    cluster.close();
    return complete && succeeded == opt.workflows() ? 0 : 1;
  }

  static Workflow workflow(String name, Options opt) {
    Workflow w = new Workflow();
    w.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "busybox:1.36";
    for (int i = 1; i <= opt.steps(); i++) {
      String[] depends;
      if (i == 1) {
        depends = new String[0];
      } else if (opt.shape().equals("diamond") && (i == 2 || i == 3)) {
        depends = new String[] {"s1"};
      } else if (opt.shape().equals("diamond") && i == 4) {
        depends = new String[] {"s2", "s3"};
      } else {
        depends = new String[] {"s" + (i - 1)};
      }
      Step s = new Step("s" + i, depends);
      s.command = List.of("true");
      spec.steps.add(s);
    }
    w.setSpec(spec);
    return w;
  }

  private static String shapeName(Options opt) {
    if (opt.shape().equals("chain")) {
      return "chain s1 -> ... -> s" + opt.steps();
    }
    return "diamond-plus-one: s1 -> {s2, s3} -> s4"
        + (opt.steps() > 4 ? " -> ... -> s" + opt.steps() : "");
  }

  /** A client of the benchmark's own, with its User-Agent and threads named bench-{who}-*. */
  private static KubernetesClient benchClient(TestingCluster cluster, String who, String agent) {
    var tasks =
        java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().name("bench-" + who + "-tasks-", 0).daemon().factory());
    var http =
        java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().name("bench-" + who + "-http-", 0).daemon().factory());
    return cluster.server.createClient(
        b ->
            b.editOrNewConfig()
                .withUserAgent(agent)
                .endConfig()
                .withTaskExecutor(tasks)
                .withHttpClientFactory(
                    new io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory() {
                      @Override
                      protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
                        builder.executor(http);
                      }
                    }));
  }

  private String createLatencies() {
    long[] us;
    synchronized (createMicros) {
      us = createMicros.stream().mapToLong(Long::longValue).sorted().toArray();
    }
    if (us.length == 0) {
      return "none";
    }
    return String.format(
        "mean %.1f ms, p50 %.1f ms, p99 %.1f ms",
        java.util.Arrays.stream(us).average().orElse(0) / 1000,
        us[us.length / 2] / 1000.0,
        us[Math.min(us.length - 1, (int) (us.length * 0.99))] / 1000.0);
  }

  private String latencies() {
    long[] ms =
        finishedAt.entrySet().stream()
            .mapToLong(e -> TimeUnit.NANOSECONDS.toMillis(e.getValue() - createdAt.get(e.getKey())))
            .sorted()
            .toArray();
    if (ms.length == 0) {
      return "none finished";
    }
    return String.format(
        "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
        ms[ms.length / 2],
        ms[(int) (ms.length * 0.9)],
        ms[Math.min(ms.length - 1, (int) (ms.length * 0.99))],
        ms[ms.length - 1]);
  }

  private static double per(long count, long of) {
    return of == 0 ? 0 : (double) count / of;
  }

  /**
   * Prometheus text: the sum over all series of each counter, for JOSDK's and shepherd's meters.
   */
  static Map<String, Double> sumByName(String scrape) {
    Map<String, Double> out = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
      if (!(name.startsWith("operator_sdk") || name.startsWith("shepherd"))
          || name.endsWith("_bucket")
          || name.endsWith("_max")
          || name.endsWith("_sum")) {
        continue;
      }
      try {
        out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return out;
  }
}
