package dev.shepherd.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shepherd.api.ConcurrencyPolicy;
import dev.shepherd.api.CronWorkflow;
import dev.shepherd.api.CronWorkflowSpec;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.deploy.ArgoCdHealth;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CronWorkflow controller in the real Operator, on the mock API server, with the test's clock:
 * scheduled Workflows are created once, under each concurrency policy, after downtime, while
 * suspended, within the history limits and in a time zone; a schedule that can't be read is a
 * condition and an Event. The Workflows it creates run under the Workflow controller, and end when
 * the test's kubelet ends their Pod.
 *
 * <p>The mock API server stamps creationTimestamp with the machine's time, where missed times
 * start; so each test first moves the clock there.
 */
class CronWorkflowTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private final OperatorHarness h = new OperatorHarness();

  @AfterEach
  void close() {
    h.close();
  }

  private static CronWorkflow cron(String name, String schedule, Consumer<CronWorkflowSpec> edit) {
    CronWorkflow c = new CronWorkflow();
    c.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(TestingCluster.NAMESPACE).build());
    CronWorkflowSpec spec = new CronWorkflowSpec();
    spec.schedule = schedule;
    WorkflowSpec run = new WorkflowSpec();
    run.image = "busybox:1.36";
    run.steps = new java.util.ArrayList<>(List.of(OperatorHarness.step("a")));
    spec.workflowSpec = run;
    edit.accept(spec);
    c.setSpec(spec);
    return c;
  }

  /** Creates it and moves the clock to its creation; returns the first whole hour after that. */
  private Instant create(CronWorkflow c) {
    CronWorkflow created = h.cluster.client.resource(c).create();
    Instant at = Instant.parse(created.getMetadata().getCreationTimestamp());
    h.clock.advanceTo(at);
    return at.truncatedTo(ChronoUnit.HOURS).plus(HOUR);
  }

  /** Moves the clock to {@code t} and waits for a pass of the CronWorkflow at that time. */
  private void at(String name, Instant t) {
    h.clock.advanceTo(t);
    poke(name);
    h.passes.awaitAt(TestingPasses.cronPass(name), t);
  }

  /** An annotation: any change of a CronWorkflow is a pass. */
  private void poke(String name) {
    String mark = h.clock.instant() + "/" + System.nanoTime();
    patch(name, "{\"metadata\":{\"annotations\":{\"test.shepherd.dev/poke\":\"" + mark + "\"}}}");
  }

  /** A merge patch, as kubectl patch --type merge sends it: no resourceVersion to conflict on. */
  private void patch(String name, String json) {
    crons()
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            json);
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          CronWorkflow,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<CronWorkflow>,
          io.fabric8.kubernetes.client.dsl.Resource<CronWorkflow>>
      crons() {
    return h.cluster.client.resources(CronWorkflow.class).inNamespace(TestingCluster.NAMESPACE);
  }

  private CronWorkflow get(String name) {
    return crons().withName(name).get();
  }

  private CronWorkflow awaitCron(String name, Predicate<CronWorkflow> condition) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get(name), c -> c != null && c.getStatus() != null && condition.test(c));
  }

  private List<String> runs(String cron) {
    return h
        .cluster
        .client
        .resources(Workflow.class)
        .inNamespace(TestingCluster.NAMESPACE)
        .withLabel(CronWorkflow.LABEL, cron)
        .list()
        .getItems()
        .stream()
        .map(w -> w.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static String run(String cron, Instant t) {
    return cron + "-" + t.getEpochSecond();
  }

  private List<Event> events(String cron, String reason) {
    return h.cluster.events().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(cron))
        .filter(e -> e.getReason().equals(reason))
        .toList();
  }

  /** Ends the run's one step, and so the run. */
  private void finish(String workflow, boolean succeed) {
    String pod = h.awaitPod(workflow + "-a-1").getMetadata().getName();
    if (succeed) {
      h.kubelet.succeed(pod);
    } else {
      h.kubelet.fail(pod, 1);
    }
    h.awaitWorkflow(workflow, w -> w.getStatus().phase != null && w.getStatus().phase.isFinal());
  }

  private long workflowCreates() {
    return h.cluster.requests().stream()
        .filter(r -> r.equals("POST /apis/shepherd.dev/v1alpha1/namespaces/test/workflows"))
        .count();
  }

  @Test
  void aScheduledTimeCreatesItsWorkflowOnce() {
    CronWorkflow c = cron("nightly", "@hourly", s -> {});
    Instant t = create(c);
    at("nightly", t.minusSeconds(1));
    assertThat(runs("nightly")).isEmpty();

    at("nightly", t);
    String name = run("nightly", t);
    assertThat(runs("nightly")).containsExactly(name);
    Workflow w = h.cluster.get(name);
    CronWorkflow cron = get("nightly");
    assertThat(w.getMetadata().getLabels()).containsEntry(CronWorkflow.LABEL, "nightly");
    assertThat(w.getMetadata().getAnnotations())
        .containsEntry(CronWorkflow.SCHEDULED_TIME, t.toString());
    OwnerReference owner = w.getMetadata().getOwnerReferences().getFirst();
    assertThat(owner.getKind()).isEqualTo("CronWorkflow");
    assertThat(owner.getUid()).isEqualTo(cron.getMetadata().getUid());
    assertThat(owner.getController()).isTrue();
    assertThat(w.getSpec().steps).extracting(s -> s.name).containsExactly("a");
    assertThat(cron.getStatus().lastScheduleTime).isEqualTo(t.toString());
    assertThat(cron.getStatus().active).containsExactly(name);
    assertThat(events("nightly", "Scheduled")).hasSize(1);
    // The Workflow controller runs it.
    h.awaitPod(name + "-a-1");

    // Another look at the same time, and one later in the hour: nothing more.
    at("nightly", t.plusSeconds(1));
    at("nightly", t.plus(Duration.ofMinutes(59)));
    assertThat(runs("nightly")).containsExactly(name);
    assertThat(workflowCreates()).isEqualTo(1);

    finish(name, true);
    CronWorkflow done = awaitCron("nightly", x -> x.getStatus().active.isEmpty());
    assertThat(done.getStatus().lastSuccessfulTime).isNotNull();
    Condition ready = done.getStatus().conditions.getFirst();
    assertThat(ready.getType()).isEqualTo("Ready");
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getMessage()).isEqualTo("Next run at " + t.plus(HOUR));
  }

  @Test
  void forbidSkipsWhileARunIsActiveAndStartsTheSkippedTimeWhenItEnds() {
    Instant t = create(cron("f", "@hourly", s -> s.concurrencyPolicy = ConcurrencyPolicy.Forbid));
    at("f", t);
    at("f", t.plus(HOUR));
    assertThat(runs("f")).containsExactly(run("f", t));
    assertThat(events("f", "AlreadyActive")).hasSize(1);

    finish(run("f", t), true);
    awaitCron("f", x -> x.getStatus().active.equals(List.of(run("f", t.plus(HOUR)))));
    assertThat(runs("f")).containsExactly(run("f", t), run("f", t.plus(HOUR)));
  }

  @Test
  void replaceDeletesTheActiveRunAndStartsTheNewOne() {
    Instant t = create(cron("r", "@hourly", s -> s.concurrencyPolicy = ConcurrencyPolicy.Replace));
    at("r", t);
    h.awaitPod(run("r", t) + "-a-1");
    at("r", t.plus(HOUR));
    assertThat(runs("r")).containsExactly(run("r", t.plus(HOUR)));
    assertThat(get("r").getStatus().active).containsExactly(run("r", t.plus(HOUR)));
    assertThat(events("r", "Replaced"))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains(run("r", t)));
  }

  @Test
  void allowRunsThemSideBySide() {
    Instant t = create(cron("al", "@hourly", s -> {}));
    at("al", t);
    at("al", t.plus(HOUR));
    assertThat(runs("al")).containsExactly(run("al", t), run("al", t.plus(HOUR)));
    assertThat(get("al").getStatus().active).containsExactly(run("al", t), run("al", t.plus(HOUR)));
  }

  @Test
  void afterDowntimeOnlyTheMostRecentMissedTimeStarts() {
    Instant t = create(cron("down", "@hourly", s -> {}));
    at("down", t);
    h.stopOperator();
    h.clock.advanceTo(t.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(15)));
    h.startOperator();
    h.passes.awaitAt(TestingPasses.cronPass("down"), h.clock.instant());
    assertThat(runs("down"))
        .containsExactly(run("down", t), run("down", t.plus(Duration.ofHours(5))));
  }

  @Test
  void afterDowntimeBeyondTheStartingDeadlineNothingStartsUntilTheNextTime() {
    Instant t = create(cron("late", "@hourly", s -> s.startingDeadlineSeconds = 600L));
    at("late", t);
    h.stopOperator();
    h.clock.advanceTo(t.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(15)));
    h.startOperator();
    h.passes.awaitAt(TestingPasses.cronPass("late"), h.clock.instant());
    assertThat(runs("late")).containsExactly(run("late", t));
    assertThat(events("late", "MissedSchedule"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));

    at("late", t.plus(Duration.ofHours(6)).plusSeconds(30));
    assertThat(runs("late"))
        .containsExactly(run("late", t), run("late", t.plus(Duration.ofHours(6))));
  }

  @Test
  void suspendedStartsNothingAndResumingStartsTheLatestMissedTime() {
    Instant t = create(cron("s", "@hourly", s -> s.suspend = true));
    at("s", t.plus(HOUR));
    assertThat(runs("s")).isEmpty();
    assertThat(get("s").getStatus().lastScheduleTime).isNull();

    patch("s", "{\"spec\":{\"suspend\":false}}");
    awaitCron("s", x -> x.getStatus().lastScheduleTime != null);
    assertThat(runs("s")).containsExactly(run("s", t.plus(HOUR)));
  }

  @Test
  void finishedRunsBeyondTheHistoryLimitsAreDeleted() {
    Instant t =
        create(
            cron(
                "hist",
                "@hourly",
                s -> {
                  s.successfulJobsHistoryLimit = 1;
                  s.failedJobsHistoryLimit = 1;
                }));
    Instant[] times = {t, t.plus(HOUR), t.plus(HOUR.multipliedBy(2)), t.plus(HOUR.multipliedBy(3))};
    boolean[] succeed = {true, true, false, false};
    for (int i = 0; i < times.length; i++) {
      at("hist", times[i]);
      finish(run("hist", times[i]), succeed[i]);
    }
    at("hist", times[3].plusSeconds(1));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> runs("hist"),
            r -> r.equals(List.of(run("hist", times[1]), run("hist", times[3]))));
    assertThat(h.cluster.get(run("hist", times[1])).getStatus().phase)
        .isEqualTo(WorkflowPhase.Succeeded);
  }

  /**
   * deploy/argocd/cronworkflow-health.lua on the statuses the controller writes: a last run that
   * failed is Degraded, one that succeeded Healthy, a suspended CronWorkflow Suspended.
   */
  @Test
  void theArgoCdHealthCheckReadsTheLastRunFromTheStatus() {
    Instant t = create(cron("health", "@hourly", s -> {}));
    at("health", t);
    finish(run("health", t), false);
    at("health", t.plusSeconds(1));
    CronWorkflow failed = awaitCron("health", x -> x.getStatus().active.isEmpty());
    assertThat(health(failed).status()).as(health(failed).message()).isEqualTo("Degraded");

    at("health", t.plus(HOUR));
    finish(run("health", t.plus(HOUR)), true);
    at("health", t.plus(HOUR).plusSeconds(1));
    CronWorkflow succeeded =
        awaitCron(
            "health",
            x -> x.getStatus().active.isEmpty() && x.getStatus().lastSuccessfulTime != null);
    assertThat(health(succeeded).status()).as(health(succeeded).message()).isEqualTo("Healthy");

    patch("health", "{\"spec\":{\"suspend\":true}}");
    CronWorkflow suspended =
        awaitCron(
            "health",
            x -> x.getMetadata().getGeneration().equals(x.getStatus().observedGeneration));
    assertThat(health(suspended).status()).isEqualTo("Suspended");
  }

  private static ArgoCdHealth.Health health(CronWorkflow c) {
    return ArgoCdHealth.of(ArgoCdHealth.CRON_WORKFLOW, c);
  }

  @Test
  void theScheduleIsReadInItsTimeZone() {
    // Every whole hour in Kolkata (UTC+5:30) is half past in UTC.
    Instant hour = create(cron("tz", "0 * * * *", s -> s.timeZone = "Asia/Kolkata"));
    Instant halfPast = hour.minus(Duration.ofMinutes(30));
    if (!halfPast.isAfter(h.clock.instant())) {
      halfPast = halfPast.plus(HOUR);
    }
    at("tz", halfPast);
    assertThat(runs("tz")).containsExactly(run("tz", halfPast));
    assertThat(get("tz").getStatus().conditions.getFirst().getMessage())
        .isEqualTo("Next run at " + halfPast.plus(HOUR));
  }

  @Test
  void anInvalidScheduleIsAConditionAndAWarningAndNothingRuns() {
    Instant t = create(cron("bad", "61 * * * *", s -> {}));
    at("bad", t);
    CronWorkflow c = awaitCron("bad", x -> !x.getStatus().conditions.isEmpty());
    Condition ready = c.getStatus().conditions.getFirst();
    assertThat(ready.getType()).isEqualTo("Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).startsWith("spec.schedule: \"61 * * * *\"");
    assertThat(c.getStatus().conditions.get(1).getType()).isEqualTo("Stalled");
    assertThat(c.getStatus().conditions.get(1).getStatus()).isEqualTo("True");
    assertThat(events("bad", "InvalidSpec"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("spec.schedule");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("CronWorkflow");
            });
    assertThat(runs("bad")).isEmpty();

    // A bad time zone is named too; fixing both lets it run.
    patch("bad", "{\"spec\":{\"schedule\":\"@hourly\",\"timeZone\":\"Nowhere/Atlantis\"}}");
    awaitCron(
        "bad", x -> x.getStatus().conditions.getFirst().getMessage().startsWith("spec.timeZone"));
    assertThat(runs("bad")).isEmpty();
    patch("bad", "{\"spec\":{\"timeZone\":null}}");
    // The clock is at t, which the schedule now names: the pass that found it valid starts it.
    awaitCron("bad", x -> "True".equals(x.getStatus().conditions.getFirst().getStatus()));
    assertThat(runs("bad")).containsExactly(run("bad", t));
  }

  @Test
  void theExampleIsValidAndWaitsForTwoInTheMorningInBerlin() throws Exception {
    CronWorkflow example;
    try (var in =
        java.nio.file.Files.newInputStream(java.nio.file.Path.of("examples/cron-nightly.yaml"))) {
      example = h.cluster.client.resources(CronWorkflow.class).load(in).item();
    }
    example.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    create(example);
    java.time.ZonedDateTime berlin = h.clock.instant().atZone(java.time.ZoneId.of("Europe/Berlin"));
    java.time.ZonedDateTime two = berlin.toLocalDate().atTime(2, 0).atZone(berlin.getZone());
    if (!two.isAfter(berlin)) {
      two = two.plusDays(1);
    }
    String next = "Next run at " + two.toInstant();
    CronWorkflow c = awaitCron("nightly", x -> !x.getStatus().conditions.isEmpty());
    assertThat(c.getStatus().conditions.getFirst().getMessage()).isEqualTo(next);
    assertThat(runs("nightly")).isEmpty();
  }

  /** A Workflow of the scheduled time's name that the informer does not show (no label). */
  private void precreate(String name, CronWorkflow owner) {
    Workflow w = OperatorHarness.workflow(name, OperatorHarness.step("a"));
    if (owner != null) {
      w.getMetadata().setOwnerReferences(List.of(StepPodBuilder.ownerReference(owner)));
    }
    h.cluster.create(w);
  }

  @Test
  void aRunCreatedByAnEarlierPassIsFoundByItsName() {
    Instant t = create(cron("again", "@hourly", s -> {}));
    // An earlier pass created it, and its status write was lost; the informer has not seen it.
    precreate(run("again", t), get("again"));
    at("again", t);
    // Adopted, not reported as a name another Workflow took; whether it is still active depends
    // on how far the Workflow controller has run it meanwhile.
    CronWorkflow c = awaitCron("again", x -> x.getStatus().lastScheduleTime != null);
    assertThat(events("again", "NameTaken")).isEmpty();
    assertThat(events("again", "Scheduled")).hasSize(1);
    assertThat(c.getStatus().active).isSubsetOf(List.of(run("again", t)));
  }

  @Test
  void aNameTakenByAnotherWorkflowIsReportedAndNotRetried() {
    Instant t = create(cron("taken", "@hourly", s -> {}));
    precreate(run("taken", t), null);
    at("taken", t);
    CronWorkflow c = get("taken");
    assertThat(c.getStatus().active).isEmpty();
    assertThat(c.getStatus().lastScheduleTime).isEqualTo(t.toString());
    assertThat(events("taken", "NameTaken"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    at("taken", t.plus(HOUR));
    c = get("taken");
    assertThat(c.getStatus().active).containsExactly(run("taken", t.plus(HOUR)));
  }
}
