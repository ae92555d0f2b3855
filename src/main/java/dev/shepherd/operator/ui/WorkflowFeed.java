package dev.shepherd.operator.ui;

import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The Workflows the UI shows, from an informer's cache, and their changes as they come. The UI has
 * an informer of its own rather than the reconciler's: JOSDK exposes its controller's cache for
 * reading but gives no way to add a handler to it, and its event hooks see only the events it
 * reconciles on, which leave out status-only updates, the very ones the UI draws.
 */
public final class WorkflowFeed implements AutoCloseable {
  /** A Workflow as it now is, or as it was last seen before it was deleted. */
  public record Change(Workflow workflow, boolean deleted) {}

  private final SharedIndexInformer<Workflow> informer;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

  /** Starts the informer (on every namespace) and returns once its cache has the first list. */
  public WorkflowFeed(KubernetesClient client) {
    informer =
        client
            .resources(Workflow.class)
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Workflow w) {
                    tell(new Change(w, false));
                  }

                  @Override
                  public void onUpdate(Workflow before, Workflow w) {
                    tell(new Change(w, false));
                  }

                  @Override
                  public void onDelete(Workflow w, boolean finalStateUnknown) {
                    tell(new Change(w, true));
                  }
                },
                0);
  }

  private void tell(Change change) {
    listeners.forEach(l -> l.accept(change));
  }

  /** The Workflows of {@code namespace} (all when null or blank), by namespace then name. */
  public List<Workflow> list(String namespace) {
    return informer.getStore().list().stream()
        .filter(
            w ->
                namespace == null
                    || namespace.isBlank()
                    || namespace.equals(w.getMetadata().getNamespace()))
        .sorted(
            Comparator.comparing((Workflow w) -> w.getMetadata().getNamespace())
                .thenComparing(w -> w.getMetadata().getName()))
        .toList();
  }

  public Optional<Workflow> get(String namespace, String name) {
    return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  /** Calls {@code listener} on every change from now on, until the returned handle is run. */
  public Runnable subscribe(Consumer<Change> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    informer.close();
  }
}
