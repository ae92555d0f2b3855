package dev.shepherd.engine;

import dev.shepherd.api.Step;

/**
 * An attempt that the executor must start now. Attempts count from 1.
 *
 * @param step the name the attempt runs under, as the status entry has it and {@link
 *     Engine#finished} takes it back: the step's name, or for an instance of a loop step, its name
 *     and item index ({@link dev.shepherd.api.LoopStatus#instanceName})
 * @param run what to run: the spec's step with its expressions replaced by their values, and, for a
 *     loop instance, its item in the environment; the spec's step itself when there was nothing to
 *     replace
 */
public record StepStart(String step, int attempt, Step run) {}
