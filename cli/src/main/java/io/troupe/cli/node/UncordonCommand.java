package io.troupe.cli.node;

import io.troupe.cli.ClientCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code troupe uncordon NODE}: marks the node schedulable again. */
@Command(name = "uncordon", mixinStandardHelpOptions = true, description = "Mark node as schedulable.")
public final class UncordonCommand extends ClientCommand {
  @Parameters(paramLabel = "NODE", arity = "1..*")
  java.util.List<String> nodes;

  @Override
  public Integer call() {
    for (String node : nodes) Schedulable.set(client(), node, true, out());
    return 0;
  }
}
