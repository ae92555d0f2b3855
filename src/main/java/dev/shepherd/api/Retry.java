package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How a failed step is retried: up to {@code limit} more attempts, with exponential backoff. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retry {
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Retries after the first attempt. 0 means no retry.")
  public Integer limit;

  @Min(0)
  @JsonPropertyDescription(
      "Delay before the first retry, in seconds (default 1). It doubles after every failure.")
  public Integer backoffSeconds;

  @Min(0)
  @JsonPropertyDescription("Cap on the delay between retries, in seconds (default 300).")
  public Integer maxBackoffSeconds;

  public Retry() {}

  public Retry(int limit, int backoffSeconds, Integer maxBackoffSeconds) {
    this.limit = limit;
    this.backoffSeconds = backoffSeconds;
    this.maxBackoffSeconds = maxBackoffSeconds;
  }
}
