package io.troupe.cli;

import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.Json;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe scale deployment/web --replicas=3}: through the scale subresource. */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Set a new size for a deployment or replica set.")
public final class ScaleCommand extends ClientCommand {
  @Parameters(paramLabel = "KIND/NAME", arity = "1..*")
  List<String> args;

  @Option(names = "--replicas", required = true, description = "The new desired number of replicas.")
  int replicas;

  @Override
  public Integer call() {
    if (replicas < 0) throw new CliException("error: The --replicas=COUNT flag is required, and COUNT must be "
        + "greater than or equal to 0");
    for (ObjectRef ref : ObjectRef.parse(args)) {
      if (!ref.type().hasScale()) {
        throw new CliException("error: cannot scale a " + ref.type().kind() + ": no scale subresource");
      }
      var patch = Json.object();
      patch.putObject("spec").put("replicas", replicas);
      client().patch(ref.path(namespace()) + "/scale", KubeClient.MERGE_PATCH, patch);
      out().println(ref + " scaled");
    }
    out().flush();
    return 0;
  }
}
