package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the instances of a loop step did, kept small at any fan-out: counts, and an entry only for
 * each instance that is running, waiting for a retry, or failed. Instances start in item order, so
 * every item below {@link #started} that has no entry here succeeded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoopStatus {
  @JsonPropertyDescription("Items of the loop.")
  public Integer total;

  @JsonPropertyDescription("Instances started so far; they start in item order.")
  public Integer started;

  public Integer succeeded;
  public Integer failed;

  @JsonPropertyDescription("Instances never started, because an instance failed or the run ended.")
  public Integer skipped;

  @JsonPropertyDescription(
      "Running and retrying instances, and the first failed ones; named <step>[<itemIndex>].")
  public List<RunStatus> instances = new ArrayList<>();

  public LoopStatus() {}

  public LoopStatus(int total) {
    this.total = total;
    this.started = 0;
    this.succeeded = 0;
    this.failed = 0;
    this.skipped = 0;
  }

  /** The name of the instance of {@code step} for item {@code index}, as its status entry has. */
  public static String instanceName(String step, int index) {
    return step + "[" + index + "]";
  }

  /** The item index of an instance name made by {@link #instanceName}, or -1 for a step's name. */
  public static int indexOf(String name) {
    int open = name.indexOf('[');
    if (open < 0 || !name.endsWith("]")) {
      return -1;
    }
    try {
      return Integer.parseInt(name, open + 1, name.length() - 1, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The step of an instance name, or the name itself for a step's name. */
  public static String stepOf(String name) {
    int open = name.indexOf('[');
    return open < 0 ? name : name.substring(0, open);
  }

  /** The entry of the instance named {@code name} ({@link #instanceName}), or null. */
  public RunStatus instance(String name) {
    if (instances != null) {
      for (RunStatus instance : instances) {
        if (instance.name.equals(name)) {
          return instance;
        }
      }
    }
    return null;
  }

  public LoopStatus copy() {
    LoopStatus c = new LoopStatus();
    c.total = total;
    c.started = started;
    c.succeeded = succeeded;
    c.failed = failed;
    c.skipped = skipped;
    c.instances = new ArrayList<>();
    if (instances != null) {
      for (RunStatus st : instances) {
        c.instances.add(st.copy());
      }
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoopStatus l
        && Objects.equals(total, l.total)
        && Objects.equals(started, l.started)
        && Objects.equals(succeeded, l.succeeded)
        && Objects.equals(failed, l.failed)
        && Objects.equals(skipped, l.skipped)
        && Objects.equals(instances, l.instances);
  }

  @Override
  public int hashCode() {
    return Objects.hash(total, started, succeeded, failed);
  }
}
