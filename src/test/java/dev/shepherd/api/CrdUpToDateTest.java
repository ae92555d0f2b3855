package dev.shepherd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CrdUpToDateTest {
  @Test
  void committedCrdIsTheGeneratedOne() throws Exception {
    Path generated = CrdGeneration.generate();
    assertTrue(
        Files.exists(CrdGeneration.COMMITTED), "crds/" + CrdGeneration.FILE_NAME + " is missing");
    assertEquals(
        Files.readString(generated),
        Files.readString(CrdGeneration.COMMITTED),
        "crds/ is stale: copy " + generated + " to " + CrdGeneration.COMMITTED);
  }

  @Test
  void committedTemplateCrdIsTheGeneratedOne() throws Exception {
    Path generated = CrdGeneration.generate().resolveSibling(CrdGeneration.TEMPLATE_FILE_NAME);
    assertTrue(
        Files.exists(CrdGeneration.TEMPLATE_COMMITTED),
        "crds/" + CrdGeneration.TEMPLATE_FILE_NAME + " is missing");
    assertEquals(
        Files.readString(generated),
        Files.readString(CrdGeneration.TEMPLATE_COMMITTED),
        "crds/ is stale: copy " + generated + " to " + CrdGeneration.TEMPLATE_COMMITTED);
  }
}
