package dev.shepherd.operator;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shepherd.api.Executor;
import dev.shepherd.api.PodTemplate;
import dev.shepherd.api.StepPhase;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.Workspace;
import dev.shepherd.api.WorkspaceClaimTemplate;
import dev.shepherd.engine.Conditions;
import dev.shepherd.engine.Engine;
import dev.shepherd.testing.TestingClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single passes of both executors against a {@link TestingContext}: the workspace's claim is made
 * once, before the first Pod, owned by the Workflow; and an object the API server refuses as
 * invalid (the mock server validates nothing, so the test has it refuse) fails the workflow with
 * reason InvalidSpec, naming the field, instead of failing every pass again.
 */
class WorkspaceClaimPassTest {
  static final String NS = TestingCluster.NAMESPACE;
  static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  static final String CLAIMS = "/api/v1/namespaces/" + NS + "/persistentvolumeclaims";

  private final TestingCluster cluster = new TestingCluster();
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final EventRecorder events = new EventRecorder(cluster.client, clock);
  private final OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
  private final PodExecutor pods = new PodExecutor(clock, new Engine(clock), events, metrics);
  private final SupervisorExecutor supervisor =
      new SupervisorExecutor(
          clock, new Engine(clock), events, metrics, SupervisorPodBuilder.DEFAULT_IMAGE);
  private final TestingContext context = new TestingContext(cluster.client);
  private final TestingKubelet kubelet = new TestingKubelet(cluster.client, NS);

  @AfterEach
  void close() {
    cluster.close();
  }

  /** Steps a, then b, sharing a workspace claimed from a template. */
  private static Workflow claiming(String name, Executor executor) {
    Workflow w = workflow(name, step("a"), step("b", "a"));
    w.getSpec().executor = executor;
    w.getSpec().workspace = claimed();
    return w;
  }

  /** A workspace on a claim of 16 MiB, made from a template. */
  static Workspace claimed() {
    Workspace workspace = new Workspace();
    workspace.volumeClaimTemplate = new WorkspaceClaimTemplate();
    workspace.volumeClaimTemplate.spec =
        new PersistentVolumeClaimSpecBuilder()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .withRequests(Map.of("storage", new Quantity("16Mi")))
            .endResources()
            .build();
    return workspace;
  }

  /** The workflow, after checking that it failed with reason InvalidSpec. */
  private Workflow failedAsInvalid(String name) {
    Workflow done = cluster.get(name);
    assertThat(done.getStatus().phase).isEqualTo(WorkflowPhase.Failed);
    assertThat(Conditions.find(done.getStatus(), Conditions.FAILED).getReason())
        .isEqualTo("InvalidSpec");
    return done;
  }

  private long posts(String path) {
    return cluster.requests().stream().filter(r -> r.equals("POST " + path)).count();
  }

  private Event invalidSpecEvent(String workflow) {
    List<Event> found =
        cluster.events().stream()
            .filter(e -> e.getReason().equals("InvalidSpec"))
            .filter(e -> e.getInvolvedObject().getName().equals(workflow))
            .toList();
    assertThat(found).hasSize(1);
    return found.getFirst();
  }

  @Test
  void podModeClaimsTheWorkspaceOnceBeforeTheFirstPodOwnedByTheWorkflow() {
    Workflow w = cluster.create(claiming("shared", Executor.POD));
    pods.reconcile(w, context.pass(w));

    PersistentVolumeClaim claim =
        cluster.client.persistentVolumeClaims().inNamespace(NS).withName("shared-workspace").get();
    assertThat(claim).isNotNull();
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(w.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(claim.getMetadata().getLabels())
        .containsEntry(StepPodBuilder.WORKFLOW_LABEL, "shared");
    assertThat(claim.getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("16Mi"));
    List<String> requests = cluster.requests();
    assertThat(requests.indexOf("POST " + CLAIMS))
        .as("the claim before the first Pod")
        .isNotNegative()
        .isLessThan(requests.indexOf("POST " + PODS));
    assertThat(cluster.pod("shared-a-1").getSpec().getVolumes())
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("shared-workspace"));

    kubelet.succeed("shared-a-1");
    context.pods.see(cluster.pod("shared-a-1"));
    Workflow cached = context.written.getLast();
    pods.reconcile(cached, context.pass(cached));

    assertThat(cluster.pod("shared-b-1")).as("the second step's Pod").isNotNull();
    assertThat(posts(CLAIMS)).as("one claim per workflow").isEqualTo(1);
  }

