package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import dev.shepherd.engine.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The supervisor's least privilege: a ServiceAccount per workflow, a Role that allows only {@code
 * get} and {@code patch} of that one workflow's status subresource (a GET of the status subresource
 * returns the whole object, so the supervisor reads its spec through it too), and the RoleBinding
 * between them. All three are named like the Pod and owned by the Workflow, so they go when it
 * goes. The operator may grant this Role because it holds get/patch on workflows/status itself
 * (RBAC forbids granting more than one holds).
 *
 * <p>They are the dependent resources of {@link WorkflowReconciler}'s managed workflow, in that
 * order (a RoleBinding never exists without its Role, nor a Role without the ServiceAccount), which
 * {@link SupervisorExecutor} reconciles once the spec is valid and before it creates the Pod.
 */
public final class SupervisorRbac {
  static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  static final String SERVICE_ACCOUNT = "supervisor-serviceaccount";
  static final String ROLE = "supervisor-role";
  static final String ROLE_BINDING = "supervisor-rolebinding";

  /** An object of ours that exists already, owned by something else: we must not use it. */
  public static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  private SupervisorRbac() {}

  public static ServiceAccount serviceAccount(Workflow workflow) {
    return new ServiceAccountBuilder().withMetadata(SupervisorRbac.metadata(workflow)).build();
  }

  public static Role role(Workflow workflow) {
    return new RoleBuilder()
        .withMetadata(metadata(workflow))
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups(Workflow.GROUP)
                .withResources("workflows/status")
                .withResourceNames(workflow.getMetadata().getName())
                .withVerbs("get", "patch")
                .build())
        .build();
  }

  public static RoleBinding roleBinding(Workflow workflow) {
    String name = SupervisorPodBuilder.name(workflow.getMetadata().getName());
    return new RoleBindingBuilder()
        .withMetadata(metadata(workflow))
        .withNewRoleRef()
        .withApiGroup(RBAC_GROUP)
        .withKind("Role")
        .withName(name)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(name)
        .withNamespace(workflow.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  /**
   * The problems of the spec that creating the three objects found: one of ours that exists
   * already, owned by something else. Any other failure is thrown, for JOSDK to retry the pass.
   */
  static List<Problem> problems(WorkflowReconcileResult result) {
    List<Problem> problems = new ArrayList<>();
    for (Exception e : result.getErroredDependents().values()) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof ForeignObjectException)) {
        cause = cause.getCause();
      }
      if (cause == null) {
        result.throwAggregateExceptionIfErrorsPresent();
      }
      problems.add(new Problem("metadata.name", null, cause.getMessage()));
    }
    return problems;
  }

  /**
   * One of the three as a JOSDK dependent resource: created from {@code desired()} when the
   * supervisor executor starts a workflow, never updated, and deleted by the garbage collector with
   * the Workflow. An object of that name that exists already is fine if the workflow owns it (a
   * repeated pass), and a {@link ForeignObjectException} if not: it could grant anything.
   */
  abstract static class OwnedDependent<R extends HasMetadata>
      extends KubernetesDependentResource<R, Workflow> implements Creator<R, Workflow> {
    private final Function<Workflow, R> desired;

    OwnedDependent(Class<R> type, Function<Workflow, R> desired) {
      super(type);
      this.desired = desired;
    }

    @Override
    protected R desired(Workflow workflow, Context<Workflow> context) {
      return desired.apply(workflow);
    }

    @Override
    public R create(R desired, Workflow workflow, Context<Workflow> context) {
      try {
        return super.create(desired, workflow, context);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        R existing = context.getClient().resource(desired).get();
        if (existing == null) {
          throw e;
        }
        if (!ownedBy(existing, workflow)) {
          throw new ForeignObjectException(
              desired.getKind()
                  + " "
                  + desired.getMetadata().getName()
                  + " already exists and is not owned by this workflow; delete it or rename the workflow.");
        }
        return existing;
      }
    }

    /**
     * Nothing beyond desired(), which holds the owner reference: the objects stay as shepherd has
     * always made them. JOSDK's previous-version annotation is not needed to know our own create
     * when its event comes back, since the event source keeps the created object until then.
     */
    @Override
    protected void addMetadata(
        boolean forMatch, R actual, R target, Workflow workflow, Context<Workflow> context) {}

    /**
     * Not through annotations (see addMetadata): the objects carry the Workflow's controller
     * reference.
     */
    @Override
    protected Optional<SecondaryToPrimaryMapper<R>> getSecondaryToPrimaryMapper(
        EventSourceContext<Workflow> context) {
      return Optional.of(Mappers.fromOwnerReferences(Workflow.class, false));
    }
  }

  /**
   * The informers hold the supervisors' objects only; plain creates, since server-side apply would
   * take over a foreign object.
   */
  private static final String SUPERVISOR_OBJECTS =
      SupervisorPodBuilder.EXECUTOR_LABEL + "=" + SupervisorPodBuilder.EXECUTOR;

  @KubernetesDependent(
      useSSA = BooleanWithUndefined.FALSE,
      informer = @Informer(labelSelector = SUPERVISOR_OBJECTS))
  public static final class ServiceAccountDependent extends OwnedDependent<ServiceAccount> {
    public ServiceAccountDependent() {
      super(ServiceAccount.class, SupervisorRbac::serviceAccount);
    }
  }

  @KubernetesDependent(
      useSSA = BooleanWithUndefined.FALSE,
      informer = @Informer(labelSelector = SUPERVISOR_OBJECTS))
  public static final class RoleDependent extends OwnedDependent<Role> {
    public RoleDependent() {
      super(Role.class, SupervisorRbac::role);
    }
  }

  @KubernetesDependent(
      useSSA = BooleanWithUndefined.FALSE,
      informer = @Informer(labelSelector = SUPERVISOR_OBJECTS))
  public static final class RoleBindingDependent extends OwnedDependent<RoleBinding> {
    public RoleBindingDependent() {
      super(RoleBinding.class, SupervisorRbac::roleBinding);
    }
  }

  static boolean ownedBy(HasMetadata object, Workflow workflow) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    return refs != null
        && refs.stream()
            .anyMatch(
                r ->
                    Boolean.TRUE.equals(r.getController())
                        && workflow.getMetadata().getUid() != null
                        && workflow.getMetadata().getUid().equals(r.getUid()));
  }

  private static io.fabric8.kubernetes.api.model.ObjectMeta metadata(Workflow workflow) {
    return new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(SupervisorPodBuilder.name(workflow.getMetadata().getName()))
        .withNamespace(workflow.getMetadata().getNamespace())
        .withLabels(SupervisorPodBuilder.labels(workflow))
        .withOwnerReferences(StepPodBuilder.ownerReference(workflow))
        .build();
  }
}
