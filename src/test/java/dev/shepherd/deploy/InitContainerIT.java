package dev.shepherd.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.testing.Run;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor Pod's init container, run as a real kubelet runs it: as the uid and gid its
 * securityContext names, with every capability dropped (setpriv), copying into a directory that
 * belongs to root with mode 0777, as a kubelet makes an emptyDir. The test kubelet of the
 * end-to-end tests runs every container as root, which hid a {@code cp -a} that failed on every
 * real cluster ("preserving times for '/shepherd/.': Operation not permitted").
 *
 * <p>The command is the one the Pod builder writes, with its two paths (the runtime in the shepherd
 * image, the emptyDir's mount) mapped to directories of this test. Then the main container's side:
 * another non-root uid runs {@code shepherd run} from the copy.
 */
class InitContainerIT {
  static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  @TempDir Path dir;
  Path image;
  Path emptyDir;

  @BeforeEach
  void rootOnly() throws Exception {
    assumeTrue(
        "0".equals(Run.of(List.of("id", "-u")).out().strip()),
        "runs only as root (as CI does): setpriv must change to the Pod's uid");
    assertThat(RUNTIME.resolve("bin/shepherd"))
        .as("the supervisor runtime (mvn package builds it)")
        .exists();
    // Every uid must reach the test's directories, as every uid reaches / in a container.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The image's copy of the runtime: owned by root, readable by all (deploy/Dockerfile: chmod -R
    // a+rX).
    image = dir.resolve("image-runtime");
    assertThat(Run.of(List.of("cp", "-R", RUNTIME + "/.", image + "/")).code()).isZero();
    assertThat(Run.of(List.of("chmod", "-R", "a+rX", image.toString())).code()).isZero();
    emptyDir = Files.createDirectory(dir.resolve("emptydir"));
    Files.setPosixFilePermissions(emptyDir, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  @Test
  void theInitContainerCopiesTheRuntimeAsItsNonRootUserWithNoCapabilities() throws Exception {
    Container init = initContainer();
    SecurityContext sc = init.getSecurityContext();
    assertThat(sc.getRunAsUser())
        .as("the init container runs as a non-root uid")
        .isNotNull()
        .isNotZero();
    assertThat(sc.getCapabilities().getDrop()).contains("ALL");

    Run copy =
        Run.of(asContainer(sc.getRunAsUser(), sc.getRunAsGroup(), mapped(init.getCommand())));

    assertThat(copy.code()).as("init container: %s", copy.out()).isZero();
    assertThat(emptyDir.resolve("bin/shepherd")).isExecutable();
    assertThat(Files.getOwner(emptyDir).getName())
        .as("the emptyDir itself is untouched")
        .isEqualTo("root");

    // The main container: the user's image may run as any uid, with the copy mounted read-only.
    Path workflow = dir.resolve("hello.yaml");
    Files.copy(Path.of("examples/hello.yaml"), workflow);
    workflow.toFile().setReadable(true, false);
    Run main =
        Run.of(
            asContainer(
                1000L,
                1000L,
                List.of(
                    emptyDir.resolve("bin/shepherd").toString(),
                    "run",
                    workflow.toString(),
                    "--plain")));
    assertThat(main.out()).contains("workflow hello Succeeded");
    assertThat(main.code()).as(main.out()).isZero();
  }

  /** The command that the old {@code cp -a} was: it must fail here, or this test proves nothing. */
  @Test
  void copyingWithPreservedTimesIntoTheRootOwnedEmptyDirFailsHere() throws Exception {
    SecurityContext sc = initContainer().getSecurityContext();
    Run copy =
        Run.of(
            asContainer(
                sc.getRunAsUser(),
                sc.getRunAsGroup(),
                List.of("cp", "-a", image + "/.", emptyDir + "/")));
    assertThat(copy.code()).isNotZero();
    assertThat(copy.out()).contains("Operation not permitted");
  }

  private static Container initContainer() {
    Workflow workflow = new Workflow();
    workflow.setMetadata(new ObjectMetaBuilder().withName("init").withNamespace("default").build());
    WorkflowSpec spec = new WorkflowSpec();
    spec.image = "debian:bookworm-slim";
    spec.executor = Executor.SUPERVISOR;
    Step step = new Step();
    step.name = "one";
    step.command = List.of("true");
    spec.steps = List.of(step);
    workflow.setSpec(spec);
    List<Container> inits =
        SupervisorPodBuilder.build(workflow, "shepherd:test").getSpec().getInitContainers();
    assertThat(inits).hasSize(1);
    return inits.getFirst();
  }

  /** The Pod's paths inside its containers, mapped to this test's directories. */
  private List<String> mapped(List<String> command) {
    return command.stream()
        .map(a -> a.replace(SupervisorPodBuilder.IMAGE_RUNTIME_DIR, image.toString()))
        .map(
            a ->
                a.startsWith(SupervisorPodBuilder.RUNTIME_DIR + "/")
                    ? emptyDir + a.substring(SupervisorPodBuilder.RUNTIME_DIR.length())
                    : a)
        .toList();
  }

  /** As a kubelet starts a container with runAsUser/runAsGroup and capabilities drop ALL. */
  private static List<String> asContainer(Long uid, Long gid, List<String> command) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + uid,
                "--regid=" + gid,
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                "--"));
    argv.addAll(command);
    return argv;
  }
}
