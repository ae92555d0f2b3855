package dev.shepherd.bench;

import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drains the mock server's request log while the benchmark runs (the server keeps every request,
 * body included, until taken, which would otherwise grow the heap being measured) and counts the
 * requests by who sent them and what they did.
 *
 * <p>Who: the simulated kubelet and the benchmark driver have clients of their own with a distinct
 * User-Agent; every other request after {@link #startCounting} comes from the operator, which is
 * the only other user of the cluster's client.
 */
final class RequestLog implements AutoCloseable {
  static final String KUBELET_AGENT = "shepherd-bench-kubelet";
  static final String DRIVER_AGENT = "shepherd-bench-driver";

  enum Actor {
    SETUP,
    OPERATOR,
    KUBELET,
    DRIVER
  }

  /** One kind of request: method, resource, whether it names an object, subresource, watch. */
  record Kind(
      Actor actor,
      String method,
      String resource,
      boolean named,
      String subresource,
      boolean watch) {
    boolean write() {
      return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    @Override
    public String toString() {
      return method
          + " "
          + resource
          + (named ? "/{name}" : "")
          + (subresource == null ? "" : "/" + subresource)
          + (watch ? "?watch" : "");
    }
  }

  private final DefaultMockServer server;
  private final Map<Kind, LongAdder> counts = new ConcurrentHashMap<>();

  /** Status writes of the operator per workflow name, to see their spread. */
  private final Map<String, LongAdder> statusWritesPerWorkflow = new ConcurrentHashMap<>();

  private final AtomicLong taken = new AtomicLong();
  private final Thread drainer;
  private volatile boolean counting;
  private volatile boolean closed;

  RequestLog(DefaultMockServer server) {
    this.server = server;
    this.drainer = Thread.ofPlatform().name("bench-request-log").daemon().start(this::drain);
  }

  /** Requests taken from now on that don't carry a benchmark User-Agent are the operator's. */
  void startCounting() {
    awaitQuiet(300);
    counting = true;
  }

  private void drain() {
    while (!closed) {
      try {
        RecordedRequest r = server.takeRequest(50, TimeUnit.MILLISECONDS);
        if (r != null) {
          record(r);
          taken.incrementAndGet();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Waits until every request the server received was counted and none came for quietMillis. */
  void awaitQuiet(long quietMillis) {
    long last = -1;
    long quietSince = System.nanoTime();
    while (true) {
      long received = server.getRequestCount();
      if (received != last || taken.get() < received) {
        last = received;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
        return;
      }
      sleep(20);
    }
  }

  private void record(RecordedRequest r) {
    String agent = r.getHeader("User-Agent");
    Actor actor;
    if (agent != null && agent.startsWith(KUBELET_AGENT)) {
      actor = Actor.KUBELET;
    } else if (agent != null && agent.startsWith(DRIVER_AGENT)) {
      actor = Actor.DRIVER;
    } else {
      actor = counting ? Actor.OPERATOR : Actor.SETUP;
    }
    String full = r.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    boolean watch = q >= 0 && full.substring(q).contains("watch=true");
    Kind kind = classify(actor, r.getMethod(), path, watch);
    counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    if (actor == Actor.OPERATOR
        && kind.write()
        && "workflows".equals(kind.resource())
        && "status".equals(kind.subresource())) {
      String[] parts = path.split("/");
      statusWritesPerWorkflow
          .computeIfAbsent(parts[parts.length - 2], k -> new LongAdder())
          .increment();
    }
  }

  /**
   * /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]] and
   * /apis/{group}/{version}/namespaces/{ns}/{resource}[/{name}[/{sub}]], or the cluster-scoped
   * forms.
   */
  static Kind classify(Actor actor, String method, String path, boolean watch) {
    String[] p = path.replaceAll("^/+", "").split("/");
    int i;
    if (p.length >= 2 && p[0].equals("api")) {
      i = 2;
    } else if (p.length >= 3 && p[0].equals("apis")) {
      i = 3;
    } else {
      return new Kind(actor, method, path, false, null, watch);
    }
    if (p.length > i + 1 && p[i].equals("namespaces") && p.length > i + 2) {
      i += 2; // namespaced
    }
    String resource = p.length > i ? p[i] : "(root)";
    boolean named = p.length > i + 1;
    String sub = p.length > i + 2 ? p[i + 2] : null;
    return new Kind(actor, method, resource, named, sub, watch);
  }

  long total(Actor actor, boolean writes) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().actor() == actor && e.getKey().write() == writes)
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  long count(Actor actor, String method, String resource, boolean named, String sub) {
    return counts.entrySet().stream()
        .filter(
            e ->
                e.getKey().actor() == actor
                    && e.getKey().method().equals(method)
                    && e.getKey().resource().equals(resource)
                    && e.getKey().named() == named
                    && java.util.Objects.equals(e.getKey().subresource(), sub))
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  /** Every kind of request of an actor with its count, sorted by kind. */
  Map<String, Long> byKind(Actor actor) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach(
        (k, v) -> {
          if (k.actor() == actor) {
            out.merge(k.toString(), v.sum(), Long::sum);
          }
        });
    return out;
  }

  /** How many workflows had n status writes by the operator, for each n. */
  Map<Long, Long> statusWriteSpread() {
    Map<Long, Long> out = new TreeMap<>();
    statusWritesPerWorkflow.values().forEach(v -> out.merge(v.sum(), 1L, Long::sum));
    return out;
  }

  @Override
  public void close() {
    closed = true;
    drainer.interrupt();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
