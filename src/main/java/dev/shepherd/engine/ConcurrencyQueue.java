package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.engine.expr.ExpressionException;
import dev.shepherd.engine.expr.Templates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Workflows of one concurrency key may start: at most {@code max} run at once, and the
 * waiting ones start in creation order (their names break a tie), as Dagu's queues and Argo's
 * semaphores do. Pure: the operator gives it the key's Workflows from its cache.
 */
public final class ConcurrencyQueue {
  private ConcurrencyQueue() {}

  /**
   * One Workflow of the key.
   *
   * @param started whether it has started (its status has a start time) and not ended
   * @param waiting whether it has not started and not ended
   */
  public record Member(String name, Instant created, boolean started, boolean waiting) {}

  /**
   * @param place 0 when {@code name} may start now, else its place among those waiting (from 1)
   * @param running how many of the key run now
   */
  public record Decision(int place, int running) {
    public boolean admitted() {
      return place == 0;
    }
  }

  /**
   * The concurrency key of {@code spec}, its {@code ${{ }}} replaced (they may read params only);
   * null when it has none.
   *
   * @throws ExpressionException if an expression in it can't be evaluated
   */
  public static String key(WorkflowSpec spec) {
    if (spec == null || spec.concurrency == null || spec.concurrency.key == null) {
      return null;
    }
    String key = spec.concurrency.key;
    if (!Templates.has(key)) {
      return key;
    }
    Map<String, Object> params = new LinkedHashMap<>();
    if (spec.params != null) {
      for (Param p : spec.params) {
        params.put(p.name, p.value == null ? "" : p.value);
      }
    }
    return Templates.render(key, Map.of("params", params));
  }

  /** Whether {@code name}, which has not started, may start now among {@code members}. */
  public static Decision decide(String name, int max, List<Member> members) {
    int running = 0;
    List<Member> waiting = new ArrayList<>();
    for (Member m : members) {
      if (m.started()) {
        running++;
      } else if (m.waiting()) {
        waiting.add(m);
      }
    }
    waiting.sort(Comparator.comparing(Member::created).thenComparing(Member::name));
    int free = Math.max(0, max - running);
    for (int i = 0; i < waiting.size(); i++) {
      if (waiting.get(i).name().equals(name)) {
        return new Decision(i < free ? 0 : i - free + 1, running);
      }
    }
    return new Decision(running < max ? 0 : 1, running);
  }
}
