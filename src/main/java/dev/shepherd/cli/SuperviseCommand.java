package dev.shepherd.cli;

/** {@code shepherd supervise}: PID 1 of a supervisor-mode Pod. */
final class SuperviseCommand {
  private SuperviseCommand() {}

  static int run(String[] args) {
    System.err.println("shepherd supervise: not available in this build yet (executor: supervisor is in progress).");
    return 2;
  }
}
