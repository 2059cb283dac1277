package io.troupe.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe image import FILE.tar [--node NAME]}: the images of a {@code docker save} or OCI-layout tarball
 * into a node's image store, or into every Ready node's (as k3s' air-gap images land on every node).
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import the images of a tarball (docker save or OCI layout) into the nodes.")
public final class ImageImportCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "FILE.tar")
  Path file;

  @Option(names = "--node", paramLabel = "NAME", description = "Import into this node only (default: every Ready node).")
  String node;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) throw new CliException("error: " + file + ": no such file");
    List<String> failed = new ArrayList<>();
    for (String n : NodeImages.nodes(client(), node)) {
      try {
        JsonNode answer = client().upload(NodeImages.path(n, "/import"), file, "application/x-tar",
            Duration.ofMinutes(30));
        for (JsonNode image : answer.path("images")) {
          List<String> names = new ArrayList<>();
          image.path("names").forEach(x -> names.add(x.asText()));
          out().println(n + ": imported " + (names.isEmpty() ? "<none>" : String.join(", ", names)) + " ("
              + NodeImages.shortId(image.path("id").asText()) + ", " + NodeImages.size(image.path("sizeBytes")
              .asLong()) + ")");
        }
        out().flush();
      } catch (ApiError e) {
        err().println(n + ": " + e.getMessage());
        err().flush();
        failed.add(n);
      }
    }
    if (!failed.isEmpty()) throw new CliException("error: the import of " + file.getFileName() + " failed on " + String.join(", ", failed));
    return 0;
  }
}
