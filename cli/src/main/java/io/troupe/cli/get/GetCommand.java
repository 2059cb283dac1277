package io.troupe.cli.get;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.client.Kinds;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe get <kind> [name...]}: the server's Table printed as kubectl prints it, or the objects. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Display one or many resources.")
public final class GetCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KIND", description = "pods, deploy, svc, ... or KIND/NAME")
  String kind;

  @Parameters(index = "1..*", paramLabel = "NAME")
  List<String> names = new ArrayList<>();

  @Option(names = {"-o", "--output"}, description = "wide, yaml, json or name")
  String output;

  @Option(names = {"-l", "--selector"}, description = "Selector (label query) to filter on.")
  String selector;

  @Option(names = "--field-selector", description = "Selector (field query) to filter on.")
  String fieldSelector;

  @Option(names = {"-A", "--all-namespaces"}, description = "List the requested object(s) across all namespaces.")
  boolean allNamespaces;

  @Option(names = {"-w", "--watch"}, description = "After listing/getting the requested object, watch for changes.")
  boolean watch;

  @Option(names = "--no-headers", description = "Don't print headers.")
  boolean noHeaders;

  @Override
  public Integer call() {
    String kindName = kind;
    List<String> wanted = new ArrayList<>(names);
    int slash = kind.indexOf('/');
    if (slash > 0) {
      kindName = kind.substring(0, slash);
      wanted.add(0, kind.substring(slash + 1));
    }
    ResourceType type = Kinds.resolve(kindName);
    if (output != null && !List.of("wide", "yaml", "json", "name").contains(output)) {
      throw new CliException("error: unable to match a printer suitable for the output format \"" + output
          + "\", allowed formats are: json,name,wide,yaml");
    }
    String namespace = !type.namespaced() ? null : allNamespaces ? null : namespace();
    boolean tables = output == null || output.equals("wide");
    Map<String, String> params = new LinkedHashMap<>();
    params.put("labelSelector", selector);
    params.put("fieldSelector", fieldSelector);

    List<JsonNode> results = new ArrayList<>();
    String resourceVersion = null;
    if (wanted.isEmpty()) {
      String path = KubeClient.query(Kinds.path(type, namespace, null), params);
      JsonNode answer = tables ? client().table(path) : client().get(path);
      resourceVersion = answer.path("metadata").path("resourceVersion").asText(null);
      results.add(answer);
    } else {
      for (String name : wanted) {
        String path = Kinds.path(type, namespace == null && type.namespaced() ? namespace() : namespace, name);
        results.add(tables ? client().table(path) : client().get(path));
      }
    }

    if (tables) {
      printTables(type, results, namespace);
    } else {
      printObjects(type, results, wanted.isEmpty());
    }
    if (resourceVersion == null) resourceVersion = results.get(0).path("metadata").path("resourceVersion").asText(null);
    if (watch) watch(type, namespace, params, wanted, resourceVersion, tables);
    return 0;
  }

  private void printTables(ResourceType type, List<JsonNode> tables, String namespace) {
    JsonNode first = tables.get(0);
    var merged = first.deepCopy();
    var rows = ((com.fasterxml.jackson.databind.node.ObjectNode) merged).putArray("rows");
    for (JsonNode t : tables) rows.addAll((com.fasterxml.jackson.databind.node.ArrayNode) t.path("rows"));
    if (rows.isEmpty()) {
      if (!watch) noResources(type, namespace);
      return;
    }
    TableText.print(TableText.lines(merged, options(namespace)), out());
    headerPrinted = !noHeaders;
  }

  private TableText.Options options(String namespace) {
    return new TableText.Options("wide".equals(output), !noHeaders, allNamespaces);
  }

  private void noResources(ResourceType type, String namespace) {
    err().println(type.namespaced() && !allNamespaces ? "No resources found in " + namespace + " namespace."
        : "No resources found");
    err().flush();
  }

  private void printObjects(ResourceType type, List<JsonNode> answers, boolean list) {
    List<JsonNode> objects = new ArrayList<>();
    for (JsonNode a : answers) {
      if (list) a.path("items").forEach(item -> objects.add(withKind(type, item)));
      else objects.add(a);
    }
    if (objects.isEmpty() && list && !output.equals("yaml") && !output.equals("json")) {
      noResources(type, namespace());
      return;
    }
    switch (output) {
      case "name":
        for (JsonNode o : objects) out().println(Kinds.display(type) + "/" + o.path("metadata").path("name").asText());
        break;
      case "yaml":
        out().print(Output.yaml(list || objects.size() != 1 ? Output.list(objects) : objects.get(0)));
        break;
      default:
        out().println(Output.json(list || objects.size() != 1 ? Output.list(objects) : objects.get(0)));
        break;
    }
    out().flush();
  }

  /** Items of a list carry no kind on the wire; kubectl prints them with theirs. */
  private static JsonNode withKind(ResourceType type, JsonNode item) {
    var o = Json.object();
    o.put("apiVersion", type.apiVersion());
    o.put("kind", type.kind());
    item.fields().forEachRemaining(e -> o.set(e.getKey(), e.getValue()));
    return o;
  }

  /** {@code -w}: each change as a row (or an object), until the server ends the watch or the user stops it. */
  private void watch(ResourceType type, String namespace, Map<String, String> params, List<String> wanted,
      String resourceVersion, boolean tables) {
    Map<String, String> q = new LinkedHashMap<>(params);
    q.put("watch", "true");
    if (wanted.size() == 1) q.put("fieldSelector", "metadata.name=" + wanted.get(0));
    if (resourceVersion != null) q.put("resourceVersion", resourceVersion);
    String ns = namespace == null && type.namespaced() && !allNamespaces ? namespace() : namespace;
    String path = KubeClient.query(Kinds.path(type, ns, null), q);
    try (Stream<String> lines = client().lines(path, tables ? KubeClient.TABLE : KubeClient.JSON)) {
      lines.forEach(line -> {
        JsonNode event;
        try {
          event = Json.MAPPER.readTree(line);
        } catch (Exception e) {
          return;
        }
        String eventType = event.path("type").asText();
        if (eventType.equals("BOOKMARK")) return;
        if (eventType.equals("ERROR")) {
          throw new CliException("Error from server (" + event.path("object").path("reason").asText() + "): "
              + event.path("object").path("message").asText());
        }
        JsonNode object = event.path("object");
        if (tables) {
          TableText.Options o = new TableText.Options("wide".equals(output), !headerPrinted && !noHeaders,
              allNamespaces);
          TableText.print(TableText.lines(object, o), out());
          headerPrinted = true;
        } else {
          printObjects(type, List.of(object), false);
        }
      });
    }
  }

  private boolean headerPrinted;
}
