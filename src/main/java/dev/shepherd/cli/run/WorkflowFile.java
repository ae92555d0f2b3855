package dev.shepherd.cli.run;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shepherd.api.Param;
import dev.shepherd.api.Step;
import dev.shepherd.api.TemplateOverlay;
import dev.shepherd.api.Workflow;
import dev.shepherd.api.WorkflowSpec;
import dev.shepherd.api.wire.Manifest;
import dev.shepherd.api.wire.QuickBinder;
import dev.shepherd.api.wire.StrictBinding;
import dev.shepherd.engine.Problem;
import dev.shepherd.engine.SpecValidation;
import dev.shepherd.engine.TemplateCalls;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Workflow manifest as {@code kubectl apply} takes it: YAML (or JSON), one or more documents.
 * Parsed strictly: an unknown field is an error, also inside the Kubernetes types (metadata, env,
 * resources), which would otherwise keep unknown fields aside silently. Every error names the file,
 * the document (counting from 1), the line and the field, e.g. {@code bad.yaml: document 1, line 7:
 * unknown field "dependz" in step "build"}.
 *
 * <p>A document's tree is plain Java values (maps, lists, strings, numbers, booleans, null), bound
 * by {@link QuickBinder} when it can, else by {@link StrictBinding}, as the manifest a supervisor
 * Pod carries is ({@link dev.shepherd.api.wire.CarriedManifest}). Jackson (the YAML parser, its
 * error messages) is named only in the nested holders {@code Yaml} and {@code Jackson}, loaded on
 * first use.
 */
public final class WorkflowFile {
  /**
   * One document of the file. {@code line} is where it starts; {@link #lineOf} finds its fields.
   */
  public record Document(
      String source,
      int index,
      int line,
      Manifest manifest,
      Object tree,
      Map<String, Integer> lines) {
    public WorkflowSpec spec() {
      return manifest.spec();
    }

    /**
     * The line of the field at this JSON pointer (e.g. {@code /spec/steps/1/depends}), or of its
     * nearest parent.
     */
    public int lineOf(String pointer) {
      String p = pointer;
      while (!p.isEmpty()) {
        Integer line = lines.get(p);
        if (line != null) {
          return line;
        }
        p = p.substring(0, p.lastIndexOf('/'));
      }
      return line;
    }

    /**
     * The line of the field at this path as {@link dev.shepherd.engine.Problem} gives it (e.g.
     * {@code spec.steps[1].depends[0]}), or of its nearest parent.
     */
    public int lineOfField(String path) {
      StringBuilder pointer = new StringBuilder("/");
      for (int i = 0; i < path.length(); i++) {
        char c = path.charAt(i);
        if (c == '.' || c == '[') {
          pointer.append('/');
        } else if (c != ']') {
          pointer.append(c);
        }
      }
      return lineOf(pointer.toString());
    }

    /**
     * What {@link SpecValidation} finds in the spec for {@code target}, each problem after the
     * place of its field ({@link #where}).
     */
    public List<String> problems(SpecValidation.Target target) {
      return located(SpecValidation.problems(spec(), target));
    }

    /** Each problem after the place of its field in this document ({@link #where}). */
    public List<String> located(List<Problem> problems) {
      List<String> found = new ArrayList<>();
      for (Problem p : problems) {
        found.add(where(lineOfField(p.path())) + p.message());
      }
      return found;
    }

    /** {@code file: document N, line L: } */
    public String where(int atLine) {
      return source + ": document " + index + ", line " + atLine + ": ";
    }

    /** The name of the Workflow, or the file's name when it has none. */
    public String name() {
      ObjectMeta metadata = manifest.metadata();
      if (metadata != null && metadata.getName() != null && !metadata.getName().isBlank()) {
        return metadata.getName();
      }
      String base = source.replaceAll(".*/", "").replaceAll("\\.(ya?ml|json)$", "");
      return base.equals("-") || base.isEmpty() ? "workflow" : base;
    }
  }

