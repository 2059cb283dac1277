package io.troupe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.node.agent.NodeAgents;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code troupe server}: starts a Troupe JVM (by default control and worker in one, journal in ./data). */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Start a Troupe server: the Kubernetes API on --api-address, data in --data-dir.")
final class ServerCommand implements Callable<Integer> {

  @Option(names = "--data-dir", defaultValue = "data", description = "Where the journal lives (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--api-address", defaultValue = "127.0.0.1:6443",
      description = "host:port the Kubernetes API listens on (default: ${DEFAULT-VALUE}).")
  String apiAddress;

  @Option(names = "--config", description = "A HOCON file that overrides the single-JVM configuration.")
  File configFile;

  @Override
  public Integer call() throws Exception {
    Config config = config();
    ControlPlane plane = ControlPlane.start(config);
    var address = plane.apiAddress();
    if (config.getStringList("troupe.roles").contains("worker")) {
      NodeAgents agents = NodeAgents.start(plane.system(), plane.store(), config);
      System.out.println("Troupe node agent up (kubelet endpoint on " + agents.kubeletAddress() + ")");
    }
    System.out.println("Troupe API listening on http://" + address.getHostString() + ":" + address.getPort()
        + " (data in " + dataDir.toAbsolutePath().normalize() + ")");
    System.out.flush();
    // SIGTERM runs Pekko's coordinated shutdown (a JVM shutdown hook): the API unbinds, the system stops
    plane.system().getWhenTerminated().toCompletableFuture().join();
    System.out.println("Troupe stopped");
    return 0;
  }

  Config config() {
    int colon = apiAddress.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("--api-address must be host:port, got " + apiAddress);
    Map<String, Object> flags = new HashMap<>();
    flags.put("troupe.data-dir", dataDir.toAbsolutePath().normalize().toString());
    flags.put("troupe.api.host", apiAddress.substring(0, colon));
    flags.put("troupe.api.port", Integer.parseInt(apiAddress.substring(colon + 1)));
    Config base = ConfigFactory.parseMap(flags);
    if (configFile != null) base = base.withFallback(ConfigFactory.parseFile(configFile));
    return base.withFallback(ConfigFactory.parseResources("single.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
