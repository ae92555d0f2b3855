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
  public static final Path TEMPLATE_COMMITTED = Path.of("crds", TEMPLATE_FILE_NAME);

  private CrdGeneration() {}

  /**
   * Generates the CRDs (Workflow, WorkflowTemplate) into {@code target/generated-crds} and returns
   * the Workflow's file; the others are beside it.
   */
  public static synchronized Path generate() {
    Path dir = Path.of("target", "generated-crds");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    new CRDGenerator()
        .customResourceClasses(Workflow.class, WorkflowTemplate.class)
        .forCRDVersions("v1")
        .withPostProcessor(
            new io.fabric8.crdv2.generator.CRDPostProcessor() {
              @Override
              public io.fabric8.kubernetes.api.model.HasMetadata process(
                  io.fabric8.kubernetes.api.model.HasMetadata crd, String version) {
                markKeyedLists((CustomResourceDefinition) crd);
                orderColumns((CustomResourceDefinition) crd);
                return crd;
              }
            })
        .inOutputDir(dir.toFile())
        .generate();
    return dir.resolve(FILE_NAME);
  }

  /** kubectl shows columns in CRD order; the generator sorts them by name. */
  private static void orderColumns(CustomResourceDefinition crd) {
    if (crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns() == null) {
      return;
    }
    List<String> order = List.of("Phase", "Progress", "Age", "Executor", "Message");
    crd.getSpec()
        .getVersions()
        .get(0)
        .getAdditionalPrinterColumns()
        .sort(java.util.Comparator.comparingInt(c -> order.indexOf(c.getName())));
  }

  private static void markKeyedLists(CustomResourceDefinition crd) {
    JSONSchemaProps spec =
        crd.getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec");
    for (String list : List.of("steps", "finally", "params")) {
      JSONSchemaProps props = spec.getProperties().get(list);
      props.setXKubernetesListType("map");
      props.setXKubernetesListMapKeys(List.of("name"));
    }
  }
}
