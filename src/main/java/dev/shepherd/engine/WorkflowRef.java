package dev.shepherd.engine;

/**
 * Which workflow the engine decides for, as expressions read it ({@code workflow.name}, {@code
 * workflow.namespace}).
 *
 * @param namespace empty where there is none ({@code shepherd run})
 */
public record WorkflowRef(String name, String namespace) {
  public WorkflowRef {
    name = name == null ? "" : name;
    namespace = namespace == null ? "" : namespace;
  }
}
