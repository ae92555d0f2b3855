package dev.shepherd.operator;

import dev.shepherd.api.Workflow;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * The supervisor's least privilege: a ServiceAccount per workflow, a Role that allows only
 * {@code get} and {@code patch} of that one workflow's status subresource (a GET of the status
 * subresource returns the whole object, so the supervisor reads its spec through it too), and the
 * RoleBinding between them. All three are named like the Pod and owned by the Workflow, so they go
 * when it goes. The operator may grant this Role because it holds get/patch on workflows/status
 * itself (RBAC forbids granting more than one holds).
 */
public final class SupervisorRbac {
  static final String RBAC_GROUP = "rbac.authorization.k8s.io";

  /** An object of ours that exists already, owned by something else: we must not use it. */
  public static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  private SupervisorRbac() {}

  public static ServiceAccount serviceAccount(Workflow workflow) {
    return new ServiceAccountBuilder()
        .withMetadata(SupervisorRbac.metadata(workflow))
        .build();
  }

  public static Role role(Workflow workflow) {
    return new RoleBuilder()
        .withMetadata(metadata(workflow))
        .withRules(new PolicyRuleBuilder()
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
        .withNewRoleRef().withApiGroup(RBAC_GROUP).withKind("Role").withName(name).endRoleRef()
        .addNewSubject()
          .withKind("ServiceAccount").withName(name).withNamespace(workflow.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  /**
   * Creates the ServiceAccount, the Role and the RoleBinding, in that order; one that exists
   * already is fine if the workflow owns it (a repeated reconcile), and a
   * {@link ForeignObjectException} if not (it could grant anything).
   */
  public static void ensure(KubernetesClient client, Workflow workflow) {
    for (HasMetadata object : List.of(serviceAccount(workflow), role(workflow), roleBinding(workflow))) {
      try {
        client.resource(object).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        HasMetadata existing = client.resource(object).get();
        if (existing != null && !ownedBy(existing, workflow)) {
          throw new ForeignObjectException(object.getKind() + " " + object.getMetadata().getName()
              + " already exists and is not owned by this workflow; delete it or rename the workflow.");
        }
      }
    }
  }

  static boolean ownedBy(HasMetadata object, Workflow workflow) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
        && workflow.getMetadata().getUid() != null && workflow.getMetadata().getUid().equals(r.getUid()));
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
