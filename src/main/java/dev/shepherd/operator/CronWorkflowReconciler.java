package dev.shepherd.operator;

import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.CronWorkflowSpec;
import dev.shepherd.api.CronWorkflowStatus;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowStatus;
import dev.shepherd.engine.CronDecision;
import dev.shepherd.engine.CronSchedule;
import dev.shepherd.engine.Timestamps;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The CronWorkflow controller: it creates the Workflows a schedule names, as the CronJob controller
 * creates Jobs. What to do is {@link CronDecision}'s (pure, on this controller's clock); this class
 * reads the CronWorkflow's Workflows, carries the decision out, writes the status and asks JOSDK to
 * come back at the next scheduled time.
 *
 * <p>A scheduled Workflow is named after its scheduled time, so a pass that runs again after a
 * failure (or on a second operator) finds it already there (409) instead of creating a second run.
 *
 * <p>Not generation-aware: every change of a CronWorkflow, its metadata included, is a pass, so an
 * annotation asks for one at once; a pass that changes nothing writes nothing.
 */
@ControllerConfiguration(name = "cronworkflow", generationAwareEventProcessing = false)
public class CronWorkflowReconciler implements Reconciler<CronWorkflow> {
  static final String READY = "Ready";

  private final Clock clock;
  private final EventRecorder events;

  public CronWorkflowReconciler(Clock clock, EventRecorder events) {
    this.clock = clock;
    this.events = events;
  }

  @Override
  public List<EventSource<?, CronWorkflow>> prepareEventSources(
      EventSourceContext<CronWorkflow> context) {
    // A scheduled Workflow maps back to its CronWorkflow through the controller ownerReference; its
    // end changes the active list and may let a Forbid run start.
    var workflows =
        InformerEventSourceConfiguration.from(Workflow.class, CronWorkflow.class)
            .withLabelSelector(CronWorkflow.LABEL)
            .build();
    return List.of(new InformerEventSource<>(workflows, context));
  }

  @Override
  public UpdateControl<CronWorkflow> reconcile(CronWorkflow cron, Context<CronWorkflow> context) {
    Instant now = clock.instant();
    CronWorkflowSpec spec = cron.getSpec();
    CronWorkflowStatus before =
        cron.getStatus() == null ? new CronWorkflowStatus() : cron.getStatus();
    CronWorkflowStatus status = copy(before);
    status.observedGeneration = cron.generationOrZero();
    CronSchedule schedule;
    try {
      if (spec == null) {
        throw new CronSchedule.Invalid("spec", "is missing");
      }
      schedule = CronSchedule.parse(spec.schedule, spec.timeZone);
    } catch (CronSchedule.Invalid e) {
      // Nothing runs until the spec changes; the spec change is the next pass.
      events.record(cron, EventReason.InvalidSpec, e.getMessage());
      conditions(status, false, "InvalidSpec", e.getMessage(), now);
      write(cron, context, before, status);
      return UpdateControl.noUpdate();
    }
    KubernetesClient client = context.getClient();
    String namespace = cron.getMetadata().getNamespace();
    List<CronDecision.Run> runs = runs(cron, context, before);
    CronDecision decision =
        CronDecision.decide(
            spec,
            schedule,
            instant(cron.getMetadata().getCreationTimestamp()),
            instant(before.lastScheduleTime),
            instant(before.lastSuccessfulTime),
            runs,
            now);
    for (String name : decision.delete()) {
      delete(client, namespace, name);
      events.record(cron, EventReason.Replaced, "Deleted " + name + " (concurrencyPolicy Replace)");
    }
    for (CronDecision.Notice notice : decision.notices()) {
      events.record(cron, EventReason.valueOf(notice.reason()), notice.message());
    }
    List<String> active = new ArrayList<>(decision.active());
    if (decision.start() != null) {
      String name = workflowName(cron, decision.start());
      if (create(cron, client, decision.start())) {
        active.add(name);
        events.record(
            cron,
            EventReason.Scheduled,
            "Created " + name + " for " + Timestamps.format(decision.start()));
      } else {
        // Not retried: the time counts as scheduled, and the next one has a name of its own.
        events.record(
            cron,
            EventReason.NameTaken,
            "Workflow "
                + name
                + " exists and is not this CronWorkflow's; the run of "
                + Timestamps.format(decision.start())
                + " did not start");
      }
    }
    for (String name : decision.prune()) {
      delete(client, namespace, name);
    }
    status.active = active;
    status.lastScheduleTime = format(decision.lastScheduleTime());
    status.lastSuccessfulTime = format(decision.lastSuccessfulTime());
    conditions(status, true, "Scheduled", readyMessage(spec, decision), now);
    write(cron, context, before, status);
    if (decision.wakeAt() == null) {
      return UpdateControl.noUpdate();
    }
    Duration wait = Duration.between(now, decision.wakeAt());
    return UpdateControl.<CronWorkflow>noUpdate()
        .rescheduleAfter(wait.isNegative() ? Duration.ZERO : wait);
  }

  private static String readyMessage(CronWorkflowSpec spec, CronDecision decision) {
    if (spec.suspended()) {
      return "Suspended";
    }
    return decision.wakeAt() == null
        ? "The schedule names no later time"
        : "Next run at " + Timestamps.format(decision.wakeAt());
  }

