package dev.shepherd.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A workflow without expressions must not pay for CEL: the supervisor asks {@link Templates#has} of
 * every field of every step, and only a yes may load CEL; a loop over a literal list writes each
 * item with {@link Templates#text}. Checked in a class loader of its own that records every class
 * the JVM asks it for, which includes those that linking and verifying {@code Templates} need.
 */
class TemplatesClassLoadingTest {
  @Test
  void hasAndTextLoadNoCelClassWhileCompilingAnExpressionDoes() throws Exception {
    List<String> requested = Collections.synchronizedList(new ArrayList<>());
    try (URLClassLoader loader = new RecordingLoader(classPath(), requested)) {
      Class<?> templates = Class.forName(Templates.class.getName(), true, loader);
      assertThat(templates.getClassLoader()).isSameAs(loader);
      Object yes = templates.getMethod("has", String.class).invoke(null, "echo ${{ params.x }}");
      Object no = templates.getMethod("has", String.class).invoke(null, "echo plain");
      assertThat(yes).isEqualTo(true);
      assertThat(no).isEqualTo(false);
      Object item = templates.getMethod("text", Object.class).invoke(null, List.of(1, "a", 2.5));
      assertThat(item).isEqualTo("[1,\"a\",2.5]");
      assertThat(List.copyOf(requested))
          .contains(Templates.class.getName())
          .noneMatch(TemplatesClassLoadingTest::isCel)
          .doesNotContain(Expression.class.getName());

      // The recording sees CEL when it is used: the check above can fail.
      templates.getMethod("expressions", String.class).invoke(null, "${{ 1 + 1 }}");
      assertThat(List.copyOf(requested)).anyMatch(TemplatesClassLoadingTest::isCel);
    }
  }

  private static boolean isCel(String name) {
    return name.startsWith("dev.cel.")
        || name.startsWith("com.google.")
        || name.startsWith("org.antlr.")
        || name.startsWith("dev.shepherd.engine.expr.cel.");
  }

  /** The tests' class path (surefire puts it in a property, the JVM's is its booter jar). */
  private static URL[] classPath() throws Exception {
    String path =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    return urls.toArray(URL[]::new);
  }

  private static final class RecordingLoader extends URLClassLoader {
    private final List<String> requested;

    RecordingLoader(URL[] urls, List<String> requested) {
      super(urls, ClassLoader.getPlatformClassLoader());
      this.requested = requested;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      requested.add(name);
      return super.loadClass(name, resolve);
    }
  }
}
