package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.ConcurrencyQueue;
import dev.shepherd.engine.Engine;
import dev.shepherd.engine.expr.ExpressionException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * spec.concurrency: a Workflow that has not started waits (phase Pending, reason Queued) while its
 * key has as many Workflows running as it allows, and the waiting ones start in creation order. The
 * key's Workflows come from the controller's cache; {@link ConcurrencyQueue} decides.
 */
final class ConcurrencyGate {
  /** How soon a waiting Workflow looks again: no event tells it that another one ended. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final Engine engine;

  /**
   * Workflows admitted by this operator that the cache may not show as started yet (their pass is
   * still writing): they count as running, so that two passes at once can't both take the last
   * place. Each leaves once the cache shows it started or ended.
   */
  private final Set<String> admitted = new HashSet<>();

  ConcurrencyGate(Engine engine) {
    this.engine = engine;
  }

  /** Empty when {@code workflow} may go on to its executor; else what to return from the pass. */
  synchronized Optional<UpdateControl<Workflow>> hold(
      Workflow workflow, Context<Workflow> context) {
    WorkflowStatus status = workflow.getStatus();
    if (workflow.getSpec().concurrency == null || started(status)) {
      return Optional.empty();
    }
    String key;
    try {
      key = ConcurrencyQueue.key(workflow.getSpec());
    } catch (ExpressionException e) {
      return Optional.empty(); // validation names the field
    }
    String namespace = workflow.getMetadata().getNamespace();
    if (admitted.contains(namespace + "/" + workflow.getMetadata().getName())) {
      return Optional.empty(); // admitted by an earlier pass whose start the cache has not shown
    }
    List<ConcurrencyQueue.Member> members = new ArrayList<>();
    context
        .getPrimaryCache()
        .list(namespace)
        .forEach(
            other -> {
              if (Objects.equals(key, keyOf(other))) {
                members.add(member(other, namespace));
              }
            });
    if (members.stream().noneMatch(m -> m.name().equals(workflow.getMetadata().getName()))) {
      members.add(member(workflow, namespace));
    }
    ConcurrencyQueue.Decision d =
        ConcurrencyQueue.decide(
            workflow.getMetadata().getName(),
            workflow.getSpec().concurrency.maxOrDefault(),
            members);
    if (d.admitted()) {
      admitted.add(namespace + "/" + workflow.getMetadata().getName());
      return Optional.empty();
    }
    WorkflowStatus queued =
        status == null
            ? new WorkflowStatus()
            : context.getClient().getKubernetesSerialization().clone(status);
    engine.queue(
        queued,
        "Queued for concurrency key "
            + key
            + ": "
            + d.running()
            + " of "
            + workflow.getSpec().concurrency.maxOrDefault()
            + " running; place "
            + d.place()
            + " in the queue.",
        workflow.generationOrZero());
    if (!queued.equals(status)) {
      StatusWriter.replace(workflow, context, queued);
    }
    return Optional.of(UpdateControl.<Workflow>noUpdate().rescheduleAfter(RECHECK));
  }

  private static String keyOf(Workflow w) {
    try {
      return ConcurrencyQueue.key(w.getSpec());
    } catch (ExpressionException e) {
      return null;
    }
  }

  /** Started: its executor has begun (a start time, or a status the supervisor's Pod began). */
  private static boolean started(WorkflowStatus status) {
    return status != null
        && (status.startedAt != null || status.observedGeneration != null)
        && !Engine.queued(status);
  }

  private ConcurrencyQueue.Member member(Workflow w, String namespace) {
    WorkflowStatus s = w.getStatus();
    boolean done = s != null && s.phase != null && s.phase.isFinal();
    String id = namespace + "/" + w.getMetadata().getName();
    if (done || started(s)) {
      admitted.remove(id);
    }
    boolean started = !done && (started(s) || admitted.contains(id));
    String created = w.getMetadata().getCreationTimestamp();
    return new ConcurrencyQueue.Member(
        w.getMetadata().getName(),
        created == null ? Instant.MAX : Instant.parse(created),
        started,
        !done && !started);
  }
}
