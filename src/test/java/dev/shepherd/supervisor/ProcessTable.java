package dev.shepherd.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** A snapshot of /proc: what is running, and what is a zombie. */
record ProcessTable(List<Entry> entries) {

  /** One line of /proc/PID/stat: its pid, command name, state letter, parent and group. */
  record Entry(int pid, String comm, char state, int ppid, int pgrp) {
    @Override
    public String toString() {
      return pid + " (" + comm + ") " + state + " ppid=" + ppid + " pgrp=" + pgrp;
    }
  }

  static ProcessTable read() {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          entries.add(parse(Files.readString(dir.resolve("stat"))));
        } catch (IOException gone) {
          // exited between listing and reading
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new ProcessTable(entries);
  }

  private static Entry parse(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')'); // comm may itself hold spaces and parentheses
    String[] rest = stat.substring(close + 2).split(" ");
    return new Entry(
        Integer.parseInt(stat.substring(0, open).trim()),
        stat.substring(open + 1, close),
        rest[0].charAt(0),
        Integer.parseInt(rest[1]),
        Integer.parseInt(rest[2]));
  }

  /** Every process below {@code root} in the parent tree (not {@code root} itself). */
  List<Entry> descendantsOf(int root) {
    Set<Integer> tree = new HashSet<>(Set.of(root));
    List<Entry> found = new ArrayList<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Entry e : entries) {
        if (!tree.contains(e.pid()) && tree.contains(e.ppid())) {
          tree.add(e.pid());
          found.add(e);
          grew = true;
        }
      }
    }
    return found;
  }

  /** Every process except {@code self}: in a PID namespace whose init we are, all of them. */
  List<Entry> allExcept(int self) {
    return entries.stream().filter(e -> e.pid() != self).toList();
  }

  List<Entry> zombies() {
    return entries.stream().filter(e -> e.state() == 'Z').toList();
  }

  boolean alive(int pid) {
    return entries.stream().anyMatch(e -> e.pid() == pid && e.state() != 'Z');
  }
}
