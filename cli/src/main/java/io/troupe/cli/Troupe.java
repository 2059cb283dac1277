package io.troupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code troupe}: the server and (later) the kubectl-style client, one executable jar. */
@Command(name = "troupe", mixinStandardHelpOptions = true, versionProvider = Troupe.Version.class,
    description = "A container orchestrator in the shape of Kubernetes, on Apache Pekko.",
    subcommands = {ServerCommand.class})
public final class Troupe implements Runnable {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // On two cores the JDK's common pool has parallelism 1, and CompletableFuture then starts a new thread for
    // every async step (Pekko's Java API chains them on it): ~2 thread starts per API write. Set before anything
    // touches the pool; an explicit -D setting wins.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
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