  /** A file that can't run; the message says what and where, ready to print. */
  public static final class InvalidFile extends Exception {
    public InvalidFile(String message) {
      super(message);
    }
  }

  /**
   * The YAML parser, made on first use. Only this class names the YAML types; the other methods see
   * a {@code JsonParser} and an {@code ObjectMapper}: a YAMLFactory passed where a JsonFactory is
   * taken would make the verifier load it, and SnakeYAML with it, with {@code WorkflowFile}.
   */
  private static final class Yaml {
    private static final YAMLFactory FACTORY =
        (YAMLFactory)
            new YAMLFactory() // not its builder: other defaults
                .setStreamReadConstraints(StrictBinding.NESTING);

    static JsonParser parser(String text) throws IOException {
      return FACTORY.createParser(text);
    }

    static ObjectMapper mapper() {
      return new ObjectMapper(FACTORY);
    }
  }

  private WorkflowFile() {}

  /**
   * Reads every document of {@code text}.
   *
   * @param source how to name the file in messages (its path, or {@code -} for stdin)
   */
  public static List<Document> parse(String source, String text) throws InvalidFile {
    Parsed file = read(source, text);
    if (file.workflows().isEmpty()) {
      throw new InvalidFile(source + ": no Workflow in the file.");
    }
    List<Document> documents = new ArrayList<>();
    for (Document doc : file.workflows()) {
      documents.add(file.resolved(doc));
    }
    return documents;
  }

  /**
   * A file's documents as written: its WorkflowTemplates (each read as the Workflow it has the
   * shape of) and its Workflows (a CronWorkflow as the Workflow it creates), each list in file
   * order, and the kind each of those Workflows has in the file.
   */
  public record Parsed(List<Document> templates, List<Document> workflows, List<String> kinds) {
    /** The templates' specs by name. */
    public Map<String, WorkflowSpec> templateSpecs() {
      Map<String, WorkflowSpec> specs = new LinkedHashMap<>();
      for (Document t : templates) {
        specs.put(t.manifest().name(), t.spec());
      }
      return specs;
    }

    /**
     * {@code doc} with the spec it runs: its workflowTemplateRef resolved and its steps' template
     * calls expanded, from this file's templates only.
     *
     * @throws InvalidFile naming the line and field of a template that is not in the file, a cycle
     *     of calls, or another problem of the expansion
     */
    public Document resolved(Document doc) throws InvalidFile {
      return WorkflowFile.resolved(doc, templateSpecs());
    }

    /** Whether every template that {@code doc} runs or calls, transitively, is in this file. */
    public boolean selfContained(Document doc) {
      Map<String, WorkflowSpec> specs = templateSpecs();
      WorkflowSpec spec = doc.spec();
      java.util.Deque<WorkflowSpec> toCheck = new java.util.ArrayDeque<>(List.of(spec));
      if (spec.workflowTemplateRef != null) {
        WorkflowSpec named = specs.get(spec.workflowTemplateRef.name);
        if (named == null) {
          return false;
        }
        toCheck.add(named);
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      while (!toCheck.isEmpty()) {
        for (String name : TemplateCalls.called(toCheck.pop())) {
          if (!specs.containsKey(name)) {
            return false;
          }
          if (seen.add(name)) {
            toCheck.add(specs.get(name));
          }
        }
      }
      return true;
    }
  }

  /** The documents of a file of Workflows and WorkflowTemplates, as written (nothing resolved). */
  public static Parsed read(String source, String text) throws InvalidFile {
    List<Map<String, Integer>> lines = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    List<Object> trees = new ArrayList<>();
    Jackson.scan(source, text, lines, starts, trees);
    List<Document> templates = new ArrayList<>();
    List<Document> workflows = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < trees.size(); i++) {
      Object tree = trees.get(i);
      if (tree == null) {
        continue; // an empty document
      }
      if (tree instanceof Map<?, ?> map && TEMPLATE_KIND.equals(asText(map.get("kind")))) {
        templates.add(template(source, i + 1, starts.get(i), map, lines.get(i), templates));
        continue;
      }
      workflows.add(document(source, i + 1, starts.get(i), tree, lines.get(i)));
      kinds.add(tree instanceof Map<?, ?> map ? asText(map.get("kind")) : null);
    }
    return new Parsed(templates, workflows, kinds);
  }

