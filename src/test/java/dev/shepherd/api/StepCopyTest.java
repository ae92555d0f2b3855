package dev.shepherd.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step.copy has every field: the engine runs a copy of a step, with its expressions replaced. */
class StepCopyTest {
  @Test
  void aCopyHasEveryField() throws Exception {
    Step step = new Step();
    for (Field f : Step.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.set(step, valueOf(f.getType()));
    }
    Step copy = step.copy();
    for (Field f : Step.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        assertThat(f.get(copy)).as(f.getName()).isNotNull().isSameAs(f.get(step));
      }
    }
  }

  private static Object valueOf(Class<?> type) throws Exception {
    if (type == String.class) {
      return "x";
    }
    if (type == Integer.class) {
      return 1;
    }
    if (type == Long.class) {
      return 1L;
    }
    if (type == Boolean.class) {
      return true;
    }
    if (type == List.class) {
      return List.of("x");
    }
    return type.getDeclaredConstructor().newInstance();
  }
}
