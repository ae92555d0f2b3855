package dev.shepherd.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.operator.SupervisorPodBuilder;
import dev.shepherd.testing.ImageCase;
import dev.shepherd.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Supervisor mode in images without glibc or a shell: the supervisor Pod's command ({@link
 * SupervisorPodBuilder#COMMAND}: the runtime's own glibc loader on its own Java) inside a root file
 * system that holds only a static busybox, one with musl's loader and libc, and one with a single
 * static program and no shell at all (src/test/images/rootfs.sh). Each runs in a chroot with /proc
 * and /dev mounted and the built runtime at /shepherd, as a container has them, with {@code run} of
 * a workflow in place of {@code supervise} (the same launch, no API server needed). The steps run
 * with the image's own loader and libraries, and see none of the supervisor's.
 */
class AnyImageIT {
  static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  @TempDir static Path images;

  @BeforeAll
  static void rootFileSystems() throws Exception {
    assumeTrue(
        "0".equals(Run.of(List.of("id", "-u")).out().strip()),
        "runs only as root (as CI does): chroot and mount");
    assertThat(RUNTIME.resolve("glibc/ld-linux-x86-64.so.2"))
        .as("the supervisor runtime (mvn package builds it)")
        .exists();
    Run built = Run.of(List.of("src/test/images/rootfs.sh", images.toString()));
    if (built.code() == 3) {
      System.out.println("AnyImageIT skipped: " + built.out().strip());
      assumeTrue(false, built.out().strip());
    }
    assertThat(built.code()).as(built.out()).isZero();
  }

  static List<ImageCase> cases() {
    return ImageCase.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSupervisorRunsInAnImageWithoutGlibcOrAShell(ImageCase image) throws Exception {
    Run r = supervise(image.image(), image.steps());
    assertThat(r.out())
        .contains(image.lines())
        .contains(image.exitCode() == 0 ? "[b] exit 0" : "[b] exit " + image.exitCode())
        .containsPattern("(?m)^workflow any " + image.ends())
        .doesNotContain("leaked:", "Exception");
    assertThat(r.code()).as(r.out()).isEqualTo(image.ends().equals("Succeeded") ? 0 : 1);
  }

  /**
   * The Pod's command in the image {@code name}, with its last argument, {@code supervise},
   * replaced by {@code run /workflow.yaml --plain}.
   */
  private static Run supervise(String name, String steps) throws Exception {
    Path root = images.resolve(name);
    Files.writeString(
        root.resolve("workflow.yaml"),
        """
        apiVersion: shepherd.dev/v1alpha1
        kind: Workflow
        metadata: {name: any}
        spec:
          steps:
        %s"""
            .formatted(steps.indent(4)));
    Files.createDirectories(root.resolve(SupervisorPodBuilder.RUNTIME_DIR.substring(1)));
    List<String> command = new ArrayList<>(SupervisorPodBuilder.COMMAND);
    assertThat(command.removeLast()).isEqualTo("supervise");
    command.addAll(List.of("run", "/workflow.yaml", "--plain"));
    String mounts =
        "mount -t proc proc \"$0/proc\" && mount --rbind /dev \"$0/dev\""
            + " && mount --bind \"$1\" \"$0/shepherd\" && mount -o remount,bind,ro \"$0/shepherd\""
            + " && shift 1 && c=$(command -v chroot)"
            + " && exec env -i PATH=/bin:/usr/bin _JAVA_SR_SIGNUM=39 \"$c\" \"$@\"";
    List<String> argv =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                mounts,
                root.toString(),
                RUNTIME.toString(),
                root.toString()));
    argv.addAll(command);
    return Run.of(argv);
  }
}
