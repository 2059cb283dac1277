package io.troupe.cli;

import io.troupe.persistence.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Troupe JVMs in one cluster for a test: real {@code troupe server} processes with config/cluster.conf, on a
 * PostgreSQL database of the test's own, the simulated runtime (a node per JVM, named n0, n1, ...). A JVM can be
 * killed (SIGKILL) and started again with the same cluster address and node.
 */
final class TestCluster implements AutoCloseable {
  static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private final TestPostgres db;
  private final Path dir;
  private final Path conf;
  private final int[] ports;
  private final String seeds;
  private final Path logs;
  private final List<ServerProcess> servers = new ArrayList<>();
  private final int[] starts;

  TestCluster(int size, Path logs) throws IOException {
    this.db = TestPostgres.create();
    this.logs = logs;
    this.dir = Files.createTempDirectory("troupe-cluster");
    this.conf = dir.resolve("test-cluster.conf");
    Files.writeString(conf, String.join("\n",
        "include classpath(\"cluster.conf\")",
        "troupe.postgres.url = \"" + db.url() + "\"",
        "troupe.node { runtime = simulated, simulated.start-delay = 100ms }", ""));
    this.ports = new int[size];
    for (int i = 0; i < size; i++) ports[i] = freePort();
    this.seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
    this.starts = new int[size];
    for (int i = 0; i < size; i++) servers.add(null);
  }

  /** Starts JVM {@code i} (again, after a kill: same cluster address, data dir and node). */
  ServerProcess start(int i) throws IOException {
    return start(i, seeds);
  }

  /** As {@link #start(int)}, with other seed nodes (host:port,...). */
  ServerProcess start(int i, String seedNodes) throws IOException {
    ServerProcess server = ServerProcess.start(dir.resolve("jvm-" + i), logs, "jvm-" + i + "." + starts[i]++,
        START_DEADLINE, List.of("--config", conf.toString(), "--cluster-address", clusterAddress(i),
            "--seed-nodes", seedNodes, "--node-name", "n" + i));
    servers.set(i, server);
    return server;
  }

  /** JVM {@code i}'s cluster address, host:port. */
  String clusterAddress(int i) {
    return "127.0.0.1:" + ports[i];
  }

  ServerProcess server(int i) {
    return servers.get(i);
  }

  int size() {
    return ports.length;
  }

  TestPostgres database() {
    return db;
  }

  @Override
  public void close() {
    servers.forEach(s -> {
      if (s != null) s.close();
    });
    db.close();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
