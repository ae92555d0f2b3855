package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What happened to one step: its run, and for a loop step, its instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepStatus extends RunStatus {
  @JsonPropertyDescription("The instances of a loop step (items, itemsFrom).")
  public LoopStatus loop;

  public StepStatus() {}

  public StepStatus(String name) {
    super(name);
  }

  @Override
  public StepStatus copy() {
    StepStatus c = new StepStatus();
    copyInto(c);
    c.loop = loop == null ? null : loop.copy();
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o) && o instanceof StepStatus s && Objects.equals(loop, s.loop);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
