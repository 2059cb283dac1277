package io.troupe.cli.describe;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.ObjectRef;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.get.TableText;
import io.troupe.control.api.table.Age;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe describe KIND NAME}: a kubectl-like text view of an object's main fields ({@link Description}),
 * then its Events (listed with the field selector involvedObject.*).
 */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Show details of a resource.")
public final class DescribeCommand extends ClientCommand {
  @Parameters(paramLabel = "KIND NAME", arity = "1..*")
  List<String> args;

  @Override
  public Integer call() {
    boolean first = true;
    for (ObjectRef ref : ObjectRef.parse(args)) {
      if (!first) out().println();
      first = false;
      JsonNode object = client().get(ref.path(namespace()));
      Description d = new Description();
      Description.of(ref.type().kind(), object, d);
      events(object, d);
      out().print(d.text());
    }
    out().flush();
    return 0;
  }

  private void events(JsonNode object, Description d) {
    JsonNode meta = object.path("metadata");
    String ns = meta.path("namespace").asText("");
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("fieldSelector", "involvedObject.name=" + meta.path("name").asText()
        + (ns.isEmpty() ? "" : ",involvedObject.namespace=" + ns)
        + ",involvedObject.kind=" + object.path("kind").asText()
        + ",involvedObject.uid=" + meta.path("uid").asText());
    String path = KubeClient.query(ns.isEmpty() ? "/api/v1/events" : "/api/v1/namespaces/" + ns + "/events", fields);
    List<JsonNode> events = new ArrayList<>();
    client().get(path).path("items").forEach(events::add);
    if (events.isEmpty()) {
      d.line(0, "Events", "<none>");
      return;
    }
    events.sort(Comparator.comparing(e -> last(e)));
    d.line(0, "Events", "");
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("Type", "Reason", "Age", "From", "Message"));
    rows.add(List.of("----", "------", "----", "----", "-------"));
    Instant now = Instant.now();
    for (JsonNode e : events) {
      long count = e.path("count").asLong(1);
      String age = Age.since(last(e), now);
      if (count > 1) age += " (x" + count + " over " + Age.since(e.path("firstTimestamp").asText(null), now) + ")";
      String from = e.path("source").path("component").asText(e.path("reportingComponent").asText(""));
      rows.add(List.of(e.path("type").asText(), e.path("reason").asText(), age, from,
          e.path("message").asText().strip()));
    }
    var buffer = new java.io.StringWriter();
    TableText.print(rows, new java.io.PrintWriter(buffer));
    buffer.toString().lines().forEach(l -> d.raw("  " + l));
  }

  private static String last(JsonNode e) {
    String last = e.path("lastTimestamp").asText("");
    if (last.isEmpty()) last = e.path("eventTime").asText("");
    return last.isEmpty() ? e.path("metadata").path("creationTimestamp").asText("") : last;
  }
}
