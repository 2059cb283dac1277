package io.troupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code troupe}: the server and (later) the kubectl-style client, one executable jar. */
@Command(name = "troupe", mixinStandardHelpOptions = true, versionProvider = Troupe.Version.class,
    description = "A container orchestrator in the shape of Kubernetes, on Apache Pekko.",
    subcommands = {ServerCommand.class})
public final class Troupe implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Troupe()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Troupe.class.getPackage().getImplementationVersion();
      return new String[] {"troupe " + (v == null ? "dev" : v)};
    }
  }
}
