package io.troupe.cli.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.Kinds;
import io.troupe.cli.client.Manifest;
import io.troupe.persistence.model.ResourceType;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code troupe create -f}: creates each object; one that exists is a 409 AlreadyExists. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a resource from a file or stdin.")
public final class CreateCommand extends ClientCommand {
  @Option(names = {"-f", "--filename"}, required = true, description = "Files, folders or - (stdin).")
  List<String> files;

  @Option(names = "--save-config", description = "Record the configuration for later applies.")
  boolean saveConfig;

  @Override
  public Integer call() {
    for (Manifest.Item item : Manifest.read(files, System.in)) {
      ObjectNode config = saveConfig ? ApplyCommand.withLastApplied(item.object()) : item.object();
      ResourceType type = Kinds.ofManifest(config.path("apiVersion").asText(), config.path("kind").asText());
      String namespace = type.namespaced() ? config.path("metadata").path("namespace").asText(namespace()) : null;
      var created = client().create(Kinds.path(type, namespace, null), config);
      out().println(Kinds.display(type) + "/" + created.path("metadata").path("name").asText() + " created");
    }
    out().flush();
    return 0;
  }
}
