package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.get.Output;
import io.troupe.persistence.model.Json;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe history KIND/NAME}: every change of an object as the journal keeps it, oldest first, each with its
 * time, author and what it changed (the API's {@code history.troupe.io}); {@code --as-of TIME} prints the object as
 * it was then.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Show an object's history: every change with its time, author and diff.")
public final class HistoryCommand extends ClientCommand {
  @Parameters(paramLabel = "KIND/NAME | KIND NAME", arity = "1..2")
  List<String> args;

  @Option(names = "--as-of", paramLabel = "TIME", description = "Print the object as it was at this RFC 3339 time.")
  String asOf;

  @Option(names = {"-o", "--output"}, description = "json or yaml: the history (or the object) as the API gives it.")
  String output;

  @Override
  public Integer call() {
    List<ObjectRef> refs = ObjectRef.parse(args);
    if (refs.size() != 1) throw new CliException("error: history shows one object at a time");
    ObjectRef ref = refs.get(0);
    String path = "/apis/history.troupe.io/v1" + (ref.type().namespaced() ? "/namespaces/" + namespace() : "")
        + "/" + ref.type().plural() + "/" + ref.name();
    if (asOf != null) path = KubeClient.query(path, Map.of("asOf", asOf));
    JsonNode answer = client().get(path);
    if (asOf != null || output != null) {
      out().print("json".equals(output) ? Output.json(answer) : Output.yaml(answer));
      return 0;
    }
    out().println("History of " + ref + " since " + answer.path("historyStartsAt").asText());
    for (JsonNode entry : answer.path("entries")) {
      out().println();
      out().println(entry.path("time").asText() + "  " + entry.path("type").asText() + " by "
          + entry.path("author").asText() + "  (resourceVersion " + entry.path("resourceVersion").asText() + ")");
      for (JsonNode op : entry.path("diff")) out().println("  " + change(op));
    }
    return 0;
  }

  /** One line per change: {@code + /path value}, {@code ~ /path value}, {@code - /path}; the whole object as one. */
  private static String change(JsonNode op) {
    String path = op.path("path").asText();
    String value = op.has("value") ? Json.write(op.get("value")) : "";
    if (value.length() > 200) value = value.substring(0, 197) + "...";
    return switch (op.path("op").asText()) {
      case "add" -> path.isEmpty() ? "+ (the whole object) " + value : "+ " + path + " " + value;
      case "remove" -> "- " + path;
      default -> "~ " + path + " " + value;
    };
  }
}
