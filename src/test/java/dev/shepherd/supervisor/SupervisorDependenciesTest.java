package dev.shepherd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The supervisor depends on {@code api} (with its wire formats) and {@code engine} only: never on
 * {@code cli} or {@code operator}, so that it can be reasoned about, and shipped, without them.
 * Read from the compiled classes' constant pools, which name every class a class refers to (in
 * code, signatures and annotations alike), whether it came through an import or a full name.
 */
class SupervisorDependenciesTest {
  private static final String ROOT = "dev/shepherd/";
  private static final List<String> ALLOWED =
      List.of("dev/shepherd/api", "dev/shepherd/engine", "dev/shepherd/supervisor");

  @Test
  void theSupervisorUsesOnlyApiAndEngine() throws Exception {
    Map<String, Set<String>> used = shepherdPackagesUsed();

    assertThat(used).as("classes of dev.shepherd.supervisor read").hasSizeGreaterThan(10);
    // The scan sees references across packages: these are there today.
    assertThat(used.values().stream().flatMap(Set::stream))
        .contains("dev/shepherd/engine", "dev/shepherd/api", "dev/shepherd/api/wire");
    used.forEach(
        (className, packages) ->
            assertThat(packages)
                .as(className)
                .allMatch(
                    p -> ALLOWED.stream().anyMatch(a -> p.equals(a) || p.startsWith(a + "/"))));
  }

  /** For each class of the supervisor's packages, the dev.shepherd packages it names. */
  private static Map<String, Set<String>> shepherdPackagesUsed() throws IOException {
    Path classes;
    try {
      classes =
          Path.of(Supervisor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Map<String, Set<String>> used = new TreeMap<>();
    try (Stream<Path> files = Files.walk(classes.resolve(ROOT + "supervisor"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        Set<String> packages = new TreeSet<>();
        for (PoolEntry entry : ClassFile.of().parse(file).constantPool()) {
          if (entry instanceof Utf8Entry utf8) {
            packages.addAll(packagesNamedIn(utf8.stringValue()));
          }
        }
        used.put(classes.relativize(file).toString(), packages);
      }
    }
    return used;
  }

  /** The packages of the dev.shepherd classes named in a class name, descriptor or signature. */
  private static Set<String> packagesNamedIn(String text) {
    Set<String> packages = new TreeSet<>();
    for (int at = text.indexOf(ROOT); at >= 0; at = text.indexOf(ROOT, at + 1)) {
      int end = at;
      while (end < text.length()
          && (Character.isJavaIdentifierPart(text.charAt(end)) || text.charAt(end) == '/')) {
        end++;
      }
      String name = text.substring(at, end);
      packages.add(name.substring(0, name.lastIndexOf('/')));
    }
    return packages;
  }
}