  @Test
  void supervisorModeClaimsTheWorkspaceBeforeItsPod() {
    Workflow w = claiming("one", Executor.SUPERVISOR);
    w.getSpec().image = "debian:13-slim";
    w = cluster.create(w);
    supervisor.reconcile(w, context.pass(w));

    List<String> requests = cluster.requests();
    assertThat(requests.indexOf("POST " + CLAIMS))
        .isNotNegative()
        .isLessThan(requests.indexOf("POST " + PODS));
    assertThat(cluster.pod("one-supervisor").getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals(Workspace.VOLUME))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("one-workspace"));
  }

  @Test
  void aClaimOfThatNameThatTheWorkflowDoesNotOwnIsAnInvalidSpec() {
    cluster
        .client
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("taken-workspace")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .endSpec()
                .build())
        .create();
    Workflow w = cluster.create(claiming("taken", Executor.POD));

    pods.reconcile(w, context.pass(w));

    Workflow done = failedAsInvalid("taken");
    assertThat(done.getStatus().message)
        .contains("PersistentVolumeClaim taken-workspace already exists and is not owned");
    assertThat(cluster.pods("taken")).isEmpty();
  }

  @Test
  void aPodTheApiServerRefusesAsInvalidFailsTheWorkflowWithInvalidSpecAndStopsWhatRuns() {
    // a and b start together; c, after b, gets the Pod the API server refuses.
    Workflow spec = workflow("refused", step("a"), step("b"), step("c", "b"));
    PodTemplate template = new PodTemplate();
    template.affinity = WorkflowPodTemplateTest.zoneAffinity("Near");
    spec.getSpec().podTemplate = template;
    Workflow w = cluster.create(spec);
    pods.reconcile(w, context.pass(w));
    kubelet.succeed("refused-b-1");
    context.pods.see(cluster.pod("refused-b-1"));
    String field =
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            + ".nodeSelectorTerms[0].matchExpressions[0].operator";
    cluster.refuseNextAsInvalid(
        "POST", PODS, field, "Unsupported value: \"Near\": supported values: \"In\", \"NotIn\"");

    Workflow cached = context.written.getLast();
    pods.reconcile(cached, context.pass(cached));

    Workflow done = failedAsInvalid("refused");
    assertThat(done.getStatus().message)
        .startsWith("Invalid spec: The API server refused Pod refused-c-1 as invalid: " + field)
        .contains("Unsupported value: \"Near\"")
        .contains("(spec.podTemplate." + field.substring("spec.".length()) + ")");
    assertThat(done.getStatus().step("a").phase).as("stopped").isEqualTo(StepPhase.Failed);
    assertThat(done.getStatus().step("a").reason).isEqualTo("InvalidSpec");
    assertThat(done.getStatus().step("c").phase).isEqualTo(StepPhase.Failed);
    assertThat(cluster.pod("refused-a-1")).as("the running step's Pod is deleted").isNull();
    assertThat(cluster.pod("refused-b-1")).as("a finished Pod stays").isNotNull();
    assertThat(invalidSpecEvent("refused").getMessage()).isEqualTo(done.getStatus().message);
    assertThat(cluster.events())
        .as("one Event for the end, InvalidSpec")
        .noneMatch(e -> e.getReason().equals("Failed"));

    long before = posts(PODS);
    Workflow after = context.written.getLast();
    pods.reconcile(after, context.pass(after));
    assertThat(posts(PODS)).as("no retry of the refused Pod").isEqualTo(before);
  }

  @Test
  void aSupervisorPodTheApiServerRefusesAsInvalidFailsTheWorkflowWithInvalidSpec() {
    Workflow spec = SupervisorExecutorTest.supervised("sv-refused");
    spec.getSpec().podTemplate = new PodTemplate();
    spec.getSpec().podTemplate.priorityClassName = "Not A Name";
    Workflow w = cluster.create(spec);
    cluster.refuseNextAsInvalid(
        "POST",
        PODS,
        "spec.priorityClassName",
        "Invalid value: \"Not A Name\": a lowercase RFC 1123 subdomain");

    supervisor.reconcile(w, context.pass(w));

    Workflow done = failedAsInvalid("sv-refused");
    assertThat(done.getStatus().message)
        .contains("Pod sv-refused-supervisor as invalid: spec.priorityClassName: Invalid value")
        .contains("(spec.podTemplate.priorityClassName)");
    assertThat(invalidSpecEvent("sv-refused").getType()).isEqualTo("Warning");
    assertThat(cluster.pods("sv-refused")).isEmpty();
  }

  /**
   * An admission plugin's 403 (here: no PriorityClass of that name, as kube-real answered) fails
   * the workflow too, in both executors, where JOSDK retried it until it gave up, leaving the
   * Workflow without a phase.
   */
  @Test
  void aPodAnAdmissionPluginRefusesFailsTheWorkflowWithInvalidSpecInBothExecutors() {
    for (Executor executor : Executor.values()) {
      String name = "no-prio-" + executor.name().toLowerCase();
      Workflow spec =
          executor == Executor.SUPERVISOR
              ? SupervisorExecutorTest.supervised(name)
              : claiming(name, Executor.POD);
      spec.getSpec().workspace = null;
      spec.getSpec().podTemplate = new PodTemplate();
      spec.getSpec().podTemplate.priorityClassName = "no-such-class";
      Workflow w = cluster.create(spec);
      cluster.refuseNextAsForbidden(
          "POST", PODS, "no PriorityClass with name no-such-class was found");

      if (executor == Executor.SUPERVISOR) {
        supervisor.reconcile(w, context.pass(w));
      } else {
        pods.reconcile(w, context.pass(w));
      }

      Workflow done = failedAsInvalid(name);
      assertThat(done.getStatus().message)
          .contains("The API server refused Pod ")
          .contains("is forbidden: no PriorityClass with name no-such-class was found");
      assertThat(invalidSpecEvent(name).getType()).isEqualTo("Warning");
    }
  }

  /** A 403 of the operator's own rights is no problem of the spec: it is retried. */
  @Test
  void anRbacRefusalIsNotTheSpecs() {
    Workflow w = cluster.create(claiming("rbac", Executor.POD));
    w.getSpec().workspace = null;
    cluster.refuseNextAsForbidden(
        "POST",
        PODS,
        "User \"system:serviceaccount:shepherd-system:shepherd-operator\" cannot create resource"
            + " \"pods\" in API group \"\" in the namespace \"test\"");

    assertThatThrownBy(() -> pods.reconcile(w, context.pass(w)))
        .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
  }

  @Test
  void aClaimTheApiServerRefusesAsInvalidNamesTheTemplatesField() {
    Workflow w = cluster.create(claiming("bad-claim", Executor.POD));
    cluster.refuseNextAsInvalid(
        "POST", CLAIMS, "spec.accessModes", "Unsupported value: \"ReadWriteSometimes\"");

    pods.reconcile(w, context.pass(w));

    Workflow done = failedAsInvalid("bad-claim");
    assertThat(done.getStatus().message)
        .contains(
            "PersistentVolumeClaim bad-claim-workspace as invalid: spec.accessModes: Unsupported"
                + " value")
        .contains("(spec.workspace.volumeClaimTemplate.spec.accessModes)");
    assertThat(done.getStatus().step("a").phase).isEqualTo(StepPhase.Failed);
    assertThat(cluster.pods("bad-claim")).as("no Pod without its claim").isEmpty();
  }
}
