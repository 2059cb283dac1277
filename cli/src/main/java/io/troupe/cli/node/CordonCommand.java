package io.troupe.cli.node;

import io.troupe.cli.ClientCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code troupe cordon NODE}: marks the node unschedulable. */
@Command(name = "cordon", mixinStandardHelpOptions = true, description = "Mark node as unschedulable.")
public final class CordonCommand extends ClientCommand {
  @Parameters(paramLabel = "NODE", arity = "1..*")
  java.util.List<String> nodes;

  @Override
  public Integer call() {
    for (String node : nodes) Schedulable.set(client(), node, false, out());
    return 0;
  }
}
