package dev.shepherd.engine;

import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.Workspace;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one attempt of a step runs, the same in every executor: the pod executor puts it into the
 * step's container, the local runner ({@code shepherd supervise}, {@code shepherd run}) spawns it
 * as a process. Defined once so that a step sees the same argv and environment wherever it runs.
 *
 * <p>The environment is the workflow's params, then {@value #WORKFLOW_VARIABLE}, {@value
 * #STEP_VARIABLE}, {@value #ATTEMPT_VARIABLE}, {@value Outputs#VARIABLE} (and {@value
 * Workspace#VARIABLE}, the workspace's mount path, when the workflow has one), then the step's own
 * env. Of duplicate names the last wins: the kubelet keeps the last, and {@link #variables} does
 * too, so a step's env overrides a param.
 *
 * @param command the step's command, as given; null or empty for the image's entrypoint, which only
 *     a container has
 * @param args the step's args, as given
 * @param env in order, duplicates kept; {@code valueFrom} entries as given (only a Pod resolves
 *     them)
 * @param workingDir the step's, or null when it has none: an empty one is none, as in a container
 */
public record StepInvocation(
    List<String> command, List<String> args, List<EnvVar> env, String workingDir) {
  public static final String WORKFLOW_VARIABLE = "SHEPHERD_WORKFLOW";
  public static final String STEP_VARIABLE = "SHEPHERD_STEP";
  public static final String ATTEMPT_VARIABLE = "SHEPHERD_ATTEMPT";

  /**
   * Attempt {@code attempt} (from 1) of {@code step} of the workflow {@code workflow}, which writes
   * its outputs to {@code outputFile} (a path where the step runs: each executor has its own).
   */
  public static StepInvocation of(
      String workflow, WorkflowSpec spec, Step step, int attempt, String outputFile) {
    List<EnvVar> env = new ArrayList<>();
    if (spec.params != null) {
      for (Param p : spec.params) {
        env.add(new EnvVar(p.name, p.value == null ? "" : p.value, null));
      }
    }
    env.add(new EnvVar(WORKFLOW_VARIABLE, workflow, null));
    env.add(new EnvVar(STEP_VARIABLE, step.name, null));
    env.add(new EnvVar(ATTEMPT_VARIABLE, Integer.toString(attempt), null));
    env.add(new EnvVar(Outputs.VARIABLE, outputFile, null));
    if (spec.workspace != null) {
      env.add(new EnvVar(Workspace.VARIABLE, spec.workspace.mountPathOrDefault(), null));
    }
    if (step.env != null) {
      env.addAll(step.env);
    }
    String dir = step.workingDir == null || step.workingDir.isEmpty() ? null : step.workingDir;
    return new StepInvocation(step.command, step.args, env, dir);
  }

  /** The argv of a process: command, then args; a null item is an empty string. */
  public List<String> argv() {
    List<String> argv = new ArrayList<>();
    if (command != null) {
      argv.addAll(command);
    }
    if (args != null) {
      argv.addAll(args);
    }
    argv.replaceAll(a -> a == null ? "" : a);
    return argv;
  }

  /**
   * The environment as a process gets it: each name once, where it first appears, with its last
   * value; a missing value (and a {@code valueFrom}, which only a Pod resolves) is empty.
   */
  public Map<String, String> variables() {
    Map<String, String> variables = new LinkedHashMap<>();
    for (EnvVar v : env) {
      variables.put(v.getName(), v.getValue() == null ? "" : v.getValue());
    }
    return variables;
  }
}
