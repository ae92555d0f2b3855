package dev.shepherd.supervisor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a scenario of a scenario main ({@link SupervisorScenarios}, {@link
 * WorkflowRunnerScenarios}): its one registration. The main runs it by its method name, and the
 * process test that starts the main takes the list of names from these marks ({@link
 * Scenarios#names}); ScenariosTest fails if a scenario-like method is not marked.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Scenario {}
