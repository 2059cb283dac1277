package io.troupe.cli.rollout;

import picocli.CommandLine.Command;

/** {@code troupe rollout status|history|undo deployment/NAME}. */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Manage the rollout of a deployment.",
    subcommands = {RolloutStatusCommand.class, RolloutHistoryCommand.class, RolloutUndoCommand.class})
public final class RolloutCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
