package dev.shepherd.engine;

/** An attempt of a step that the executor must start now. Attempts count from 1. */
public record StepStart(String step, int attempt) {}
