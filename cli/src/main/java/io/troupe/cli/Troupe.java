package io.troupe.cli;

import io.troupe.cli.apply.ApplyCommand;
import io.troupe.cli.apply.CreateCommand;
import io.troupe.cli.client.CliException;
import io.troupe.cli.describe.DescribeCommand;
import io.troupe.cli.get.GetCommand;
import io.troupe.cli.image.ImageCommand;
import io.troupe.cli.node.CordonCommand;
import io.troupe.cli.node.DrainCommand;
import io.troupe.cli.node.UncordonCommand;
import io.troupe.cli.rollout.RolloutCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code troupe}: the server and the kubectl-style client, one executable jar. */
@Command(name = "troupe", mixinStandardHelpOptions = true, versionProvider = Troupe.Version.class,
    description = "A container orchestrator in the shape of Kubernetes, on Apache Pekko.",
    subcommands = {ServerCommand.class, GetCommand.class, ApplyCommand.class, CreateCommand.class,
        DeleteCommand.class, ScaleCommand.class, RolloutCommand.class, LogsCommand.class, DescribeCommand.class,
        LabelCommand.class, CordonCommand.class, UncordonCommand.class, DrainCommand.class, HistoryCommand.class,
        ImageCommand.class})
public final class Troupe implements Runnable {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
  private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

  public static void main(String[] args) {
    // On two cores the JDK's common pool has parallelism 1, and CompletableFuture then starts a new thread for
    // every async step (Pekko's Java API chains them on it): ~2 thread starts per API write. Set before anything
    // touches the pool; an explicit -D setting wins.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    // A node agent starts processes all the time (two per pod, more for exec probes). The JDK's default on Linux,
    // posix_spawn, execs its jspawnhelper first, which then execs the command: measured here, a start cost 6.0 ms
    // of CPU in the child and 8.5 ms of wall time; vfork, which execs the command at once, 2.8 ms and 4.5 ms. Read
    // when the first process starts; an explicit -D setting wins.
    if (System.getProperty(LAUNCH_MECHANISM) == null) System.setProperty(LAUNCH_MECHANISM, "VFORK");
    terminal = System.console() != null;
    System.exit(commandLine().execute(args));
  }

  private static volatile boolean terminal;

  /** Whether {@code troupe} runs with its stdout on a terminal (live progress lines), not in a pipe or a test. */
  public static boolean onTerminal() {
    return terminal;
  }

  /**
   * The command line of {@code troupe}: a failure a command reports ({@link CliException}, worded as kubectl words
   * it) is printed alone on stderr with exit code 1; a usage error as picocli prints it, exit code 1 too (kubectl's).
   */
  public static CommandLine commandLine() {
    CommandLine line = new CommandLine(new Troupe());
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliException) {
        cmd.getErr().println(e.getMessage());
        cmd.getErr().flush();
        return 1;
      }
      throw e;
    });
    line.setParameterExceptionHandler((e, args) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().getErr().println("See 'troupe " + e.getCommandLine().getCommandName() + " --help' for usage.");
      return 1;
    });
    return line;
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
