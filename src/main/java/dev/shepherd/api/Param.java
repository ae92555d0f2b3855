package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A workflow parameter, given to every step as an environment variable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Param {
  @Required
  @Pattern("^[A-Za-z_][A-Za-z0-9_]*$")
  @JsonPropertyDescription("Name of the parameter; also the name of the environment variable.")
  public String name;

  @JsonPropertyDescription("Value of the parameter.")
  public String value;

  public Param() {}

  public Param(String name, String value) {
    this.name = name;
    this.value = value;
  }
}
