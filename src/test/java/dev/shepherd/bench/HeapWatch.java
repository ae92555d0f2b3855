package dev.shepherd.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap of this JVM: used heap after a full GC on demand, and, between {@link #resetPeaks} and
 * now, the highest heap used before a collection (the peak including garbage, which depends on the
 * heap size the collector chose) and after one (closer to the peak of live data).
 */
final class HeapWatch {
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());
  private final AtomicLong peakBefore = new AtomicLong();
  private final AtomicLong peakAfter = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();

  HeapWatch() {
    NotificationListener listener =
        (n, handback) -> {
          if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              n.getType())) {
            return;
          }
          var info =
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
          peakBefore.accumulateAndGet(heapUsed(info.getMemoryUsageBeforeGc()), Math::max);
          peakAfter.accumulateAndGet(heapUsed(info.getMemoryUsageAfterGc()), Math::max);
          collections.incrementAndGet();
        };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
    }
  }

  private long heapUsed(Map<String, MemoryUsage> pools) {
    return pools.entrySet().stream()
        .filter(e -> heapPools.contains(e.getKey()))
        .mapToLong(e -> e.getValue().getUsed())
        .sum();
  }

  /** Used heap after full collections, once it stops shrinking. */
  static long usedAfterFullGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used - 64 * 1024) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }

  void resetPeaks() {
    peakBefore.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    peakAfter.set(0);
    collections.set(0);
  }

  /** Also samples the heap now, so a peak between collections is seen when the caller polls. */
  void sample() {
    peakBefore.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
  }

  long peakUsed() {
    return peakBefore.get();
  }

  long peakAfterGc() {
    return peakAfter.get();
  }

  long collections() {
    return collections.get();
  }

  static long maxHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }
}
