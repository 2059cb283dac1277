package io.troupe.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.ObjectRef;
import io.troupe.cli.client.CliException;
import io.troupe.cli.get.TableText;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe rollout history deployment/NAME}: the revisions of its ReplicaSets, with their change-cause. */
@Command(name = "history", mixinStandardHelpOptions = true, description = "View rollout history.")
public final class RolloutHistoryCommand extends ClientCommand {
  @Parameters(paramLabel = "deployment/NAME", arity = "1..2")
  List<String> args;

  @Option(names = "--revision", defaultValue = "0", description = "See the details of this revision.")
  long revision;

  @Override
  public Integer call() {
    ObjectRef ref = Deployments.deployment(args);
    JsonNode deployment = client().get(ref.path(namespace()));
    List<JsonNode> sets = Deployments.replicaSets(client(), namespace(), deployment);
    if (revision > 0) {
      JsonNode rs = sets.stream().filter(s -> Deployments.revision(s) == revision).findFirst()
          .orElseThrow(() -> new CliException("error: unable to find the specified revision"));
      out().println(ref + " with revision #" + revision);
      out().print(io.troupe.cli.get.Output.yaml(rs.path("spec").path("template")));
      out().flush();
      return 0;
    }
    out().println(ref);
    List<List<String>> lines = new ArrayList<>();
    lines.add(List.of("REVISION", "CHANGE-CAUSE"));
    for (JsonNode rs : sets) {
      long r = Deployments.revision(rs);
      if (r == 0) continue;
      String cause = rs.path("metadata").path("annotations").path(Deployments.CHANGE_CAUSE).asText("");
      lines.add(List.of(Long.toString(r), cause.isEmpty() ? "<none>" : cause));
    }
    TableText.print(lines, out());
    out().println();
    out().flush();
    return 0;
  }
}
