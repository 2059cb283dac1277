package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe label KIND NAME k=v k-}: sets and removes labels ({@code --overwrite} to change one). */
@Command(name = "label", mixinStandardHelpOptions = true, description = "Update the labels on a resource.")
public final class LabelCommand extends ClientCommand {
  @Parameters(paramLabel = "KIND NAME KEY=VAL... KEY-...", arity = "2..*")
  List<String> args;

  @Option(names = "--overwrite", description = "Allow labels to be overwritten.")
  boolean overwrite;

  @Override
  public Integer call() {
    List<String> objects = new ArrayList<>();
    List<String> changes = new ArrayList<>();
    for (String a : args) {
      if (a.contains("=") || (a.endsWith("-") && !objects.isEmpty() && (objects.get(0).contains("/")
          || objects.size() >= 2))) {
        changes.add(a);
      } else {
        objects.add(a);
      }
    }
    if (changes.isEmpty()) throw new CliException("error: at least one label update is required");
    for (ObjectRef ref : ObjectRef.parse(objects)) {
      String path = ref.path(namespace());
      JsonNode current = client().get(path).path("metadata").path("labels");
      ObjectNode labels = Json.object();
      boolean removed = false;
      for (String change : changes) {
        if (change.endsWith("-") && !change.contains("=")) {
          String key = change.substring(0, change.length() - 1);
          if (current.has(key)) {
            labels.putNull(key);
            removed = true;
          }
          continue;
        }
        String key = change.substring(0, change.indexOf('='));
        String value = change.substring(change.indexOf('=') + 1);
        if (current.has(key) && !overwrite && !current.path(key).asText().equals(value)) {
          throw new CliException("error: '" + key + "' already has a value (" + current.path(key).asText()
              + "), and --overwrite is false");
        }
        if (!current.path(key).asText("\0").equals(value)) labels.put(key, value);
      }
      if (labels.isEmpty()) {
        out().println(ref + " not labeled");
        continue;
      }
      ObjectNode patch = Json.object();
      patch.putObject("metadata").set("labels", labels);
      client().patch(path, KubeClient.MERGE_PATCH, patch);
      boolean added = labels.properties().stream().anyMatch(e -> !e.getValue().isNull());
      out().println(ref + (removed && !added ? " unlabeled" : " labeled"));
    }
    out().flush();
    return 0;
  }
}
