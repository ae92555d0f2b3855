package dev.shepherd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * SpecValidation's hand-written name checks accept exactly what their regular expressions accept.
 */
class SpecValidationNamesTest {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Short strings over an alphabet with every class of character the checks tell apart. */
  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withChars("az09AZ-_.é \u0000/").ofMinLength(0).ofMaxLength(8);
  }

  @Property(tries = 3000)
  void dnsLabelAsTheRegex(@ForAll("names") String s) {
    assertThat(SpecValidation.isDnsLabel(s))
        .as("'%s'", s)
        .isEqualTo(DNS_LABEL.matcher(s).matches());
  }

  @Property(tries = 3000)
  void envNameAsTheRegex(@ForAll("names") String s) {
    assertThat(SpecValidation.isEnvName(s)).as("'%s'", s).isEqualTo(ENV_NAME.matcher(s).matches());
  }

  @Test
  void examples() {
    assertThat(SpecValidation.isDnsLabel("a-1")).isTrue();
    assertThat(SpecValidation.isDnsLabel("-a")).isFalse();
    assertThat(SpecValidation.isDnsLabel("a-")).isFalse();
    assertThat(SpecValidation.isDnsLabel("A")).isFalse();
    assertThat(SpecValidation.isDnsLabel("")).isFalse();
    assertThat(SpecValidation.isEnvName("_X9")).isTrue();
    assertThat(SpecValidation.isEnvName("9X")).isFalse();
    assertThat(SpecValidation.isEnvName("A-B")).isFalse();
  }
}
