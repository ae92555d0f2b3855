package dev.shepherd.cli;

public final class Main {
  public static void main(String[] args) {
    System.err.println("usage: shepherd operator|supervise|run");
    System.exit(2);
  }
}
