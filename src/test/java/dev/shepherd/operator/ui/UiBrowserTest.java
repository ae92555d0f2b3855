package dev.shepherd.operator.ui;

import static dev.shepherd.operator.OperatorHarness.step;
import static dev.shepherd.operator.OperatorHarness.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shepherd.api.Executor;
import dev.shepherd.api.Step;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowPhase;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.e2e.Example;
import dev.shepherd.operator.OperatorHarness;
import dev.shepherd.operator.StepPodBuilder;
import dev.shepherd.operator.TestingCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's headless chromium, driven through its chromedriver by
 * Selenium, against the real Operator on the mock API server, with the test kubelet ending steps.
 * Skipped when chromium or chromedriver is missing ({@code .ci/run} installs both). Screenshots go
 * to {@code target/ui-screenshots/} (the README's are copies of them).
 */
class UiBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

  private OperatorHarness h;
  private UiServer ui;
  private WebDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start(@TempDir Path profile) throws IOException {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
    h = new OperatorHarness();
    ui =
        new UiServer(
            h.cluster.client, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), true);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // The machine has no network beyond loopback: chromium's own background connections only
    // fail, so they are turned off.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    // The graph is redrawn whenever the operator writes the status: an element a condition found
    // may be gone when it reads it, and the condition is tried again.
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (ui != null) {
      ui.close();
    }
    if (h != null) {
      h.close();
    }
  }

  private void open(String fragment) {
    browser.get("http://127.0.0.1:" + ui.port() + "/#" + fragment);
  }

  /** fetch, then build and test and a loop of three shards, then report; notify in finally. */
  private static Workflow pipeline(String name) {
    Step shards = step("shard", "fetch");
    shards.items = List.of("a", "b", "c");
    Workflow w =
        workflow(
            name,
            step("fetch"),
            step("build", "fetch"),
            step("test", "fetch"),
            shards,
            step("report", "build", "test", "shard"));
    w.getSpec().finallySteps = List.of(step("notify"));
    return w;
  }

  private By node(String step) {
    return By.cssSelector("g.node[data-step='" + step + "']");
  }

  /** Clicks the element {@code by} finds, found again if the page redrew it meanwhile. */
  private void click(By by) {
    wait.until(
        b -> {
          b.findElement(by).click();
          return true;
        });
  }

  /** The text of the element {@code by} finds, found again if the page redrew it meanwhile. */
  private String text(By by) {
    return wait.until(b -> b.findElement(by).getText());
  }

  private String phaseOf(String step) {
    return (String) inOneScript("return document.querySelector(arguments[0]).dataset.phase", step);
  }

  /**
   * {@code script} run on the node of {@code step} (its selector as arguments[0]) in one go: the
   * graph is redrawn whenever the operator writes the status, so an element found by one call may
   * be gone at the next.
   */
  private Object inOneScript(String script, String step) {
    return ((JavascriptExecutor) browser).executeScript(script, "g.node[data-step='" + step + "']");
  }

  @Test
  void theListShowsTheWorkflowsWithTheirPhaseAndProgress() throws IOException {
    h.cluster.create(pipeline("nightly"));
    h.cluster.create(workflow("release", step("tag")));
    h.kubelet.succeed(h.awaitPod("release-tag-1").getMetadata().getName());
    h.awaitWorkflow("release", w -> w.getStatus().phase == WorkflowPhase.Succeeded);
    h.awaitPod("nightly-fetch-1");

    open("/");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.workflow"), 2));
    wait.until(
        ExpectedConditions.attributeToBe(
            By.cssSelector("tr.workflow[data-name='release']"), "data-phase", "Succeeded"));
    assertThat(text(By.cssSelector("tr.workflow[data-name='release']")))
        .contains("test")
        .contains("Succeeded")
        .contains("1/1");
    screenshot("ui-list.png");

    open("/?namespace=elsewhere");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.workflow"), 0));
  }

  @Test
  void theGraphDrawsEveryStepAndANodeChangesColourWhenItsStepEnds() throws IOException {
    h.cluster.create(pipeline("graph"));
    h.awaitPod("graph-fetch-1");
    h.cluster.log("graph-fetch-1", "Cloning into 'src'...\nfetched 1,204 files\n");
    h.kubelet.running("graph-fetch-1");

    open("/workflows/test/graph");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("g.node"), 6));
    assertThat(
            ((JavascriptExecutor) browser)
                .executeScript(
                    "return [...document.querySelectorAll(\"g.node[data-group='finally']\")]"
                        + ".map(n => n.dataset.step)"))
        .isEqualTo(List.of("notify"));
    assertThat(browser.findElements(By.cssSelector("path.edge"))).hasSize(6);
    wait.until(ExpectedConditions.attributeToBe(node("fetch"), "data-phase", "Running"));
    String running = fill("fetch");

    h.kubelet.succeed("graph-fetch-1");
    wait.until(ExpectedConditions.attributeToBe(node("fetch"), "data-phase", "Succeeded"));
    assertThat(fill("fetch")).isNotEqualTo(running).isEqualTo("rgb(63, 163, 91)");

    // The loop is one node, whose label counts its instances as they end.
    h.awaitPod(StepPodBuilder.podName("graph", "shard[0]", 1));
    for (int i = 0; i < 3; i++) {
      h.kubelet.succeed(
          h.awaitPod(StepPodBuilder.podName("graph", "shard[" + i + "]", 1))
              .getMetadata()
              .getName());
    }
    h.kubelet.succeed(h.awaitPod("graph-build-1").getMetadata().getName());
    h.kubelet.running(h.awaitPod("graph-test-1").getMetadata().getName());
    wait.until(ExpectedConditions.textToBePresentInElementLocated(node("shard"), "×3 (3✓ 0✗)"));
    wait.until(ExpectedConditions.attributeToBe(node("build"), "data-phase", "Succeeded"));
    wait.until(ExpectedConditions.attributeToBe(node("test"), "data-phase", "Running"));
    click(node("fetch"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "fetched"));
    screenshot("ui-graph.png");
  }

  @Test
  void theGraphOfEveryExampleInBothExecutorsHasANodeForEachOfItsSteps() throws IOException {
    List<Path> files = Example.files();
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      for (Executor executor : Executor.values()) {
        drawsEveryStep(file, executor);
      }
    }
  }

  private void drawsEveryStep(Path file, Executor executor) throws IOException {
    // The shared reader: a file may hold the WorkflowTemplates its Workflow runs, or a
    // CronWorkflow, drawn as one run of its workflowSpec.
    Example example = Example.read(file);
    example.createTemplates(h.cluster.client, TestingCluster.NAMESPACE);
    Workflow w = example.workflow();
    w.getMetadata().setNamespace(TestingCluster.NAMESPACE);
    w.getMetadata().setName(w.getMetadata().getName() + "-" + executor.name().toLowerCase());
    w.getSpec().executor = executor;
    h.cluster.create(w);
    WorkflowSpec drawn = example.spec();
    List<String> steps = drawn.allSteps().stream().map(s -> s.name).toList();

    open("/workflows/test/" + w.getMetadata().getName());
    // Read in one script: the graph is redrawn whenever the operator writes the status.
    List<String> sorted = steps.stream().sorted().toList();
    wait.withMessage(file + " " + executor)
        .until(
            b ->
                sorted.equals(
                    ((JavascriptExecutor) b)
                        .executeScript(
                            "return [...document.querySelectorAll('g.node')]"
                                + ".map(n => n.dataset.step).sort()")));
  }

  @Test
  void aFailedStepsPanelShowsItsExitCodeReasonAndLog() {
    h.cluster.create(workflow("broken", step("compile"), step("ship", "compile")));
    h.awaitPod("broken-compile-1");
    h.cluster.log("broken-compile-1", "gcc main.c\nmain.c:3: error: expected ';'\n");
    h.kubelet.exit("broken-compile-1", 2, "Error", "compile failed", null);
    h.awaitWorkflow("broken", w -> w.getStatus().phase == WorkflowPhase.Failed);

    open("/workflows/test/broken");
    wait.until(ExpectedConditions.attributeToBe(node("compile"), "data-phase", "Failed"));
    click(node("compile"));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("log"), "main.c:3: error: expected ';'"));
    String details = text(By.id("step-details"));
    assertThat(details).contains("Exit code\n2").contains("Reason\nError").contains("Attempts\n1");
    assertThat(phaseOf("ship")).isEqualTo("Skipped");
  }

  @Test
  void theCancelButtonCancelsARunningWorkflow() {
    h.cluster.create(workflow("long", step("sleep"), step("after", "sleep")));
    h.awaitPod("long-sleep-1");
    h.kubelet.running("long-sleep-1");

    open("/workflows/test/long");
    wait.until(ExpectedConditions.attributeToBe(node("sleep"), "data-phase", "Running"));
    wait.until(ExpectedConditions.elementToBeClickable(By.id("action-cancel")));
    click(By.id("action-cancel"));
    h.awaitWorkflow("long", w -> w.getStatus().phase == WorkflowPhase.Cancelled);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("wf-phase"), "Cancelled"));
    wait.until(ExpectedConditions.attributeToBe(node("after"), "data-phase", "Skipped"));
    assertThat(h.cluster.get("long").getSpec().cancel).isTrue();
  }

  private String fill(String step) {
    return (String)
        inOneScript(
            "return getComputedStyle(document.querySelector(arguments[0] + ' rect')).fill", step);
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(
        SCREENSHOTS.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