  private static final String TEMPLATE_KIND = "WorkflowTemplate";

  /**
   * A WorkflowTemplate document: checked and bound as a Workflow is (it has a Workflow's spec), and
   * kept by its name for the Workflows of the file to run ({@code workflowTemplateRef}) or call
   * ({@code steps[].template}).
   */
  private static Document template(
      String source,
      int index,
      int line,
      Map<?, ?> tree,
      Map<String, Integer> lines,
      List<Document> before)
      throws InvalidFile {
    Map<Object, Object> asWorkflow = new LinkedHashMap<>(tree);
    asWorkflow.put("kind", "Workflow");
    Document doc = document(source, index, line, asWorkflow, lines);
    String name = doc.manifest().name();
    if (name == null || name.isBlank()) {
      throw new InvalidFile(
          doc.where(doc.lineOf("/metadata"))
              + "the WorkflowTemplate has no metadata.name, by which Workflows name it.");
    }
    for (Document other : before) {
      if (name.equals(other.manifest().name())) {
        throw new InvalidFile(
            doc.where(doc.lineOf("/metadata/name"))
                + "a second WorkflowTemplate named \""
                + name
                + "\" in the file.");
      }
    }
    return doc;
  }

  /**
   * The document with the spec it runs: its workflowTemplateRef resolved, and its steps' template
   * calls expanded ({@link TemplateCalls}), from the file's templates only.
   */
  private static Document resolved(Document doc, Map<String, WorkflowSpec> templates)
      throws InvalidFile {
    WorkflowSpec spec = doc.spec();
    if (spec.workflowTemplateRef != null && SpecValidation.referenceProblems(spec).isEmpty()) {
      String name = spec.workflowTemplateRef.name;
      WorkflowSpec template = templates.get(name);
      if (template == null || template.workflowTemplateRef != null) {
        throw new InvalidFile(
            doc.where(doc.lineOf("/spec/workflowTemplateRef/name"))
                + "spec.workflowTemplateRef.name: WorkflowTemplate \""
                + name
                + (template == null
                    ? "\" is not in the file; shepherd run reads templates only from the file it"
                        + " runs (documents of kind WorkflowTemplate)."
                    : "\" has a workflowTemplateRef itself; a template must have steps."));
      }
      spec = TemplateOverlay.resolve(spec, template);
    }
    TemplateCalls.Expansion expansion = TemplateCalls.expand(spec, templates);
    if (!expansion.problems().isEmpty()) {
      List<String> messages = new ArrayList<>();
      for (Problem p : expansion.problems()) {
        messages.add(doc.where(doc.lineOfField(p.path())) + p.path() + ": " + p.message());
      }
      throw new InvalidFile(String.join("\n", messages));
    }
    if (expansion.spec() == doc.spec()) {
      return doc;
    }
    Map<String, Integer> lines = new HashMap<>(doc.lines());
    lines.keySet().removeIf(p -> p.startsWith("/spec/steps/") || p.startsWith("/spec/finally/"));
    moveLines(doc.lines(), "/spec/steps/", spec.steps, expansion.spec().steps, lines);
    moveLines(
        doc.lines(), "/spec/finally/", spec.finallySteps, expansion.spec().finallySteps, lines);
    return new Document(
        doc.source(),
        doc.index(),
        doc.line(),
        new Manifest(doc.manifest().metadata(), expansion.spec()),
        doc.tree(),
        lines);
  }

