package io.troupe.cli.image;

import picocli.CommandLine.Command;

/**
 * {@code troupe image import|ls|rm}: the images each node holds, as {@code ctr image import} (k3s' air-gap images)
 * and {@code crictl images/rmi} show them on one node, reached through the API ({@code nodes/NAME/proxy/images}).
 */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage the images of the nodes.",
    subcommands = {ImageImportCommand.class, ImageListCommand.class, ImageRemoveCommand.class})
public final class ImageCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
