package io.troupe.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.client.Kinds;
import io.troupe.cli.client.Manifest;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code troupe apply -f}: creates what is absent, else sends the three-way patch ({@link ThreeWayPatch}) from
 * the configuration recorded in {@code kubectl.kubernetes.io/last-applied-configuration}, recorded anew each time.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a configuration to a resource by file name or stdin.")
public final class ApplyCommand extends ClientCommand {
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  @Option(names = {"-f", "--filename"}, required = true, description = "Files, folders or - (stdin).")
  List<String> files;

  @Override
  public Integer call() {
    for (Manifest.Item item : Manifest.read(files, System.in)) {
      ObjectNode config = item.object();
      ResourceType type = Kinds.ofManifest(config.path("apiVersion").asText(), config.path("kind").asText());
      String name = config.path("metadata").path("name").asText("");
      if (name.isEmpty()) throw new io.troupe.cli.client.CliException("error: error when retrieving current "
          + "configuration of " + item.source() + ": resource name may not be empty");
      String namespace = type.namespaced() ? config.path("metadata").path("namespace").asText(namespace()) : null;
      ObjectNode modified = withLastApplied(config);
      JsonNode current;
      try {
        current = client().get(Kinds.path(type, namespace, name));
      } catch (ApiError e) {
        if (!e.notFound()) throw e;
        client().create(Kinds.path(type, namespace, null), modified);
        say(type, name, "created");
        continue;
      }
      JsonNode original = lastApplied(current);
      ObjectNode patch = ThreeWayPatch.of(original, modified, current);
      patch.remove(List.of("apiVersion", "kind"));
      if (patch.isEmpty()) {
        say(type, name, "unchanged");
      } else {
        client().patch(Kinds.path(type, namespace, name), KubeClient.STRATEGIC_MERGE_PATCH, patch);
        say(type, name, "configured");
      }
    }
    return 0;
  }

  private void say(ResourceType type, String name, String what) {
    out().println(Kinds.display(type) + "/" + name + " " + what);
    out().flush();
  }

  /** The configuration with its own JSON (without the annotation) recorded in the annotation, as kubectl does. */
  static ObjectNode withLastApplied(ObjectNode config) {
    ObjectNode copy = config.deepCopy();
    ObjectNode meta = copy.with("metadata");
    ObjectNode annotations = meta.with("annotations");
    annotations.remove(LAST_APPLIED);
    if (annotations.isEmpty()) meta.remove("annotations");
    String recorded = Json.write(copy) + "\n";
    copy.with("metadata").with("annotations").put(LAST_APPLIED, recorded);
    return copy;
  }

  static JsonNode lastApplied(JsonNode current) {
    String text = current.path("metadata").path("annotations").path(LAST_APPLIED).asText("");
    if (text.isEmpty()) return Json.object();
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      return Json.object();
    }
  }
}
