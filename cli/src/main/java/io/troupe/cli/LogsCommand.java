package io.troupe.cli;

import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe logs POD [-c C] [-f] [--tail N] [--previous] [--timestamps]}. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print the logs for a container in a pod.")
public final class LogsCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "POD")
  String pod;

  @Option(names = {"-c", "--container"}, description = "Print the logs of this container.")
  String container;

  @Option(names = {"-f", "--follow"}, description = "Specify if the logs should be streamed.")
  boolean follow;

  @Option(names = "--tail", defaultValue = "-1", description = "Lines of recent log file to display.")
  long tail;

  @Option(names = {"-p", "--previous"}, description = "Print the logs for the previous instance of the container.")
  boolean previous;

  @Option(names = "--timestamps", description = "Include timestamps on each line in the log output.")
  boolean timestamps;

  @Override
  public Integer call() {
    String name = pod.startsWith("pod/") ? pod.substring(4) : pod.startsWith("pods/") ? pod.substring(5) : pod;
    Map<String, String> q = new LinkedHashMap<>();
    q.put("container", container);
    q.put("follow", follow ? "true" : null);
    q.put("tailLines", tail >= 0 ? Long.toString(tail) : null);
    q.put("previous", previous ? "true" : null);
    q.put("timestamps", timestamps ? "true" : null);
    String path = KubeClient.query("/api/v1/namespaces/" + namespace() + "/pods/" + name + "/log", q);
    try (InputStream in = client().stream(path);
        var reader = new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
      char[] buffer = new char[8192];
      int n;
      var out = out();
      while ((n = reader.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      throw new CliException("error: reading the log: " + e.getMessage());
    }
    return 0;
  }
}
