package io.troupe.cli;

import io.troupe.persistence.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * Troupe JVMs in one cluster for a test: real {@code troupe server} processes with config/cluster.conf, on a
 * PostgreSQL database of the test's own, the simulated runtime (a node per JVM, named n0, n1, ...). A JVM can be
 * killed (SIGKILL) and started again with the same cluster address and node. By default every JVM runs on
 * 127.0.0.1; a {@link Host} per JVM puts it elsewhere (another address, in a network namespace).
 */
final class TestCluster implements AutoCloseable {
  /**
   * How long a JVM may take to say it listens. A first start takes seconds; a restart beside two JVMs under the chaos
   * test's writes on 2 cores took 60-130 s (ActorSystem start alone 37 s once in CI: CPU starvation, not a hang).
   */
  static final Duration START_DEADLINE = Duration.ofSeconds(180);

  /**
   * Where a JVM runs: the address its API and cluster member listen on, the command prefix that execs its java
   * there, and the host:port it reaches PostgreSQL at (null: the database's own address).
   */
  record Host(String address, List<String> commandPrefix, String postgres) {
    static final Host LOCAL = new Host("127.0.0.1", List.of(), null);

    Host {
      commandPrefix = List.copyOf(commandPrefix);
    }
  }

  private final TestPostgres db;
  private final Path dir;
  private final Path logs;
  private final Host[] hosts;
  private final int[] ports;
  private final String seeds;
  private final List<ServerProcess> servers = new ArrayList<>();
  private final int[] starts;

  TestCluster(int size, Path logs) throws IOException {
    this(size, logs, i -> Host.LOCAL);
  }

  TestCluster(int size, Path logs, IntFunction<Host> hosts) throws IOException {
    this(size, logs, hosts, List.of());
  }

  /** As above, with more HOCON lines in every JVM's configuration. */
  TestCluster(int size, Path logs, IntFunction<Host> hosts, List<String> config) throws IOException {
    this.db = TestPostgres.create();
    this.logs = logs;
    this.dir = Files.createTempDirectory("troupe-cluster");
    this.hosts = new Host[size];
    this.ports = new int[size];
    for (int i = 0; i < size; i++) {
      this.hosts[i] = hosts.apply(i);
      ports[i] = freePort();
      Files.writeString(conf(i), String.join("\n",
          "include classpath(\"cluster.conf\")",
          "troupe.postgres.url = \"" + postgresUrl(this.hosts[i]) + "\"",
          "troupe.node { runtime = simulated, simulated.start-delay = 100ms }",
          // one CA for the cluster (made by the first JVM to start): every API serves a certificate of it
          "troupe.api.tls.ca-cert-file = \"" + dir.resolve("pki/ca.crt") + "\"",
          "troupe.api.tls.ca-key-file = \"" + dir.resolve("pki/ca.key") + "\"",
          String.join("\n", config), ""));
    }
    this.seeds = clusterAddress(0) + "," + clusterAddress(1);
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
        START_DEADLINE, hosts[i].commandPrefix(), hosts[i].address(), List.of("--config", conf(i).toString(),
            "--cluster-address", clusterAddress(i), "--seed-nodes", seedNodes, "--node-name", "n" + i));
    servers.set(i, server);
    return server;
  }

  /**
   * Starts every JVM at once. Started alone, the first seed node founds the cluster only after seed-node-timeout;
   * with the second seed running, that one answers it is in no cluster yet and the first founds it at once (so it
   * is the oldest member).
   */
  void startAll() {
    // a thread per JVM: the common pool may have fewer
    ExecutorService threads = Executors.newFixedThreadPool(size());
    try {
      List<CompletableFuture<ServerProcess>> started = new ArrayList<>();
      for (int i = 0; i < size(); i++) {
        int jvm = i;
        started.add(CompletableFuture.supplyAsync(() -> {
          try {
            return start(jvm);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        }, threads));
      }
      // all of them ended (started or failed) before any failure is thrown, so that close() stops every one
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
    } finally {
      threads.shutdown();
    }
  }

  /** JVM {@code i}'s cluster address, host:port. */
  String clusterAddress(int i) {
    return hosts[i].address() + ":" + ports[i];
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

  private Path conf(int i) {
    return dir.resolve("jvm-" + i + ".conf");
  }

  /** The test database's URL, through the JVM's own way to PostgreSQL if it has one. */
  private String postgresUrl(Host host) {
    return host.postgres() == null ? db.url() : db.url().replaceFirst("//[^/]+/", "//" + host.postgres() + "/");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