  /**
   * The lines of a list of steps as written, put at the steps' places after the expansion, so that
   * a problem of an expanded spec points at its step's line: a step as written keeps the lines of
   * its fields, a step inlined from a template points at the line of the step that calls it.
   */
  private static void moveLines(
      Map<String, Integer> written,
      String list,
      List<Step> before,
      List<Step> after,
      Map<String, Integer> into) {
    if (before == null || after == null) {
      return;
    }
    Map<String, Integer> indexes = new HashMap<>();
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i) != null && before.get(i).name != null) {
        indexes.put(before.get(i).name, i);
      }
    }
    for (int k = 0; k < after.size(); k++) {
      String name = after.get(k) == null ? null : after.get(k).name;
      Integer origin = name == null ? null : indexes.get(name);
      if (origin != null && before.get(origin).template == null) {
        String from = list + origin;
        String to = list + k;
        written.forEach(
            (pointer, line) -> {
              if (pointer.equals(from) || pointer.startsWith(from + "/")) {
                into.put(to + pointer.substring(from.length()), line);
              }
            });
        continue;
      }
      for (int i = 0; name != null && i < before.size(); i++) {
        Step call = before.get(i);
        if (call != null
            && call.template != null
            && name.startsWith(call.name + TemplateCalls.SEPARATOR)
            && written.containsKey(list + i)) {
          into.put(list + k, written.get(list + i));
        }
      }
    }
  }

  /**
   * A {@code --param NAME=VALUE} of the command line, its name an environment variable's.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Map.Entry<String, String> param(String nameValue) {
    int at = nameValue.indexOf('=');
    if (at <= 0) {
      throw new IllegalArgumentException("--param needs NAME=VALUE, got \"" + nameValue + "\"");
    }
    String name = nameValue.substring(0, at);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "--param " + name + ": not a valid environment variable name");
    }
    return Map.entry(name, nameValue.substring(at + 1));
  }

  /**
   * Sets the params named in {@code overrides} in the spec: a param of the same name gets the
   * value, the others are added after the spec's own.
   */
  public static void applyParams(WorkflowSpec spec, Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      return;
    }
    List<Param> params = spec.params == null ? new ArrayList<>() : new ArrayList<>(spec.params);
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      Param existing =
          params.stream()
              .filter(p -> p != null && o.getKey().equals(p.name))
              .findFirst()
              .orElse(null);
      if (existing != null) {
        existing.value = o.getValue();
      } else {
        params.add(new Param(o.getKey(), o.getValue()));
      }
    }
    spec.params = params;
  }

  /** One document's tree, checked and bound. */
  private static Document document(
      String source, int index, int line, Object tree, Map<String, Integer> lines)
      throws InvalidFile {
    Document partial = new Document(source, index, line, null, tree, lines);
    if (!(tree instanceof Map)) {
      throw new InvalidFile(
          partial.where(partial.line())
              + "a document must be a mapping (a Workflow), not "
              + QuickBinder.kindOf(tree)
              + ".");
    }
    if ("CronWorkflow".equals(asText(((Map<?, ?>) tree).get("kind")))) {
      partial = cronWorkflowsRun(partial);
      tree = partial.tree();
      lines = partial.lines();
    }
    checkKind(partial);
    Manifest manifest = QuickBinder.bind(tree);
    if (manifest == null) {
      manifest = Manifest.of(Jackson.bind(partial));
    }
    if (manifest.spec() == null) {
      throw new InvalidFile(partial.where(partial.line()) + "the Workflow has no spec.");
    }
    return new Document(source, index, line, manifest, tree, lines);
  }

  /** The fields of a CronWorkflow's spec (dev.shepherd.api.CronWorkflowSpec). */
  private static final List<Object> CRON_FIELDS =
      List.of(
          "schedule",
          "timeZone",
          "concurrencyPolicy",
          "startingDeadlineSeconds",
          "suspend",
          "successfulJobsHistoryLimit",
          "failedJobsHistoryLimit",
          "workflowSpec");

  /**
   * A CronWorkflow as the Workflow it creates, run once, now: its metadata, and its
   * spec.workflowSpec as the spec. The lines of the workflowSpec's fields move with it, so that a
   * problem in a step still points at its line. The schedule is not read: nothing is scheduled.
   */
  private static Document cronWorkflowsRun(Document cron) throws InvalidFile {
    Map<?, ?> tree = (Map<?, ?>) cron.tree();
    if (!(tree.get("spec") instanceof Map<?, ?> spec)) {
      throw new InvalidFile(cron.where(cron.lineOf("/spec")) + "the CronWorkflow has no spec.");
    }
    for (Object field : spec.keySet()) {
      if (!CRON_FIELDS.contains(field)) {
        throw new InvalidFile(
            cron.where(cron.lineOf("/spec/" + field))
                + "unknown field \""
                + field
                + "\" in spec"
                + suggestion(field.toString(), CRON_FIELDS)
                + ".");
      }
    }
    if (!(spec.get("workflowSpec") instanceof Map<?, ?> workflowSpec)) {
      throw new InvalidFile(
          cron.where(cron.lineOf("/spec/workflowSpec"))
              + "the CronWorkflow has no spec.workflowSpec (a mapping: the Workflow's spec).");
    }
    Map<String, Object> workflow = new LinkedHashMap<>();
    workflow.put("apiVersion", tree.get("apiVersion"));
    workflow.put("kind", "Workflow");
    if (tree.containsKey("metadata")) {
      workflow.put("metadata", tree.get("metadata"));
    }
    workflow.put("spec", workflowSpec);
    String prefix = "/spec/workflowSpec";
    Map<String, Integer> lines = new HashMap<>();
    cron.lines()
        .forEach(
            (pointer, line) -> {
              if (pointer.startsWith(prefix)) {
                lines.put("/spec" + pointer.substring(prefix.length()), line);
              } else if (!pointer.startsWith("/spec")) {
                lines.put(pointer, line);
              }
            });
    return new Document(cron.source(), cron.index(), cron.line(), null, workflow, lines);
  }

  /** The documents' trees, as {@link #parse} reads them (null stands for an empty document). */
  static List<Object> trees(String source, String text) throws InvalidFile {
    List<Object> trees = new ArrayList<>();
    Jackson.scan(source, text, new ArrayList<>(), new ArrayList<>(), trees);
    return trees;
  }

  private static void checkKind(Document doc) throws InvalidFile {
    Map<?, ?> tree = (Map<?, ?>) doc.tree();
    String apiVersion = asText(tree.get("apiVersion"));
    String kind = asText(tree.get("kind"));
    if (!"Workflow".equals(kind)) {
      throw new InvalidFile(
          doc.where(doc.lineOf("/kind"))
              + (kind == null ? "no kind" : "kind is \"" + kind + "\"")
              + "; shepherd run takes Workflows (apiVersion: "
              + Workflow.API_VERSION
              + ", kind: Workflow), runs a CronWorkflow's workflowSpec once, and reads the"
              + " WorkflowTemplates they use.");
    }
    if (!Workflow.API_VERSION.equals(apiVersion)) {
      throw new InvalidFile(
          doc.where(doc.lineOf("/apiVersion"))
              + (apiVersion == null ? "no apiVersion" : "apiVersion is \"" + apiVersion + "\"")
              + "; expected "
              + Workflow.API_VERSION
              + ".");
    }
  }

  /**
   * A field path in words: {@code spec}, {@code step "build"}, {@code step "build" env[0]}, {@code
   * metadata}.
   */
  static String place(Document doc, String pointer) {
    if (pointer.isEmpty()) {
      return "the Workflow";
    }
    String[] parts = pointer.substring(1).split("/");
    StringBuilder words = new StringBuilder();
    int i = 0;
    if (parts.length >= 3
        && parts[0].equals("spec")
        && parts[1].equals("steps")
        && parts[2].matches("\\d+")) {
      Object name = stepName(doc.tree(), Integer.parseInt(parts[2]));
      words.append(
          name instanceof String n ? "step \"" + n + "\"" : "spec.steps[" + parts[2] + "]");
      i = 3;
    }
    for (; i < parts.length; i++) {
      if (parts[i].matches("\\d+")) {
        words.append('[').append(parts[i]).append(']');
      } else {
        if (!words.isEmpty()) {
          words.append(words.charAt(words.length() - 1) == '"' ? " " : ".");
        }
        words.append(parts[i]);
      }
    }
    return words.toString();
  }

  /**
   * A plain value as text, as Jackson's {@code asText(null)} gives it: null for null (or absent),
   * "" for a mapping or a list, the text of a string, number or boolean ({@code kind: 3} is {@code
   * kind is "3"}, not "no kind").
   */
  private static String asText(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof Map || value instanceof List ? "" : value.toString();
  }

  /** spec.steps[index].name of a plain tree, or null. */
  private static Object stepName(Object tree, int index) {
    if (tree instanceof Map<?, ?> doc
        && doc.get("spec") instanceof Map<?, ?> spec
        && spec.get("steps") instanceof List<?> steps
        && index < steps.size()
        && steps.get(index) instanceof Map<?, ?> step) {
      return step.get("name");
    }
    return null;
  }

  /** {@code (did you mean "depends"?)} when a known field is one or two edits away. */
  private static String suggestion(String unknown, Collection<Object> known) {
    if (known == null) {
      return "";
    }
    String best = null;
    int bestDistance = 3;
    for (Object k : known) {
      int d = distance(unknown.toLowerCase(), k.toString().toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k.toString();
      }
    }
    return best == null ? "" : " (did you mean \"" + best + "\"?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * Everything of {@code WorkflowFile} that names Jackson's types, loaded on first use: the YAML
   * scan, and the error messages for what {@link QuickBinder} leaves to {@link StrictBinding}.
   */
  private static final class Jackson {
    private Jackson() {}

    /** Binds the document's tree strictly, or says what is wrong with it and where. */
    static Workflow bind(Document partial) throws InvalidFile {
      try {
        return StrictBinding.bind(partial.tree());
      } catch (JsonProcessingException e) {
        throw new InvalidFile(describe(partial, e));
      }
    }

    /** Reads the YAML once token by token, for the syntax errors and the line of every field. */
    static void scan(
        String source,
        String text,
        List<Map<String, Integer>> lines,
        List<Integer> starts,
        List<Object> trees)
        throws InvalidFile {
      try (JsonParser parser = Yaml.parser(text)) {
        JsonToken token;
        while ((token = parser.nextToken()) != null) {
          Map<String, Integer> docLines = new HashMap<>();
          starts.add(parser.currentTokenLocation().getLineNr());
          lines.add(docLines);
          if (!token.isStructStart()) {
            trees.add(null); // a scalar document: read below like the others
            continue;
          }
          // Record the line of every field and list item; the tree comes from a second read below.
          int depth = 0;
          do {
            docLines.putIfAbsent(
                parser.getParsingContext().pathAsPointer().toString(),
                parser.currentTokenLocation().getLineNr());
            if (token.isStructStart()) {
              depth++;
            }
            if (token.isStructEnd()) {
              depth--;
            }
            if (depth == 0) {
              break;
            }
            token = parser.nextToken();
          } while (token != null);
          trees.add(null); // filled in below
        }
      } catch (JsonProcessingException e) {
        throw new InvalidFile(syntaxError(source, e, starts.size()));
      } catch (IOException e) {
        throw new InvalidFile(source + ": " + e.getMessage());
      }
      // The trees, now that the text is known to parse.
      try {
        try (JsonParser parser = Yaml.parser(text)) {
          for (int i = 0; parser.nextToken() != null; i++) {
            trees.set(i, PlainTree.read(parser));
          }
        } catch (PlainTree.Unusual e) {
          // Something PlainTree leaves to Jackson (a duplicate key, a float...): all documents
          // again with it.
          ObjectMapper plain =
              Yaml.mapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
          try (JsonParser parser = Yaml.parser(text)) {
            for (int i = 0; parser.nextToken() != null; i++) {
              JsonNode tree = plain.readTree(parser);
              trees.set(i, tree == null ? null : plain.convertValue(tree, Object.class));
            }
          }
        }
      } catch (IOException e) {
        throw new InvalidFile(source + ": " + e.getMessage());
      }
    }

    /**
     * Reads one document into plain values without an ObjectMapper (whose set-up is a good part of
     * the start-up of {@code shepherd run}): mappings, lists, strings, booleans, nulls and whole
     * numbers of int or long size, as the supervisor's JSON reader makes them. Anything else is
     * {@link Unusual}, and the caller reads the file with the mapper instead.
     */
    private static final class PlainTree {
      static final class Unusual extends Exception {
        Unusual() {
          super(null, null, false, false);
        }
      }

      static Object read(JsonParser p) throws IOException, Unusual {
        return switch (p.currentToken()) {
          case START_OBJECT -> {
            Map<String, Object> object = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              if (object.containsKey(name)) {
                throw new Unusual(); // the mapper reports it
              }
              object.put(name, read(p));
            }
            yield object;
          }
          case START_ARRAY -> {
            List<Object> array = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              array.add(read(p));
            }
            yield array;
          }
          case VALUE_STRING -> p.getText();
          case VALUE_TRUE -> Boolean.TRUE;
          case VALUE_FALSE -> Boolean.FALSE;
          case VALUE_NULL -> null;
          case VALUE_NUMBER_INT ->
              switch (p.getNumberType()) {
                case INT -> (Object) p.getIntValue();
                case LONG -> (Object) p.getLongValue();
                default -> throw new Unusual();
              };
          default -> throw new Unusual();
        };
      }
    }

    private static String syntaxError(String source, JsonProcessingException e, int documents) {
      JsonLocation at = e.getLocation();
      String what = e.getOriginalMessage();
      if (what != null) {
        // snakeyaml's messages carry a snippet with a caret after the first line; keep the
        // sentence.
        what =
            what.lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("^") && !l.startsWith("in 'reader'"))
                .reduce((a, b) -> a + " " + b)
                .orElse(what);
      }
      return source
          + ": document "
          + Math.max(1, documents)
          + (at == null || at.getLineNr() < 1 ? "" : ", line " + at.getLineNr())
          + ": invalid YAML: "
          + what;
    }

    /** A message for a mapping error: where, which field, and what was wrong. */
    static String describe(Document doc, JsonProcessingException e) {
      List<JsonMappingException.Reference> path =
          e instanceof JsonMappingException m ? m.getPath() : List.of();
      StringBuilder pointer = new StringBuilder();
      for (JsonMappingException.Reference r : path) {
        pointer
            .append('/')
            .append(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
      }
      int line = doc.lineOf(pointer.toString());
      if (e instanceof UnrecognizedPropertyException u) {
        String parent = pointer.substring(0, Math.max(0, pointer.lastIndexOf("/")));
        return doc.where(line)
            + "unknown field \""
            + u.getPropertyName()
            + "\" in "
            + place(doc, parent)
            + suggestion(u.getPropertyName(), u.getKnownPropertyIds())
            + ".";
      }
      String field = pointer.isEmpty() ? "the document" : "field " + place(doc, pointer.toString());
      if (e instanceof InvalidFormatException f) {
        return doc.where(line)
            + field
            + ": \""
            + f.getValue()
            + "\" is not a valid "
            + typeName(f.getTargetType())
            + ".";
      }
      if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
        return doc.where(line) + field + ": expected " + typeName(m.getTargetType()) + ".";
      }
      String message =
          e.getOriginalMessage() == null
              ? e.toString()
              : e.getOriginalMessage().lines().findFirst().orElse("");
      return doc.where(line) + field + ": " + message;
    }

    private static String typeName(Class<?> type) {
      if (type == null) {
        return "value";
      }
      if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
        return "integer";
      }
      if (type == String.class) {
        return "string";
      }
      if (type == Boolean.class || type == boolean.class) {
        return "boolean";
      }
      if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
        return "list";
      }
      if (type.isEnum()) {
        List<String> values = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
          values.add(StrictBinding.mapper().convertValue(c, String.class));
        }
        return "value (one of " + String.join(", ", values) + ")";
      }
      return "mapping (" + type.getSimpleName() + ")";
    }
  }
}
