package io.troupe.cli.image;

import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.CliException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe image rm REF [--node NAME]}: removes a name (or, given an image id, the image with all its names)
 * from the nodes; the layers no other image uses go with the last name. An error when no node had it.
 */
@Command(name = "rm", aliases = "rmi", mixinStandardHelpOptions = true,
    description = "Remove an image (by name or id) from the nodes.")
public final class ImageRemoveCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "REF")
  String reference;

  @Option(names = "--node", paramLabel = "NAME", description = "This node only (default: every Ready node).")
  String node;

  @Override
  public Integer call() {
    List<String> nodes = NodeImages.nodes(client(), node);
    List<String> removedFrom = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String n : nodes) {
      try {
        client().delete(NodeImages.path(n, "/" + NodeImages.referencePath(reference)));
        out().println(n + ": deleted " + reference);
        removedFrom.add(n);
      } catch (ApiError e) {
        if (e.notFound()) continue;
        err().println(n + ": " + e.getMessage());
        failed.add(n);
      }
    }
    out().flush();
    err().flush();
    if (!failed.isEmpty()) throw new CliException("error: cannot remove " + reference + " from " + String.join(", ", failed));
    if (removedFrom.isEmpty()) {
      throw new CliException("error: image \"" + reference + "\" not found on " + (nodes.size() == 1
          ? "node " + nodes.get(0) : "any of the nodes " + String.join(", ", nodes)));
    }
    return 0;
  }
}
