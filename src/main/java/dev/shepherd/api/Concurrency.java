package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** At most {@link #max} Workflows of one {@link #key} run at once in a namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Concurrency {
  @Required
  @JsonPropertyDescription(
      "The queue's name; may use ${{ params.x }}. Workflows of a namespace with the same key share"
          + " it.")
  public String key;

  @Min(1)
  @JsonPropertyDescription("How many Workflows of the key may run at once (default 1).")
  public Integer max;

  public int maxOrDefault() {
    return max == null ? 1 : max;
  }
}
