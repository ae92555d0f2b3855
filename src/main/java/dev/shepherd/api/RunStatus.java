package dev.shepherd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What happened to one step, or to one instance of a loop step ({@link LoopStatus}): its attempts
 * and how the last one ended. Kept small: a finished step costs under 200 bytes of status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunStatus {
  public String name;
  public StepPhase phase;

  @JsonPropertyDescription("Exit code of the last attempt's command.")
  public Integer exitCode;

  @JsonPropertyDescription(
      "Why the last attempt ended, when it did not succeed: Error, OOMKilled, DeadlineExceeded, ...")
  public String reason;

  @JsonPropertyDescription("Attempts started so far.")
  public Integer attempts;

  public String startedAt;
  public String finishedAt;

  @JsonPropertyDescription("Pod of the last attempt (pod executor).")
  public String podName;

  @JsonPropertyDescription("Last lines of output of a failed attempt, or why the step was skipped.")
  public String message;

  @JsonPropertyDescription(
      "What the step wrote to the file named by $SHEPHERD_OUTPUT (name=value lines), once it"
          + " succeeded.")
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public Map<String, String> outputs;

  public RunStatus() {}

  public RunStatus(String name) {
    this.name = name;
    this.phase = StepPhase.Pending;
    this.attempts = 0;
  }

  public int attemptsOrZero() {
    return attempts == null ? 0 : attempts;
  }

  /** A copy that shares nothing mutable with this one. */
  public RunStatus copy() {
    RunStatus c = new RunStatus();
    copyInto(c);
    return c;
  }

  void copyInto(RunStatus c) {
    c.name = name;
    c.phase = phase;
    c.exitCode = exitCode;
    c.reason = reason;
    c.attempts = attempts;
    c.startedAt = startedAt;
    c.finishedAt = finishedAt;
    c.podName = podName;
    c.message = message;
    c.outputs = outputs == null ? null : new LinkedHashMap<>(outputs);
  }

  @Override
  public boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && o instanceof RunStatus s
        && Objects.equals(name, s.name)
        && phase == s.phase
        && Objects.equals(exitCode, s.exitCode)
        && Objects.equals(reason, s.reason)
        && Objects.equals(attempts, s.attempts)
        && Objects.equals(startedAt, s.startedAt)
        && Objects.equals(finishedAt, s.finishedAt)
        && Objects.equals(podName, s.podName)
        && Objects.equals(message, s.message)
        && Objects.equals(outputs, s.outputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, phase, exitCode, attempts, finishedAt);
  }
}