  /**
   * The CronWorkflow's Workflows: those in the informer's cache, and those the status still lists
   * as active that the cache has not seen yet (just created), read from the API server; one that is
   * gone there was deleted, and leaves the active list.
   */
  private static List<CronDecision.Run> runs(
      CronWorkflow cron, Context<CronWorkflow> context, CronWorkflowStatus status) {
    Map<String, Workflow> found = new LinkedHashMap<>();
    for (Workflow w : context.getSecondaryResources(Workflow.class)) {
      found.put(w.getMetadata().getName(), w);
    }
    for (String name : status.active == null ? List.<String>of() : status.active) {
      if (!found.containsKey(name)) {
        Workflow w =
            context
                .getClient()
                .resources(Workflow.class)
                .inNamespace(cron.getMetadata().getNamespace())
                .withName(name)
                .get();
        if (w != null) {
          found.put(name, w);
        }
      }
    }
    List<CronDecision.Run> runs = new ArrayList<>();
    for (Workflow w : found.values()) {
      Instant scheduled = scheduledTime(w);
      if (scheduled == null || !ownedBy(w, cron)) {
        continue; // not a run of this CronWorkflow's schedule
      }
      WorkflowStatus s = w.getStatus();
      runs.add(
          new CronDecision.Run(
              w.getMetadata().getName(),
              scheduled,
              s == null ? null : s.phase,
              s == null ? null : instant(s.finishedAt)));
    }
    return runs;
  }

  private static boolean ownedBy(Workflow w, CronWorkflow cron) {
    return w.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Objects.equals(o.getUid(), cron.getMetadata().getUid()));
  }

  private static Instant scheduledTime(Workflow w) {
    Map<String, String> annotations = w.getMetadata().getAnnotations();
    return annotations == null ? null : instant(annotations.get(CronWorkflow.SCHEDULED_TIME));
  }

  /**
   * Creates the Workflow of one scheduled time; true when it was created now or had been by an
   * earlier pass (409, and this CronWorkflow owns it), false when the name is another's.
   */
  private static boolean create(CronWorkflow cron, KubernetesClient client, Instant scheduled) {
    String name = workflowName(cron, scheduled);
    Workflow w = new Workflow();
    ObjectMeta meta =
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(cron.getMetadata().getNamespace())
            .withLabels(Map.of(CronWorkflow.LABEL, cron.getMetadata().getName()))
            .withAnnotations(Map.of(CronWorkflow.SCHEDULED_TIME, Timestamps.format(scheduled)))
            .withOwnerReferences(StepPodBuilder.ownerReference(cron))
            .build();
    w.setMetadata(meta);
    w.setSpec(client.getKubernetesSerialization().clone(cron.getSpec().workflowSpec));
    try {
      client.resource(w).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    Workflow existing = client.resource(w).get();
    return existing != null && ownedBy(existing, cron);
  }

  /** {@code <cron>-<unix seconds of the scheduled time>}. */
  static String workflowName(CronWorkflow cron, Instant scheduled) {
    return cron.getMetadata().getName() + "-" + scheduled.getEpochSecond();
  }

  private static void delete(KubernetesClient client, String namespace, String name) {
    // Already gone is what a delete wants; the client answers a 404 with an empty list.
    client.resources(Workflow.class).inNamespace(namespace).withName(name).delete();
  }

  /** Ready, and Stalled for kstatus: an invalid schedule stalls until the spec changes. */
  private static void conditions(
      CronWorkflowStatus status, boolean ready, String reason, String message, Instant now) {
    set(status, READY, ready, reason, message, now);
    set(status, "Stalled", !ready, reason, message, now);
  }

  private static void set(
      CronWorkflowStatus status,
      String type,
      boolean value,
      String reason,
      String message,
      Instant now) {
    String text = value ? "True" : "False";
    Condition c =
        status.conditions.stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
    if (c == null) {
      c = new Condition();
      c.setType(type);
      status.conditions.add(c);
    }
    if (!text.equals(c.getStatus()) || c.getLastTransitionTime() == null) {
      c.setLastTransitionTime(
          Timestamps.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    }
    c.setStatus(text);
    c.setReason(reason);
    c.setMessage(message);
    c.setObservedGeneration(status.observedGeneration);
  }

  private static CronWorkflowStatus copy(CronWorkflowStatus s) {
    CronWorkflowStatus c = new CronWorkflowStatus();
    c.lastScheduleTime = s.lastScheduleTime;
    c.lastSuccessfulTime = s.lastSuccessfulTime;
    c.observedGeneration = s.observedGeneration;
    c.active = s.active == null ? new ArrayList<>() : new ArrayList<>(s.active);
    c.conditions = new ArrayList<>();
    for (Condition x : s.conditions == null ? List.<Condition>of() : s.conditions) {
      c.conditions.add(
          new Condition(
              x.getLastTransitionTime(),
              x.getMessage(),
              x.getObservedGeneration(),
              x.getReason(),
              x.getStatus(),
              x.getType()));
    }
    return c;
  }

  /**
   * A JSON merge patch of the whole status, only when it changed; the CronWorkflow the API server
   * returns goes to the cache, so that the next pass starts from it.
   */
  private static void write(
      CronWorkflow cron,
      Context<CronWorkflow> context,
      CronWorkflowStatus before,
      CronWorkflowStatus status) {
    var json = context.getClient().getKubernetesSerialization();
    if (json.asJson(status).equals(json.asJson(before))) {
      return;
    }
    StatusWriter.send(cron, context, json.asJson(Map.of("status", status)));
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Timestamps.parse(text);
    } catch (DateTimeParseException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String format(Instant t) {
    return t == null ? null : Timestamps.format(t);
  }
}
