package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.persistence.TestPostgres;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A network partition of a three-JVM cluster, each JVM in a network namespace of its own ({@link TestNetwork}):
 * JVM 0, the oldest member (it runs the singletons and the shard coordinator), is cut from JVMs 1 and 2, while all
 * three still reach the journal. The minority stops serving writes; the majority serves writes for every object
 * and runs the Deployment's pods off n0. After healing, JVM 0 is started again and there is one history: every
 * acknowledged write as acknowledged on every JVM, no object written by two incarnations, the Deployment with
 * exactly its replicas. Skipped where the host cannot make network namespaces and packet filter rules.
 */
class PartitionTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  /** The minority refuses (or fails) every write within this time of the cut. */
  static final Duration MINORITY_DEADLINE = Duration.ofSeconds(15);
  /**
   * The minority's JVM, downed, exits within this time of the cut (~10 s, or the server's bound on its shutdown,
   * 20 s after it began, when Pekko's termination hangs).
   */
  static final Duration EXIT_DEADLINE = Duration.ofSeconds(40);
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
  /** Two per shard on average (30 shards), so about a third of them live on JVM 0. */
  static final int CONFIGMAPS = 60;
  static final int REPLICAS = 6;
  static final Path LOGS = Path.of("target", "partition-logs");

  /** Through the kubeconfig of a JVM of the cluster (all of them serve certificates of one CA). */
  HttpClient http;
  final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "partition-test");
    t.setDaemon(true);
    return t;
  });
  /** Every write a JVM acknowledged: name → the value it holds since. */
  final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  final List<KubernetesClient> clients = new ArrayList<>();

  /** What one write sent to the minority got, {@code at} ms after the cut: a status code or why none came. */
  record Attempt(long at, String outcome) {
    boolean acknowledged() {
      return outcome.equals("201");
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(KubernetesClient::close);
    threads.shutdownNow();
  }

  @Test
  void theMinorityStopsWritingAndHealingLeavesOneHistory() throws Exception {
    assumeTrue(TestNetwork.unavailable().isEmpty(), () -> "no partition test on this host: "
        + TestNetwork.unavailable().orElse(""));
    try (TestNetwork network = TestNetwork.create(3);
        PostgresRelay relay = PostgresRelay.start(network, 3, TestPostgres.server());
        TestCluster cluster = new TestCluster(3, LOGS, i -> new TestCluster.Host(network.address(i),
            network.commandPrefix(i), relay.address(i)))) {
      // three JVMs in one cluster, a Deployment Available, ConfigMaps over all shards
      cluster.startAll();
      // each request's own timeout bounds its connect too (WRITE_TIMEOUT for the writes during the cut); a connect
      // timeout of WRITE_TIMEOUT for all made a create before the cut fail on a loaded machine's slow TLS handshake
      http = cluster.server(0).http().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30))
          .build();
      for (int i = 0; i < 3; i++) clients.add(cluster.server(i).client());
      for (KubernetesClient c : clients) {
        Fabric8Clients.awaitUntil(DEADLINE, () -> readyNodes(c) == 3, () -> "3 Nodes Ready");
      }
      createDeployment(clients.get(1));
      Fabric8Clients.awaitUntil(DEADLINE, () -> ClusterTest.available(clients.get(2), "web") == REPLICAS,
          () -> REPLICAS + " replicas available");
      long podsOnN0 = runningOn(clients.get(2), "n0");
      IntStream.range(0, CONFIGMAPS).mapToObj(i -> CompletableFuture.runAsync(() ->
          createBeforeTheCut(cluster.server(i % 3).url(), "cm-" + i), threads)).toList()
          .forEach(CompletableFuture::join);

      // JVM 0 cut off: the first seed, so the oldest member, where the singletons and the shard coordinator run
      network.partition(Set.of(0));
      long cut = System.nanoTime();
      Instant cutAt = Instant.now();
      var minority = CompletableFuture.supplyAsync(() -> writeToMinority(cluster.server(0), cut), threads);
      var majority = CompletableFuture.supplyAsync(() -> updateEveryConfigMap(cluster, cut), threads);
      var podsMoved = CompletableFuture.supplyAsync(() -> {
        Fabric8Clients.awaitUntil(DEADLINE, () -> ClusterTest.runningOffNode(clients.get(1), "n0") == REPLICAS,
            () -> REPLICAS + " pods Running on n1 and n2");
        return millisSince(cut);
      }, threads);

      Minority jvm0 = minority.join();
      long refusingFrom = refusingFrom(jvm0.attempts());
      assertTrue(refusingFrom <= MINORITY_DEADLINE.toMillis(), "JVM 0 refused every write from " + refusingFrom
          + " ms after the cut: " + summary(jvm0.attempts()));
      assertTrue(jvm0.exitedBy() >= 0, "JVM 0, downed, exited within " + EXIT_DEADLINE);
      assertEquals(1, cluster.server(0).exitValue(), "JVM 0 exited with status 1 (a supervisor restarts it)");
      String exit = "its JVM exited with status 1 by " + jvm0.exitedBy() + " ms";
      Majority jvms12 = majority.join();
      assertTrue(jvms12.waited() > 0, "some writes waited for the majority to take over from JVM 0");
      long podsRunning = podsMoved.join();
      System.out.printf("partition at %s: JVM 0 refusing writes %d ms after the cut (%s; %s), JVMs 1 and 2 "
              + "serving writes for all %d ConfigMaps after %d ms (%d had to wait), the %d pods Running off n0 "
              + "(%d were on it) after %d ms%n", cutAt, refusingFrom, summary(jvm0.attempts()), exit, CONFIGMAPS,
          jvms12.allServedBy(), jvms12.waited(), REPLICAS, podsOnN0, podsRunning);

      // healed, JVM 0 started again (same address, data dir and node) rejoins
      network.heal();
      clients.get(0).close();
      clients.set(0, cluster.start(0).client());
      for (KubernetesClient c : clients) {
        Fabric8Clients.awaitUntil(DEADLINE, () -> readyNodes(c) == 3, () -> "3 Nodes Ready after healing");
      }

      // one history: every acknowledged write as acknowledged, seen through every JVM
      for (KubernetesClient c : clients) {
        Fabric8Clients.awaitUntil(DEADLINE, () -> notAsAcknowledged(c).isEmpty(),
            () -> "acknowledged writes as acknowledged: differing " + notAsAcknowledged(c));
      }
      assertEquals(List.of(), ChaosTest.interleavedWriters(cluster), "objects written by two incarnations at once");
      Fabric8Clients.awaitUntil(DEADLINE, () -> ClusterTest.available(clients.get(0), "web") == REPLICAS
              && pods(clients.get(0)).size() == REPLICAS,
          () -> "exactly " + REPLICAS + " pods: " + pods(clients.get(0)).stream().map(PartitionTest::describe)
              .toList());
    }
  }

  void createBeforeTheCut(URI api, String name) {
    try {
      var r = send(api, "POST", "/api/v1/namespaces/default/configmaps", configMap(name, "before"),
          Duration.ofSeconds(30));
      assertEquals(201, r.statusCode(), "create " + name + " through " + api + ": " + r.body());
    } catch (Exception e) {
      throw new AssertionError("create " + name + " through " + api, e);
    }
    acknowledged.put(name, "before");
  }

  /** The writes sent to the minority in order, and by when (ms after the cut) its JVM had exited, or -1. */
  record Minority(List<Attempt> attempts, long exitedBy) {}

  /**
   * Creates ConfigMaps through JVM 0, one after another, until it has refused a write after its JVM exited
   * (the split brain resolver downs the minority, which then shuts down), or for at most {@link #EXIT_DEADLINE}.
   */
  Minority writeToMinority(ServerProcess jvm0, long cut) {
    List<Attempt> attempts = new ArrayList<>();
    for (int k = 0; millisSince(cut) < EXIT_DEADLINE.toMillis(); k++) {
      long at = millisSince(cut);
      boolean exited = !jvm0.isAlive();
      Attempt attempt = new Attempt(at, create(jvm0.url(), "minority-" + k));
      attempts.add(attempt);
      if (attempt.acknowledged()) acknowledged.put("minority-" + k, "during");
      if (exited && !attempt.acknowledged()) return new Minority(attempts, at);
      ChaosTest.sleep(100); // a paced probe, not a wait for something
    }
    return new Minority(attempts, -1);
  }

  /** A create's status code, or what kept it from having one. */
  String create(URI api, String name) {
    try {
      return Integer.toString(send(api, "POST", "/api/v1/namespaces/default/configmaps", configMap(name, "during"),
          WRITE_TIMEOUT).statusCode());
    } catch (HttpTimeoutException e) {
      return "timeout";
    } catch (ConnectException e) {
      return "refused";
    } catch (Exception e) {
      return e.getClass().getSimpleName();
    }
  }

  /** When (ms after the cut) the majority had acknowledged an update of every ConfigMap; how many were retried. */
  record Majority(long allServedBy, int waited) {}

  /** An update acknowledged {@code at} ms after the cut, at the given attempt. */
  record Update(long at, int attempts) {}

  /**
   * Updates every ConfigMap through JVM 1 or 2 at once, each retried until acknowledged (the same value each
   * time, so an attempt whose answer was lost cannot change the outcome). Updates of objects whose shard was on
   * JVM 0 (or whose shard's home only JVM 0's coordinator knew) wait until the majority has taken over.
   */
  Majority updateEveryConfigMap(TestCluster cluster, long cut) {
    List<CompletableFuture<Update>> updates = IntStream.range(0, CONFIGMAPS)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
          URI api = cluster.server(1 + i % 2).url();
          int attempts = 1;
          for (String outcome; !(outcome = update(api, "cm-" + i, "after")).equals("200"); attempts++) {
            assertTrue(millisSince(cut) < DEADLINE.toMillis(), "cm-" + i + " updated through " + api + " within "
                + DEADLINE + " of the cut; the last attempt got " + outcome);
            ChaosTest.sleep(100); // before a retry
          }
          acknowledged.put("cm-" + i, "after");
          return new Update(millisSince(cut), attempts);
        }, threads))
        .toList();
    List<Update> done = updates.stream().map(CompletableFuture::join).toList();
    return new Majority(done.stream().mapToLong(Update::at).max().orElseThrow(),
        (int) done.stream().filter(u -> u.attempts() > 1).count());
  }

  /** An update's status code (and the body of an error), or what kept it from having one. */
  String update(URI api, String name, String value) {
    try {
      var r = send(api, "PATCH", "/api/v1/namespaces/default/configmaps/" + name,
          "{\"data\":{\"v\":\"" + value + "\"}}", WRITE_TIMEOUT);
      return r.statusCode() == 200 ? "200" : r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** The acknowledged writes a JVM does not show as acknowledged: name → what it shows. */
  Map<String, String> notAsAcknowledged(KubernetesClient c) {
    Map<String, String> found = new TreeMap<>();
    for (ConfigMap cm : c.configMaps().inNamespace("default").list().getItems()) {
      found.put(cm.getMetadata().getName(), cm.getData() == null ? null : cm.getData().get("v"));
    }
    Map<String, String> differing = new TreeMap<>();
    acknowledged.forEach((name, value) -> {
      if (!Objects.equals(value, found.get(name))) differing.put(name, String.valueOf(found.get(name)));
    });
    return differing;
  }

  /** From when on (ms after the cut) every write to the minority failed: right after its last acknowledged one. */
  static long refusingFrom(List<Attempt> attempts) {
    int lastAcknowledged = -1;
    for (int i = 0; i < attempts.size(); i++) {
      if (attempts.get(i).acknowledged()) lastAcknowledged = i;
    }
    assertTrue(lastAcknowledged < attempts.size() - 1, "JVM 0 refused writes in the end: " + summary(attempts));
    return attempts.get(lastAcknowledged + 1).at();
  }

  /** The outcomes in order, runs counted: "201 x3 (0-310 ms), timeout x2 (410-2520 ms), refused x1 (...)". */
  static String summary(List<Attempt> attempts) {
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < attempts.size(); ) {
      int j = i;
      while (j + 1 < attempts.size() && attempts.get(j + 1).outcome().equals(attempts.get(i).outcome())) j++;
      runs.add(attempts.get(i).outcome() + " x" + (j - i + 1) + " (" + attempts.get(i).at() + "-"
          + attempts.get(j).at() + " ms)");
      i = j + 1;
    }
    return String.join(", ", runs);
  }

  static void createDeployment(KubernetesClient c) {
    c.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(REPLICAS).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("nginx").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  /**
   * The Ready Nodes as the client's JVM lists them; -1 when the request fails (right after healing, a request once
   * went unanswered for the client's 30 s timeout: the await asks again within its deadline rather than failing).
   */
  static long readyNodes(KubernetesClient c) {
    try {
      return c.nodes().list().getItems().stream().filter(n -> n.getStatus() != null && n.getStatus().getConditions()
          .stream().anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()))).count();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      System.out.println("listing nodes failed (asked again): " + e.getMessage());
      return -1;
    }
  }

  /** The Deployment's pods that are not being deleted. */
  static List<Pod> pods(KubernetesClient c) {
    return c.pods().inNamespace("default").withLabel("app", "web").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  static long runningOn(KubernetesClient c, String node) {
    return pods(c).stream().filter(p -> node.equals(p.getSpec().getNodeName()) && running(p)).count();
  }

  static boolean running(Pod p) {
    return p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
  }

  static String describe(Pod p) {
    return p.getMetadata().getName() + "@" + p.getSpec().getNodeName() + ":"
        + (p.getStatus() == null ? null : p.getStatus().getPhase());
  }

  HttpResponse<String> send(URI api, String method, String path, String body, Duration timeout) throws Exception {
    String type = "PATCH".equals(method) ? "application/merge-patch+json" : "application/json";
    return http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(timeout).header("Content-Type", type)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String configMap(String name, String value) {
    return "{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"v\":\"" + value + "\"}}";
  }

  static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /**
   * PostgreSQL listens on 127.0.0.1, which a network namespace does not reach (its loopback is its own). So each
   * JVM reaches it through a TCP relay in this JVM, on the root namespace's end of its veth. Traffic to the root
   * namespace itself is not forwarded, so a partition leaves it alone: both sides keep their journal, and it is
   * the cluster, not the database, that has to keep one history.
   */
  record PostgresRelay(ActorSystem system, List<String> addresses) implements AutoCloseable {
    static PostgresRelay start(TestNetwork network, int size, String postgres) throws Exception {
      ActorSystem system = ActorSystem.create("postgres-relay");
      String host = postgres.substring(0, postgres.lastIndexOf(':'));
      int port = Integer.parseInt(postgres.substring(postgres.lastIndexOf(':') + 1));
      Tcp tcp = Tcp.get(system);
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        var binding = tcp.bind(network.rootAddress(i), 0)
            .to(Sink.foreach(c -> c.handleWith(tcp.outgoingConnection(host, port), system)))
            .run(system).toCompletableFuture().get(10, TimeUnit.SECONDS);
        addresses.add(network.rootAddress(i) + ":" + binding.localAddress().getPort());
      }
      return new PostgresRelay(system, addresses);
    }

    /** host:port where JVM {@code i} reaches PostgreSQL. */
    String address(int i) {
      return addresses.get(i);
    }

    @Override
    public void close() throws Exception {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
