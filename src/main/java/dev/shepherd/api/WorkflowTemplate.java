package dev.shepherd.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Workflow's spec kept for reuse: a Workflow with {@code spec.workflowTemplateRef} runs it.
 * Nothing runs a template by itself, so it has no status and no controller.
 */
@Group(Workflow.GROUP)
@Version(Workflow.VERSION)
@Plural("workflowtemplates")
@Singular("workflowtemplate")
@ShortNames("wftmpl")
public class WorkflowTemplate extends CustomResource<WorkflowSpec, Void> implements Namespaced {}
