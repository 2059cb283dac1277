package io.troupe.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.CliException;
import io.troupe.cli.get.TableText;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code troupe image ls [--node NAME]}: a table of NODE IMAGE ID SIZE, one row per name of each image (a tag, or
 * the digest name of an image pulled by digest), as {@code crictl images} shows one node's.
 */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the images of the nodes.")
public final class ImageListCommand extends ClientCommand {
  @Option(names = "--node", paramLabel = "NAME", description = "This node only (default: every Ready node).")
  String node;

  @Override
  public Integer call() {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NODE", "IMAGE", "ID", "SIZE"));
    List<String> failed = new ArrayList<>();
    for (String n : NodeImages.nodes(client(), node)) {
      JsonNode images;
      try {
        images = client().get(NodeImages.path(n, "")).path("images");
      } catch (ApiError e) {
        err().println(n + ": " + e.getMessage());
        failed.add(n);
        continue;
      }
      for (JsonNode image : images) {
        List<String> tags = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        image.path("names").forEach(x -> (x.asText().contains("@") ? digests : tags).add(x.asText()));
        List<String> shown = !tags.isEmpty() ? tags : !digests.isEmpty() ? digests : List.of("<none>");
        for (String name : shown) {
          rows.add(List.of(n, name, NodeImages.shortId(image.path("id").asText()),
              NodeImages.size(image.path("sizeBytes").asLong())));
        }
      }
    }
    if (rows.size() > 1) {
      TableText.print(rows, out());
    } else if (failed.isEmpty()) {
      err().println("No images found.");
    }
    err().flush();
    if (!failed.isEmpty()) throw new CliException("error: cannot list the images of " + String.join(", ", failed));
    return 0;
  }
}
