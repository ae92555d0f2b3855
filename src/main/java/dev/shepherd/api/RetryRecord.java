package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One request to retry a workflow in place ({@code spec.retryGeneration}): taken or refused. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetryRecord {
  /** How many step names a record lists: a workflow of thousands of steps keeps its count only. */
  public static final int MAX_NAMED_STEPS = 20;

  @JsonPropertyDescription("The spec.retryGeneration of the request.")
  public Long generation;

  @JsonPropertyDescription("When it was taken or refused.")
  public String time;

  @JsonPropertyDescription("How many steps it ran again (0 when refused).")
  public Integer rerun;

  @JsonPropertyDescription("The first of those steps, in spec order.")
  public List<String> steps;

  @JsonPropertyDescription("Why the request was refused; absent when it was taken.")
  public String refused;

  public RetryRecord() {}

  public boolean taken() {
    return refused == null;
  }

  public RetryRecord copy() {
    RetryRecord c = new RetryRecord();
    c.generation = generation;
    c.time = time;
    c.rerun = rerun;
    c.steps = steps == null ? null : new ArrayList<>(steps);
    c.refused = refused;
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryRecord r
        && Objects.equals(generation, r.generation)
        && Objects.equals(time, r.time)
        && Objects.equals(rerun, r.rerun)
        && Objects.equals(steps, r.steps)
        && Objects.equals(refused, r.refused);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, time);
  }
}
