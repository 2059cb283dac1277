package io.troupe.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.ObjectRef;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe rollout status deployment/NAME}: watches the Deployment and prints where its rollout stands
 * (one live line on a terminal, a line per change otherwise) until it has rolled out, or {@code --timeout}.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the status of the rollout.")
public final class RolloutStatusCommand extends ClientCommand {
  @Parameters(paramLabel = "deployment/NAME", arity = "1..2")
  List<String> args;

  @Option(names = "--timeout", defaultValue = "0s", description = "How long to wait (0: forever).")
  String timeout;

  @Option(names = {"-w", "--watch"}, negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Watch the status of the rollout until it's done.")
  boolean watch;

  @Override
  public Integer call() {
    ObjectRef ref = Deployments.deployment(args);
    Duration limit = Durations.parse(timeout);
    Instant deadline = limit.isZero() ? null : Instant.now().plus(limit);
    // a live line (rewritten in place) only on a terminal; a line per change when the output is a file or a pipe
    boolean terminal = io.troupe.cli.Troupe.onTerminal();
    String last = null;
    JsonNode current = client().get(ref.path(namespace()));
    while (true) {
      Deployments.Progress p = Deployments.progress(current);
      if (!p.message().equals(last)) {
        if (terminal && !p.done()) {
          out().print("\r\033[K" + p.message());
        } else {
          out().println((terminal ? "\r\033[K" : "") + p.message());
        }
        out().flush();
        last = p.message();
      }
      if (p.done()) return 0;
      if (!watch) return 0;
      current = next(ref, current, deadline);
      if (current == null) {
        if (terminal) out().println();
        throw new CliException("error: timed out waiting for the condition");
      }
    }
  }


  /** The Deployment's next state from a watch from its resourceVersion, or null once the deadline has passed. */
  private JsonNode next(ObjectRef ref, JsonNode current, Instant deadline) {
    while (true) {
      long seconds = deadline == null ? 300 : Duration.between(Instant.now(), deadline).toSeconds();
      if (seconds <= 0) return null;
      Map<String, String> q = new LinkedHashMap<>();
      q.put("watch", "true");
      q.put("fieldSelector", "metadata.name=" + ref.name());
      q.put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
      q.put("timeoutSeconds", Long.toString(Math.max(1, seconds)));
      String path = KubeClient.query(io.troupe.cli.client.Kinds.path(ref.type(), namespace(), null), q);
      try (Stream<String> lines = client().lines(path, KubeClient.JSON)) {
        Iterator<String> it = lines.iterator();
        while (it.hasNext()) {
          JsonNode event = Json.MAPPER.readTree(it.next());
          String type = event.path("type").asText();
          if (type.equals("MODIFIED") || type.equals("ADDED")) return event.path("object");
          if (type.equals("DELETED")) {
            throw new CliException("error: deployment \"" + ref.name() + "\" was deleted");
          }
          if (type.equals("ERROR")) {
            current = client().get(ref.path(namespace()));
            return current;
          }
        }
      } catch (java.io.IOException e) {
        throw new CliException("error: " + e.getMessage());
      }
      if (deadline != null && Instant.now().isAfter(deadline)) return null;
    }
  }
}
