package dev.shepherd.cli.kubectl;

import dev.shepherd.cli.run.WorkflowFile;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code lint FILE}: the checks {@code shepherd run} makes before it runs anything (a strict read
 * of every document, then {@link dev.shepherd.engine.SpecValidation} for the spec's executor),
 * without a cluster.
 */
final class Lint {
  private Lint() {}

  static int run(Args args, PrintStream out, PrintStream err) throws Args.Invalid {
    args.allow("lint");
    String file = args.operands("lint FILE", 1, 1).getFirst();
    ManifestFile manifest;
    try {
      manifest = ManifestFile.read(file, System.in);
    } catch (WorkflowFile.InvalidFile e) {
      err.println(e.getMessage());
      return KubectlCommand.INVALID;
    }
    List<String> problems = manifest.problems();
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      return KubectlCommand.INVALID;
    }
    int n = manifest.docs().size();
    out.println(file + ": " + n + (n == 1 ? " document" : " documents") + ", no problem found");
    return KubectlCommand.OK;
  }
}
