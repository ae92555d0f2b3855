package dev.shepherd.engine;

import java.util.List;

/** The starts of a plan as "step#attempt", to compare without what each start runs. */
final class StartKeys {
  private StartKeys() {}

  static String of(String step, int attempt) {
    return step + "#" + attempt;
  }

  static List<String> of(Plan plan) {
    return plan.start().stream().map(s -> of(s.step(), s.attempt())).toList();
  }
}
