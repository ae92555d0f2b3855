package dev.shepherd.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Events on Workflows (and CronWorkflows), each at most once. An Event's name is a hash of
 * the workflow's uid, the reason and the message, so the same Event after an operator restart is
 * refused by the API server as already there instead of repeated; a bounded memory of recent names
 * saves that request. An Event that can't be written is logged, never a reason to fail the
 * reconcile.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int REMEMBERED = 10_000;

  private final KubernetesClient client;
  private final Clock clock;
  private final Set<String> recent =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Records an Event on a Workflow, a CronWorkflow or any other object of the operator's. */
  public void record(HasMetadata workflow, EventReason reason, String message) {
    String namespace = workflow.getMetadata().getNamespace();
    String name =
        workflow.getMetadata().getName()
            + "."
            + ShortHash.of(workflow.getMetadata().getUid() + "/" + reason + "/" + message, 8);
    synchronized (recent) {
      if (!recent.add(namespace + "/" + name)) {
        return;
      }
    }
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(HasMetadata.getApiVersion(workflow.getClass()))
            .withKind(HasMetadata.getKind(workflow.getClass()))
            .withName(workflow.getMetadata().getName())
            .withNamespace(namespace)
            .withUid(workflow.getMetadata().getUid())
            .endInvolvedObject()
            .withType(reason.warning ? "Warning" : "Normal")
            .withReason(reason.name())
            .withMessage(message)
            .withNewSource()
            .withComponent("shepherd-operator")
            .endSource()
            .withReportingComponent("shepherd.dev/operator")
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.warn(
            "Could not record event {} on {} {}/{}: {}",
            reason,
            HasMetadata.getKind(workflow.getClass()),
            namespace,
            workflow.getMetadata().getName(),
            e.getMessage());
      }
    }
  }
}
