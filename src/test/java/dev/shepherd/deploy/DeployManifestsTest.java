package dev.shepherd.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks deploy/ (what {@code kubectl apply -k deploy/} installs) without a cluster: every manifest
 * parses into its typed fabric8 model, the RBAC is exactly the least privilege the operator needs,
 * the Deployment is restricted, and the CRD copy matches crds/.
 */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("deploy");
  static final String NAMESPACE = "shepherd-system";
  static final String SERVICE_ACCOUNT = "shepherd-operator";
  static final int HTTP_PORT = 8080;

  /** (apiGroup, resource, verb): the operator's whole authority. Widening it fails here. */
  static final Set<String> EXPECTED_RBAC =
      Set.of(
          "shepherd.dev workflows get",
          "shepherd.dev workflows list",
          "shepherd.dev workflows watch",
          // spec.workflowTemplateRef: the template is read once, when a Workflow starts.
          "shepherd.dev workflowtemplates get",
          "shepherd.dev workflows/status get",
          "shepherd.dev workflows/status patch",
          "shepherd.dev workflows/status update",
          // CronWorkflow: create the scheduled Workflows, delete replaced and expired ones.
          "shepherd.dev workflows create",
          "shepherd.dev workflows delete",
          "shepherd.dev cronworkflows get",
          "shepherd.dev cronworkflows list",
          "shepherd.dev cronworkflows watch",
          "shepherd.dev cronworkflows/status patch",
          "core pods get",
          "core pods list",
          "core pods watch",
          "core pods create",
          "core pods delete",
          "core events create",
          "core events patch",
          // spec.workspace.volumeClaimTemplate: one claim per workflow (get: check ownership on
          // 409).
          "core persistentvolumeclaims create",
          "core persistentvolumeclaims get",
          // executor: supervisor: a ServiceAccount, Role and RoleBinding per workflow (get: check
          // ownership on 409;
          // list/watch: the informers of these JOSDK dependent resources).
          "core serviceaccounts create",
          "core serviceaccounts get",
          "core serviceaccounts list",
          "core serviceaccounts watch",
          "rbac.authorization.k8s.io roles create",
          "rbac.authorization.k8s.io roles get",
          "rbac.authorization.k8s.io roles list",
          "rbac.authorization.k8s.io roles watch",
          "rbac.authorization.k8s.io rolebindings create",
          "rbac.authorization.k8s.io rolebindings get",
          "rbac.authorization.k8s.io rolebindings list",
          "rbac.authorization.k8s.io rolebindings watch");

  static final KubernetesSerialization K8S = new KubernetesSerialization();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<String> resources;
  static List<HasMetadata> objects;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    Map<String, Object> kustomization =
        YAML.readValue(DEPLOY.resolve("kustomization.yaml").toFile(), Map.class);
    assertEquals("Kustomization", kustomization.get("kind"));
    resources = (List<String>) kustomization.get("resources");
    assertNotNull(resources, "kustomization.yaml has no resources");
    objects = new ArrayList<>();
    for (String r : resources) {
      Path file = DEPLOY.resolve(r);
      if (Files.isRegularFile(file)) {
        objects.addAll(parse(file));
      }
    }
  }

  static List<HasMetadata> parse(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = K8S.unmarshal(in);
      if (parsed instanceof List<?> list) {
        return list.stream().map(HasMetadata.class::cast).toList();
      }
      return List.of((HasMetadata) parsed);
    }
  }

  @Test
  void kustomizationListsEveryManifestAndEachExists() throws IOException {
    assertEquals(
        resources.size(), new HashSet<>(resources).size(), "duplicate resources: " + resources);
    for (String r : resources) {
      Path file = DEPLOY.resolve(r).normalize();
      assertTrue(file.startsWith(DEPLOY), r + " is outside deploy/ (kustomize would refuse it)");
      assertTrue(Files.isRegularFile(file), r + " is listed in kustomization.yaml but missing");
    }
    Set<String> manifests;
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      manifests =
          files
              .filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .filter(p -> !p.equals(DEPLOY.resolve("kustomization.yaml")))
              .filter(
                  p ->
                      !p.startsWith(
                          DEPLOY.resolve("krew"))) // the kubectl plugin's, not the cluster's
              .map(p -> DEPLOY.relativize(p).toString().replace('\\', '/'))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(
        manifests,
        new TreeSet<>(resources),
        "every YAML file in deploy/ must be listed in kustomization.yaml, and only those");
  }

  @Test
  void everyManifestIsATypedObjectOfShepherd() {
    assertEquals(
        Set.of(
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment"),
        objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet()));
    assertEquals(
        5 + dev.shepherd.api.CrdGeneration.FILE_NAMES.size(),
        objects.size(),
        "one object of each kind, and each CRD");
    for (HasMetadata o : objects) {
      assertFalse(
          o instanceof GenericKubernetesResource,
          o.getKind() + " did not parse into its fabric8 model class");
      assertNotNull(o.getMetadata().getName(), o.getKind() + " without a name");
      if (o instanceof ServiceAccount || o instanceof Deployment) {
        assertEquals(NAMESPACE, o.getMetadata().getNamespace(), o.getKind());
      } else {
        assertNull(o.getMetadata().getNamespace(), o.getKind() + " is cluster-scoped");
      }
      if (!(o instanceof CustomResourceDefinition)) {
        assertEquals(
            "shepherd",
            o.getMetadata().getLabels().get("app.kubernetes.io/name"),
            o.getKind() + " label app.kubernetes.io/name");
      }
    }
  }

  @Test
  void namespaceEnforcesThePodSecurityRestrictedProfile() {
    Namespace ns = one(Namespace.class);
    assertEquals(NAMESPACE, ns.getMetadata().getName());
    assertEquals(
        "restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
  }

  @Test
  void clusterRoleGrantsExactlyWhatTheOperatorNeeds() {
    ClusterRole role = one(ClusterRole.class);
    assertNull(role.getAggregationRule(), "no aggregation: it would widen the role at run time");
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      assertTrue(
          rule.getResourceNames() == null || rule.getResourceNames().isEmpty(), rule.toString());
      assertTrue(
          rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(),
          rule.toString());
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            assertFalse(
                group.contains("*") || resource.contains("*") || verb.contains("*"),
                "wildcard in " + rule);
            granted.add((group.isEmpty() ? "core" : group) + " " + resource + " " + verb);
          }
        }
      }
    }
    assertEquals(new TreeSet<>(EXPECTED_RBAC), granted);
  }

  /**
   * RBAC refuses a Role granting more than its creator holds: the supervisor's Role must fit in
   * ours.
   */
  @Test
  void theOperatorHoldsEverythingTheSupervisorRoleGrants() {
    dev.shepherd.api.Workflow w = new dev.shepherd.api.Workflow();
    w.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("wf")
            .withNamespace("ns")
            .withUid("u")
            .build());
    List<PolicyRule> rules = dev.shepherd.operator.SupervisorRbac.role(w).getRules();
    assertFalse(rules.isEmpty());
    for (PolicyRule rule : rules) {
      assertEquals(
          List.of("wf"),
          rule.getResourceNames(),
          "the supervisor's Role is for its own workflow only");
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            String triple = (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
            assertTrue(EXPECTED_RBAC.contains(triple), "the operator does not hold " + triple);
          }
        }
      }
    }
  }

  @Test
  void everyRbacRuleSaysWhyItIsNeeded() throws IOException {
    List<String> lines = Files.readAllLines(DEPLOY.resolve("clusterrole.yaml"));
    int rules = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().startsWith("- apiGroups:")) {
        rules++;
        assertTrue(
            i > 0 && lines.get(i - 1).trim().startsWith("#"),
            "rule at line " + (i + 1) + " of clusterrole.yaml needs a comment saying why");
      }
    }
    assertEquals(
        one(ClusterRole.class).getRules().size(), rules, "write rules as '- apiGroups: ...'");
  }

  @Test
  void bindingGrantsTheRoleToTheOperatorServiceAccountOnly() {
    ClusterRoleBinding binding = one(ClusterRoleBinding.class);
    assertEquals("ClusterRole", binding.getRoleRef().getKind());
    assertEquals(one(ClusterRole.class).getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(1, binding.getSubjects().size());
    Subject subject = binding.getSubjects().get(0);
    assertEquals("ServiceAccount", subject.getKind());
    assertEquals(SERVICE_ACCOUNT, subject.getName());
    assertEquals(NAMESPACE, subject.getNamespace());
    assertEquals(SERVICE_ACCOUNT, one(ServiceAccount.class).getMetadata().getName());
  }

  @Test
  void deploymentRunsOneOperatorAtATime() {
    Deployment d = one(Deployment.class);
    assertEquals(1, d.getSpec().getReplicas(), "no leader election: exactly one replica");
    assertEquals("Recreate", d.getSpec().getStrategy().getType(), "never two operators at once");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertEquals(SERVICE_ACCOUNT, pod.getServiceAccountName());
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    d.getSpec()
        .getSelector()
        .getMatchLabels()
        .forEach(
            (k, v) ->
                assertEquals(v, labels.get(k), "selector " + k + " must match the Pod template"));

    assertEquals(1, pod.getContainers().size());
    Container c = pod.getContainers().get(0);
    assertEquals("ghcr.io/shepherd-dev/shepherd:0.1.0", c.getImage());
    assertEquals(List.of("operator"), c.getArgs());
    assertTrue(
        c.getCommand() == null || c.getCommand().isEmpty(), "the image's ENTRYPOINT runs the jar");
    ContainerPort http =
        c.getPorts().stream()
            .filter(p -> "http".equals(p.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no port named http"));
    assertEquals(HTTP_PORT, http.getContainerPort());

    assertEquals(new Quantity("100m"), c.getResources().getRequests().get("cpu"));
    assertEquals(new Quantity("256Mi"), c.getResources().getRequests().get("memory"));
    assertEquals(new Quantity("512Mi"), c.getResources().getLimits().get("memory"));
    String javaOptions =
        c.getEnv().stream()
            .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no JAVA_TOOL_OPTIONS"));
    assertTrue(javaOptions.contains("-XX:MaxRAMPercentage="), javaOptions);
  }

  @Test
  void deploymentProbesHitHealthzAndReadyzOn8080() {
    Container c = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertProbe(c, c.getLivenessProbe(), "/healthz");
    assertProbe(c, c.getReadinessProbe(), "/readyz");
    if (c.getStartupProbe() != null) {
      assertProbe(c, c.getStartupProbe(), "/healthz");
    }
  }

  private static void assertProbe(Container c, Probe probe, String path) {
    assertNotNull(probe, "probe for " + path);
    assertNotNull(probe.getHttpGet(), "probe for " + path + " is not an HTTP GET");
    assertEquals(path, probe.getHttpGet().getPath());
    assertTrue(
        probe.getHttpGet().getScheme() == null || probe.getHttpGet().getScheme().equals("HTTP"));
    var port = probe.getHttpGet().getPort();
    int number =
        port.getIntVal() != null
            ? port.getIntVal()
            : c.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(
                    () ->
                        new AssertionError(
                            "probe port " + port.getStrVal() + " is not a container port"));
    assertEquals(HTTP_PORT, number, "probe for " + path);
  }

  @Test
  void deploymentIsRestricted() {
    PodSpec pod = one(Deployment.class).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    SecurityContext sc = c.getSecurityContext();
    PodSecurityContext psc = pod.getSecurityContext();
    assertNotNull(sc, "container securityContext");
    assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
    assertEquals(65532L, sc.getRunAsUser());
    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    assertTrue(sc.getPrivileged() == null || !sc.getPrivileged());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertTrue(
        sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(),
        "no capabilities added");
    SeccompProfile seccomp =
        sc.getSeccompProfile() != null
            ? sc.getSeccompProfile()
            : psc == null ? null : psc.getSeccompProfile();
    assertNotNull(seccomp, "seccompProfile");
    assertEquals("RuntimeDefault", seccomp.getType());
    if (psc != null) {
      assertTrue(psc.getRunAsUser() == null || psc.getRunAsUser() == 65532L);
      assertTrue(psc.getRunAsNonRoot() == null || psc.getRunAsNonRoot());
    }
    assertTrue(pod.getHostNetwork() == null || !pod.getHostNetwork());
    assertTrue(pod.getHostPID() == null || !pod.getHostPID());
    assertTrue(pod.getHostIPC() == null || !pod.getHostIPC());
    // A read-only root needs a writable /tmp for the JVM, and nothing may come from the host.
    for (Volume v : pod.getVolumes()) {
      assertNull(v.getHostPath(), "hostPath volume " + v.getName());
    }
    String tmpVolume =
        c.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/tmp"))
            .map(m -> m.getName())
            .findFirst()
            .orElseThrow(() -> new AssertionError("/tmp not mounted"));
    assertTrue(
        pod.getVolumes().stream()
            .anyMatch(v -> v.getName().equals(tmpVolume) && v.getEmptyDir() != null),
        "/tmp must be an emptyDir");
  }

  @Test
  void supervisorPodsGetTheOperatorsOwnImage() {
    Deployment d = one(Deployment.class);
    var c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    String image =
        c.getEnv().stream()
            .filter(e -> e.getName().equals("SHEPHERD_IMAGE"))
            .map(e -> e.getValue())
            .findFirst()
            .orElseThrow(() -> new AssertionError("SHEPHERD_IMAGE is not set"));
    assertEquals(c.getImage(), image, "SHEPHERD_IMAGE must name the operator's own image");
  }

  @Test
  void crdCopiesAreByteIdenticalToCrds() throws IOException {
    for (String file : dev.shepherd.api.CrdGeneration.FILE_NAMES) {
      Path copy = DEPLOY.resolve("crd").resolve(file);
      Path source = Path.of("crds", file);
      assertArrayEquals(
          Files.readAllBytes(source),
          Files.readAllBytes(copy),
          "deploy/crd/ is stale; run: cp " + source + " " + copy);
      assertTrue(resources.contains("crd/" + file), "kustomization.yaml does not list " + file);
    }
    assertEquals(
        Set.of(
            "workflows.shepherd.dev",
            "workflowtemplates.shepherd.dev",
            "cronworkflows.shepherd.dev"),
        objects.stream()
            .filter(CustomResourceDefinition.class::isInstance)
            .map(o -> o.getMetadata().getName())
            .collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void dockerfileRunsTheShadedJarAsNonRoot() throws IOException {
    List<String> lines =
        Files.readAllLines(DEPLOY.resolve("Dockerfile")).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertEquals(2, froms.size(), "multi-stage: build and runtime");
    assertTrue(froms.get(0).startsWith("FROM maven:3.9-eclipse-temurin-25 AS build"), froms.get(0));
    assertEquals("FROM eclipse-temurin:25-jre", froms.get(1));
    assertTrue(lines.stream().anyMatch(l -> l.contains("mvn -B -DskipTests package")));
    assertTrue(
        lines.contains("COPY --from=build /src/target/shepherd.jar /opt/shepherd/shepherd.jar"));
    assertTrue(lines.contains("USER 65532:65532"));
    // The supervisor runtime, where the init container of a supervisor-mode Pod copies it from.
    assertTrue(
        lines.contains("COPY --from=build /src/target/supervisor-runtime /opt/shepherd/runtime"));
    assertEquals(
        List.of("cp", "-R", "/opt/shepherd/runtime/.", "/shepherd/"),
        dev.shepherd.operator.SupervisorPodBuilder.INIT_COMMAND);
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("/opt/shepherd/runtime/bin/shepherd --help")),
        "the image build runs the runtime once");
    assertTrue(
        Files.readString(DEPLOY.resolve("Dockerfile"))
            .contains("cp -R /opt/shepherd/runtime/. /shepherd/"),
        "the Dockerfile names the init container's copy command");
    assertTrue(
        lines.contains(
            "ENTRYPOINT [\"java\", \"--enable-native-access=ALL-UNNAMED\","
                + " \"--sun-misc-unsafe-memory-access=allow\", \"-jar\", \"/opt/shepherd/shepherd.jar\"]"));
    assertEquals("CMD [\"operator\"]", lines.get(lines.size() - 1));
  }

  /** Runs only where kubectl is installed: kustomize itself, with its default load restrictor. */
  @Test
  void kubectlKustomizeBuildsDeploy() throws Exception {
    assumeTrue(hasKubectl(), "kubectl not on PATH");
    Process p =
        new ProcessBuilder("kubectl", "kustomize", DEPLOY.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "kubectl kustomize deploy/ failed");
    Object parsed = K8S.unmarshal(new String(out, StandardCharsets.UTF_8));
    assertInstanceOf(List.class, parsed);
    List<?> built = (List<?>) parsed;
    assertEquals(objects.size(), built.size());
    assertEquals(
        objects.stream()
            .map(o -> o.getKind() + "/" + o.getMetadata().getName())
            .collect(Collectors.toSet()),
        built.stream()
            .map(HasMetadata.class::cast)
            .map(o -> o.getKind() + "/" + o.getMetadata().getName())
            .collect(Collectors.toSet()));
  }

  private static boolean hasKubectl() {
    try {
      Process p =
          new ProcessBuilder("kubectl", "version", "--client")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), "exactly one " + type.getSimpleName() + " in deploy/");
    return found.get(0);
  }
}
