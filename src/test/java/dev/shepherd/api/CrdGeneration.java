package dev.shepherd.api;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates the Workflow CRD from the Java model with the fabric8 CRD generator, at test time (so
 * on every build). The generator has no annotation for {@code x-kubernetes-list-type}, so a
 * post-processor marks the keyed lists; the API server then rejects duplicate step names.
 */
public final class CrdGeneration {
  public static final String FILE_NAME = "workflows.shepherd.dev-v1.yml";
  public static final Path COMMITTED = Path.of("crds", FILE_NAME);
  public static final String TEMPLATE_FILE_NAME = "workflowtemplates.shepherd.dev-v1.yml";
  public static final String CRON_FILE_NAME = "cronworkflows.shepherd.dev-v1.yml";

  /** Every CRD file, as crds/ and deploy/crd/ hold them. */
  public static final List<String> FILE_NAMES =
      List.of(FILE_NAME, TEMPLATE_FILE_NAME, CRON_FILE_NAME);

  private CrdGeneration() {}

  /**
   * Generates the CRDs into {@code target/generated-crds} and returns the Workflow's file; the
   * others are next to it ({@link #FILE_NAMES}).
   */
  public static synchronized Path generate() {
    Path dir = Path.of("target", "generated-crds");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    new CRDGenerator()
        .customResourceClasses(Workflow.class, WorkflowTemplate.class, CronWorkflow.class)
        .forCRDVersions("v1")
        .withPostProcessor(
            new io.fabric8.crdv2.generator.CRDPostProcessor() {
              @Override
              public io.fabric8.kubernetes.api.model.HasMetadata process(
                  io.fabric8.kubernetes.api.model.HasMetadata crd, String version) {
                CustomResourceDefinition definition = (CustomResourceDefinition) crd;
                if (definition.getSpec().getNames().getKind().equals("CronWorkflow")) {
                  JSONSchemaProps workflowSpec =
                      spec(definition).getProperties().get("workflowSpec");
                  markKeyedLists(workflowSpec);
                  // A CronWorkflow may change the executor of the Workflows it creates next.
                  workflowSpec.getProperties().get("executor").setXKubernetesValidations(null);
                  orderColumns(
                      definition, "Schedule", "Suspend", "Active", "Last", "Age", "TimeZone");
                } else {
                  markKeyedLists(spec(definition));
                  orderColumns(definition, "Phase", "Progress", "Age", "Executor", "Message");
                }
                return crd;
              }
            })
        .inOutputDir(dir.toFile())
        .generate();
    return dir.resolve(FILE_NAME);
  }

  /** kubectl shows columns in CRD order; the generator sorts them by name. */
  private static void orderColumns(CustomResourceDefinition crd, String... names) {
    if (crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns() == null) {
      return; // a WorkflowTemplate has none
    }
    List<String> order = List.of(names);
    crd.getSpec()
        .getVersions()
        .get(0)
        .getAdditionalPrinterColumns()
        .sort(java.util.Comparator.comparingInt(c -> order.indexOf(c.getName())));
  }

  private static JSONSchemaProps spec(CustomResourceDefinition crd) {
    return crd.getSpec()
        .getVersions()
        .get(0)
        .getSchema()
        .getOpenAPIV3Schema()
        .getProperties()
        .get("spec");
  }

  private static void markKeyedLists(JSONSchemaProps spec) {
    for (String list : List.of("steps", "finally", "params")) {
      JSONSchemaProps props = spec.getProperties().get(list);
      props.setXKubernetesListType("map");
      props.setXKubernetesListMapKeys(List.of("name"));
    }
  }
}
