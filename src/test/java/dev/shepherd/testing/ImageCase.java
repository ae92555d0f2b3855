package dev.shepherd.testing;

import java.util.List;

/**
 * A workflow for each image of src/test/images/rootfs.sh (no glibc, or no shell at all), run in
 * supervisor mode by AnyImageIT (in a chroot) and RealClusterIT (as images on a real kubelet).
 *
 * @param image the rootfs.sh directory, and {@code shepherd.dev/test/<image>:1} as an image
 * @param steps the workflow's steps, a YAML list
 * @param ends the phase it ends in
 * @param exitCode the exit code of step {@code b}, exact
 * @param lines lines of the steps' output, as the supervisor logs them ({@code [step] line})
 */
public record ImageCase(String image, String steps, String ends, int exitCode, List<String> lines) {
  public static final List<ImageCase> ALL =
      List.of(
          new ImageCase(
              "static",
              """
              - {name: a, command: [sh, -c, 'echo from busybox sh; echo LD_LIBRARY_PATH=${LD_LIBRARY_PATH-unset}']}
              - {name: b, depends: [a], command: [sh, -c, 'exit 7']}
              """,
              "Failed",
              7,
              List.of("[a] from busybox sh", "[a] LD_LIBRARY_PATH=unset")),
          new ImageCase(
              "musl",
              """
              - {name: a, command: [/bin/hello-musl]}
              - {name: b, depends: [a], command: [sh, -c, 'echo musl image done']}
              """,
              "Succeeded",
              0,
              List.of("[a] hello from a musl program", "[b] musl image done")),
          new ImageCase(
              "noshell",
              """
              - {name: a, command: [/hello]}
              - {name: b, depends: [a], command: [/hello, "5"]}
              """,
              "Failed",
              5,
              List.of("[a] hello from a glibc program")));

  /** The image that import-kube-real.sh makes of it. */
  public String imageName() {
    return "shepherd.dev/test/" + image + ":1";
  }

  @Override
  public String toString() {
    return image;
  }
}
