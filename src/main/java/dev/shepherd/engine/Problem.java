package dev.shepherd.engine;

/**
 * Why a spec can't run, as {@link SpecValidation} finds it.
 *
 * @param path the field it is about, as the manifest spells it: {@code spec.steps[2].depends[0]},
 *     {@code spec.parallelism}; {@code shepherd run} points at that field's line with it
 * @param step the name of the step it is about, or null when it is about no step (or the step has
 *     none)
 * @param message a sentence naming the field and the step, as the Workflow's status shows it
 */
public record Problem(String path, String step, String message) {}
