package dev.shepherd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CrdUpToDateTest {
  @Test
  void committedCrdsAreTheGeneratedOnes() throws Exception {
    Path dir = CrdGeneration.generate().getParent();
    for (String name : CrdGeneration.FILE_NAMES) {
      Path generated = dir.resolve(name);
      Path committed = Path.of("crds", name);
      assertTrue(Files.exists(committed), "crds/" + name + " is missing");
      assertEquals(
          Files.readString(generated),
          Files.readString(committed),
          "crds/ is stale: copy " + generated + " to " + committed);
    }
  }
}
