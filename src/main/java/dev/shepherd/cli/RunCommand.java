package dev.shepherd.cli;

/** {@code shepherd run FILE.yaml}: a Workflow file run locally. */
final class RunCommand {
  private RunCommand() {}

  static int run(String[] args) {
    System.err.println("shepherd run: not available in this build yet.");
    return 2;
  }
}
