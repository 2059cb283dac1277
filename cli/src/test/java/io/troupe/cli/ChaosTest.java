package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Chaos: three JVMs (all roles, simulated nodes, one PostgreSQL journal) under a steady load of API writes spread
 * over all of them (creates, updates with resourceVersion, deletes, Deployment scales), while one JVM after another
 * is killed with SIGKILL and started again. Afterwards every write that got a 2xx is there as acknowledged, no
 * object was written by two incarnations at once, and the Deployment has exactly its replicas.
 *
 * <p>CI runs a short version ({@code troupe.chaos.rounds}, default 3, kills {@code troupe.chaos.every-seconds}
 * apart, default 12); {@code bench/chaos} runs the long one (10 rounds, 20-30 s apart).
 */
class ChaosTest {
  static final int ROUNDS = Integer.getInteger("troupe.chaos.rounds", 3);
  static final int EVERY_MIN = Integer.getInteger("troupe.chaos.every-seconds", 12);
  static final int EVERY_MAX = Integer.getInteger("troupe.chaos.every-seconds-max", EVERY_MIN);
  static final int RATE = Integer.getInteger("troupe.chaos.writes-per-second", 200);
  static final int WRITERS = Integer.getInteger("troupe.chaos.writers", 64);
  static final int OBJECTS_PER_WRITER = 25;
  static final Duration DEADLINE = Duration.ofSeconds(90);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Load before the first round (bench/chaos: 60 s), whose last STEADY_MILLIS measure the rate held. */
  static final long WARMUP_MILLIS = 1000L * Integer.getInteger("troupe.chaos.warmup-seconds", 0);
  static final long STEADY_MILLIS = 20_000;

  /** What a writer knows of one of its ConfigMaps: its acknowledged state, or that a write's fate is unknown. */
  static final class Expected {
    boolean exists;
    String value;
    String resourceVersion;
    boolean uncertain;
    /** The state is what a 2xx answered (not what a read found, which may lag behind on another JVM). */
    boolean acknowledged;
  }

  /** Through the kubeconfig of a JVM of the cluster (all of them serve certificates of one CA). */
  HttpClient http;
  Path kubeconfig;
  /** Each JVM's API; null while the JVM is down (clients fail over to the others, as a load balancer would). */
  final AtomicReferenceArray<URI> apis = new AtomicReferenceArray<>(3);
  final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  /** Successful reads per JVM, as (jvm, nanoTime). */
  final ConcurrentLinkedQueue<long[]> answered = new ConcurrentLinkedQueue<>();
  /** Writes/s acknowledged over the last STEADY_MILLIS of the warm-up; -1 without one. */
  double steadyRate = -1;

  @Test
  void acknowledgedWritesSurviveJvmsKilledOneAfterAnother() throws Exception {
    Random random = new Random(42);
    // the checks below read the journal's whole history: no compaction may remove any of it meanwhile
    try (TestCluster cluster = new TestCluster(3, Path.of("target", "chaos-logs"), i -> TestCluster.Host.LOCAL,
        List.of("troupe.journal.retention.max-events-per-object = 1000000"))) {
      for (int i = 0; i < 3; i++) apis.set(i, cluster.start(i).url());
      kubeconfig = cluster.server(0).kubeconfig();
      http = cluster.server(0).http().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
          .build();
      try (KubernetesClient client = cluster.server(2).client()) {
        Fabric8Clients.awaitUntil(DEADLINE, () -> client.nodes().list().getItems().size() == 3, () -> "3 nodes");
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
            .withNewMetadata().withName("chaos").endMetadata()
            .withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "chaos").endSelector()
            .withNewTemplate().withNewMetadata().addToLabels("app", "chaos").endMetadata()
            .withNewSpec().addNewContainer().withName("main").withImage("app").endContainer().endSpec()
            .endTemplate().endSpec().build()).create();
      }
      List<Map<String, Expected>> expected = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        Map<String, Expected> mine = new HashMap<>();
        expected.add(mine);
        int writer = w;
        threads.add(daemon(() -> write(writer, mine, new Random(writer))));
      }
      AtomicLong replicas = new AtomicLong(4);
      threads.add(daemon(() -> scale(replicas)));
      threads.add(daemon(this::probe));

      if (WARMUP_MILLIS > STEADY_MILLIS) {
        // the rate held with every JVM up and warmed up: over the last STEADY_MILLIS of the warm-up
        Thread.sleep(WARMUP_MILLIS - STEADY_MILLIS);
        long before = acknowledged.get();
        Thread.sleep(STEADY_MILLIS);
        steadyRate = (acknowledged.get() - before) * 1000.0 / STEADY_MILLIS;
      }
      long started = System.nanoTime();
      long acknowledgedBefore = acknowledged.get();
      List<Long> kills = new ArrayList<>();
      List<Integer> victims = new ArrayList<>();
      List<Long> recoveries = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        Thread.sleep(1000L * (EVERY_MIN + random.nextInt(EVERY_MAX - EVERY_MIN + 1)));
        int victim = random.nextInt(3);
        URI survivor = apis.get((victim + 1) % 3);
        boolean ranPods = runningOn(survivor, "n" + victim) > 0;
        apis.set(victim, null);
        long killedAt = System.nanoTime();
        long killedAtMillis = System.currentTimeMillis();
        cluster.server(victim).kill();
        kills.add(killedAt);
        victims.add(victim);
        awaitPodsOffNode(survivor, "n" + victim, replicas);
        // a round whose victim ran none of the Deployment's pods says nothing about moving them
        if (ranPods) {
          long recovery = (System.nanoTime() - killedAt) / 1_000_000;
          recoveries.add(recovery);
          List<String> events = new ArrayList<>();
          System.out.printf("round %d: n%d killed, pods Running elsewhere after %d ms: %s%n", round, victim, recovery,
              timeline(cluster, "n" + victim, killedAtMillis, killedAtMillis + recovery + 1000, events));
          // a slow round shows every change of the node and the pods, to see where its time went
          if (recovery > 5000) events.forEach(e -> System.out.println("  " + e));
        }
        apis.set(victim, cluster.start(victim).url());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      running.set(false);
      for (Thread t : threads) t.join(30_000);

      // every write that got a 2xx is there as acknowledged
      URI api = apis.get(0);
      int checked = 0;
      List<String> lost = new ArrayList<>();
      for (Map<String, Expected> mine : expected) {
        for (Map.Entry<String, Expected> e : mine.entrySet()) {
          Expected x = e.getValue();
          if (x.uncertain || !x.acknowledged) continue;
          checked++;
          if (!matches(api, e.getKey(), x)) {
            JsonNode now = awaitRead(api, e.getKey());
            boolean exists = now != null;
            String value = exists ? now.path("data").path("v").asText(null) : null;
            lost.add(e.getKey() + ": acknowledged " + (x.exists ? x.value : "deleted") + ", found "
                + (exists ? value : "nothing") + "; journal: " + journalOf(cluster, e.getKey()));
          }
        }
      }
      assertEquals(List.of(), lost, "acknowledged writes lost");
      assertTrue(checked > 0, "objects checked");
      // one history per object: no writer comes back after another took over
      assertEquals(List.of(), interleavedWriters(cluster), "objects written by two incarnations at once");
      // no ReplicaSet ever created a pod that took it past its replicas + maxSurge (two controllers at once would)
      assertEquals(List.of(), surges(cluster), "ReplicaSets over replicas + maxSurge in the journal's history");
      // the Deployment has exactly its replicas
      try (KubernetesClient client = Fabric8Clients.connect(kubeconfig, api.toString())) {
        Fabric8Clients.awaitUntil(DEADLINE, () -> {
          var d = client.apps().deployments().inNamespace("default").withName("chaos").get();
          long pods = client.pods().inNamespace("default").withLabel("app", "chaos").list().getItems().stream()
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null).count();
          return d.getStatus() != null && Integer.valueOf((int) replicas.get()).equals(d.getStatus()
              .getAvailableReplicas()) && pods == replicas.get();
        }, () -> "the Deployment has exactly " + replicas.get() + " replicas");
      }
      long worstGap = worstUnavailability(kills, victims);
      List<Long> sorted = recoveries.stream().sorted().toList();
      System.out.printf("chaos: %d rounds in %.0f s, %d writes acknowledged in all, %.0f/s of %d/s offered over the "
              + "rounds, %.0f/s over the %d s before the first kill (every JVM up and warmed up; -1: no warm-up), %d "
              + "failed or unknown, %d objects checked; kill -> pods Running elsewhere p50 %d ms, max %d ms (%s, "
              + "rounds whose victim ran some); longest API silence on a survivor after a kill %d ms%n",
          ROUNDS, seconds, acknowledged.get(), (acknowledged.get() - acknowledgedBefore) / seconds, RATE, steadyRate,
          STEADY_MILLIS / 1000, failed.get(), checked,
          sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1),
          recoveries, worstGap);
      assertTrue(worstGap < 10_000, "survivors answered within 10 s of each kill: " + worstGap + " ms");
    }
  }

  /** Whether the object is as acknowledged, read a few times over 5 s (another JVM's cache may lag a moment). */
  boolean matches(URI api, String name, Expected x) throws Exception {
    for (int i = 0; i < 25; i++) {
      JsonNode now = awaitRead(api, name);
      boolean exists = now != null;
      if (exists == x.exists && (!exists || x.value.equals(now.path("data").path("v").asText(null)))) return true;
      sleep(200);
    }
    return false;
  }

  /** One writer's loop over its own ConfigMaps, paced to its share of the rate. */
  void write(int writer, Map<String, Expected> mine, Random random) {
    long pause = 1_000_000_000L * WRITERS / RATE;
    long next = System.nanoTime();
    while (running.get()) {
      String name = "w" + writer + "-" + random.nextInt(OBJECTS_PER_WRITER);
      Expected x = mine.computeIfAbsent(name, n -> new Expected());
      URI api = anyUp(random);
      try {
        if (x.uncertain) {
          JsonNode now = read(api, name);
          x.exists = now != null;
          x.value = now == null ? null : now.path("data").path("v").asText();
          x.resourceVersion = now == null ? null : now.path("metadata").path("resourceVersion").asText();
          x.uncertain = false;
          x.acknowledged = false;
        } else if (!x.exists) {
          String value = Long.toString(random.nextLong());
          var r = send(api, "POST", "/api/v1/namespaces/default/configmaps", body(name, value, null));
          settle(x, r, 201, value, true);
        } else if (random.nextInt(4) == 0) {
          var r = send(api, "DELETE", "/api/v1/namespaces/default/configmaps/" + name,
              "{\"preconditions\":{\"resourceVersion\":\"" + x.resourceVersion + "\"}}");
          settle(x, r, 200, null, false);
        } else {
          String value = Long.toString(random.nextLong());
          var r = send(api, "PUT", "/api/v1/namespaces/default/configmaps/" + name,
              body(name, value, x.resourceVersion));
          settle(x, r, 200, value, true);
        }
      } catch (Exception e) {
        x.uncertain = true;
        failed.incrementAndGet();
      }
      next += pause;
      long wait = next - System.nanoTime();
      if (wait > 0) sleep(wait / 1_000_000);
      else next = System.nanoTime();
    }
  }

  void settle(Expected x, HttpResponse<String> r, int ok, String value, boolean exists) throws Exception {
    if (r.statusCode() == ok) {
      acknowledged.incrementAndGet();
      x.exists = exists;
      x.value = value;
      x.resourceVersion = exists ? JSON.readTree(r.body()).path("metadata").path("resourceVersion").asText() : null;
      x.acknowledged = true;
    } else {
      // a refusal (409: someone's earlier write did land after all) or an error: learn the truth by reading
      x.uncertain = true;
      failed.incrementAndGet();
    }
  }

  /** Scales the Deployment between 3 and 6 replicas every few seconds. */
  void scale(AtomicLong replicas) {
    Random random = new Random(7);
    while (running.get()) {
      sleep(3000);
      long wanted = 3 + random.nextInt(4);
      try {
        var r = send(anyUp(random), "PATCH", "/apis/apps/v1/namespaces/default/deployments/chaos/scale",
            "{\"spec\":{\"replicas\":" + wanted + "}}");
        if (r.statusCode() == 200) {
          replicas.set(wanted);
          acknowledged.incrementAndGet();
        }
      } catch (Exception e) {
        // the JVM was killed: the next scale goes elsewhere
      }
    }
  }

  /** Reads through every JVM every 100 ms and records which answered when. */
  void probe() {
    while (running.get()) {
      for (int i = 0; i < 3; i++) {
        URI api = apis.get(i);
        if (api == null) continue;
        try {
          var r = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/namespaces/default/configmaps?limit=1"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) answered.add(new long[] {i, System.nanoTime()});
        } catch (Exception e) {
          // not answering: that is what is measured
        }
      }
      sleep(100);
    }
  }

  /** The longest time, after a kill, until each surviving JVM answered again. */
  long worstUnavailability(List<Long> kills, List<Integer> victims) {
    long worst = 0;
    for (int k = 0; k < kills.size(); k++) {
      long kill = kills.get(k);
      for (int jvm = 0; jvm < 3; jvm++) {
        if (jvm == victims.get(k)) continue;
        int j = jvm;
        long first = answered.stream().filter(a -> a[0] == j && a[1] >= kill).mapToLong(a -> a[1]).min()
            .orElse(Long.MAX_VALUE);
        worst = Math.max(worst, first == Long.MAX_VALUE ? Long.MAX_VALUE : (first - kill) / 1_000_000);
      }
    }
    return worst;
  }

  URI anyUp(Random random) {
    int start = random.nextInt(3);
    for (int i = 0; i < 3; i++) {
      URI api = apis.get((start + i) % 3);
      if (api != null) return api;
    }
    throw new IllegalStateException("no JVM up");
  }

  /** The Deployment's pods Running on {@code node}, as {@code api} sees them. */
  long runningOn(URI api, String node) throws Exception {
    try (KubernetesClient client = Fabric8Clients.connect(kubeconfig, api.toString())) {
      return client.pods().inNamespace("default").withLabel("app", "chaos").list().getItems().stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null && node.equals(p.getSpec().getNodeName())
              && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
          .count();
    }
  }

  void awaitPodsOffNode(URI api, String node, AtomicLong replicas) throws Exception {
    try (KubernetesClient client = Fabric8Clients.connect(kubeconfig, api.toString())) {
      Fabric8Clients.awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").withLabel("app", "chaos").list()
          .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
              && !node.equals(p.getSpec().getNodeName()) && p.getStatus() != null
              && "Running".equals(p.getStatus().getPhase())).count() >= replicas.get(),
          () -> "the Deployment's pods Running off " + node);
    }
  }

  /** Persistence ids whose events go writer A, then B, then A again: two incarnations writing at once. */
  static List<String> interleavedWriters(TestCluster cluster) throws Exception {
    List<String> bad = new ArrayList<>();
    try (Connection c = cluster.database().connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT persistence_id, writer FROM event_journal "
            + "ORDER BY persistence_id, sequence_number")) {
      String id = null;
      String current = null;
      Set<String> done = new HashSet<>();
      while (rs.next()) {
        String pid = rs.getString(1);
        String writer = rs.getString(2);
        if (!pid.equals(id)) {
          id = pid;
          current = writer;
          done.clear();
        } else if (!writer.equals(current)) {
          if (done.contains(writer)) bad.add(pid);
          done.add(current);
          current = writer;
        }
      }
    }
    return bad;
  }

  /** The object's rows in the journal: sequence number, ordering, writer, event and value. */
  static List<String> journalOf(TestCluster cluster, String name) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = cluster.database().connect(); var q = c.prepareStatement("SELECT sequence_number, ordering, "
        + "writer, event_ser_manifest, event_payload FROM event_journal WHERE persistence_id = ? "
        + "ORDER BY sequence_number")) {
      q.setString(1, "Resource|ConfigMap/default/" + name);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          String event = rs.getString(4).substring(rs.getString(4).lastIndexOf('$') + 1);
          rows.add(rs.getLong(1) + "@" + rs.getLong(2) + " " + event + " " + payload(rs.getBytes(5)).path("object")
              .path("data").path("v").asText() + " by " + rs.getString(3));
        }
      }
    }
    return rows;
  }

  /**
   * Pod creations, in the journal's order, that took their ReplicaSet past its replicas + maxSurge (the
   * Deployment's default 25%, rounded up): what two ReplicaSet controllers running at once would do. A pod counts
   * from its creation until its deletion is asked for. The replicas are the most the ReplicaSet had over the
   * {@code LAG} before the creation: a controller acts on what it last saw, and a scale-down that lands just
   * before one of its creations is no overshoot (Kubernetes' controller races the same way).
   */
  static List<String> surges(TestCluster cluster) throws Exception {
    final long lag = 5_000;
    Map<String, List<long[]>> replicas = new HashMap<>(); // ReplicaSet uid -> (write time, spec.replicas)...
    Map<String, String> owners = new HashMap<>(); // pod key -> its ReplicaSet's uid, while it counts
    Map<String, Long> createdAt = new HashMap<>(); // pod key -> ordering of its creation
    List<String> bad = new ArrayList<>();
    int creations = 0;
    try (Connection c = cluster.database().connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT persistence_id, event_ser_manifest, event_payload, ordering, "
            + "write_timestamp FROM event_journal WHERE persistence_id LIKE 'Resource|Pod/%' "
            + "OR persistence_id LIKE 'Resource|ReplicaSet/%' ORDER BY ordering")) {
      while (rs.next()) {
        JsonNode object = payload(rs.getBytes(3)).path("object");
        long at = rs.getLong(5);
        boolean gone = deleting(rs.getString(2), object);
        if (rs.getString(1).startsWith("Resource|ReplicaSet/")) {
          replicas.computeIfAbsent(object.path("metadata").path("uid").asText(), u -> new ArrayList<>())
              .add(new long[] {at, object.path("spec").path("replicas").asInt(1)});
          continue;
        }
        String owner = null;
        for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
          if (ref.path("controller").asBoolean() && "ReplicaSet".equals(ref.path("kind").asText())) {
            owner = ref.path("uid").asText();
          }
        }
        String pod = rs.getString(1);
        if (owner == null || gone) {
          owners.remove(pod);
          continue;
        }
        if (owners.put(pod, owner) != null || !rs.getString(2).endsWith("$Created")) continue;
        creations++;
        createdAt.put(pod, rs.getLong(4));
        String rsUid = owner;
        List<String> counted = owners.entrySet().stream().filter(e -> rsUid.equals(e.getValue()))
            .map(e -> e.getKey().substring(e.getKey().lastIndexOf('/') + 1) + "@" + createdAt.get(e.getKey()))
            .toList();
        List<long[]> history = replicas.getOrDefault(rsUid, List.of());
        long wanted = 0;
        for (int i = history.size() - 1; i >= 0; i--) {
          wanted = Math.max(wanted, history.get(i)[1]);
          if (history.get(i)[0] < at - lag) break; // in effect from before the window: the last one that counts
        }
        long limit = wanted + (wanted + 3) / 4;
        if (counted.size() > limit) {
          bad.add(pod + " at ordering " + rs.getLong(4) + ": pod " + counted.size() + " of ReplicaSet " + rsUid
              + ", at most " + wanted + " replicas over the " + lag + " ms before (limit " + limit + "); "
              + "counted: " + counted + "; replicas (time, n): " + history.stream()
              .map(h -> h[0] + "=" + h[1]).toList());
        }
      }
    }
    if (creations == 0) bad.add("no pod of a ReplicaSet was created in the journal's history: nothing checked");
    return bad;
  }

  /**
   * Where a round's time went, in ms after the kill, from the journal's write timestamps (one host, one clock): the
   * node's first change (its Ready condition turns Unknown), the first pod evicted from it, and the slowest
   * replacement pod's creation, binding and Running.
   */
  static String timeline(TestCluster cluster, String node, long from, long until, List<String> events)
      throws Exception {
    long unknown = -1;
    long evicted = -1;
    Map<String, long[]> replacements = new HashMap<>(); // pod -> created, bound, running (ms after the kill)
    try (Connection c = cluster.database().connect(); var q = c.prepareStatement("SELECT persistence_id, "
        + "event_ser_manifest, event_payload, write_timestamp FROM event_journal WHERE write_timestamp >= ? AND "
        + "write_timestamp <= ? AND (persistence_id = ? OR persistence_id LIKE 'Resource|Pod/default/chaos-%') "
        + "ORDER BY ordering")) {
      q.setLong(1, from);
      q.setLong(2, until);
      q.setString(3, "Resource|Node//" + node);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long at = rs.getLong(4) - from;
          String pid = rs.getString(1);
          JsonNode object = payload(rs.getBytes(3)).path("object");
          String nodeName = object.path("spec").path("nodeName").asText("");
          String manifest = rs.getString(2);
          boolean deleting = deleting(manifest, object);
          events.add("+" + at + " " + pid.substring(pid.indexOf('|') + 1) + " "
              + manifest.substring(manifest.lastIndexOf('$') + 1) + " node=" + nodeName + " phase="
              + object.path("status").path("phase").asText("") + " deleting=" + deleting);
          if (pid.startsWith("Resource|Node/")) {
            if (unknown < 0) unknown = at;
            continue;
          }
          if (deleting && node.equals(nodeName) && evicted < 0) evicted = at;
          long[] steps = manifest.endsWith("$Created") ? replacements.computeIfAbsent(pid, k -> new long[] {
              at, -1, -1}) : replacements.get(pid);
          if (steps == null) continue;
          if (steps[1] < 0 && !nodeName.isEmpty()) steps[1] = at;
          if (steps[2] < 0 && "Running".equals(object.path("status").path("phase").asText())) steps[2] = at;
        }
      }
    }
    long[] slowest = replacements.values().stream().max(java.util.Comparator.comparingLong(v -> v[2] < 0
        ? Long.MAX_VALUE : v[2])).orElse(new long[] {-1, -1, -1});
    return "node changed +" + unknown + ", first pod evicted +" + evicted + ", slowest of " + replacements.size()
        + " replacements created +" + slowest[0] + ", bound +" + slowest[1] + ", Running +" + slowest[2];
  }

  /** Whether a journal row (its event's manifest and object) deletes the object or asks for its deletion. */
  static boolean deleting(String manifest, JsonNode object) {
    return manifest.endsWith("$Deleted") || !object.path("metadata").path("deletionTimestamp").isMissingNode();
  }

  /** A journal row's event as JSON (Pekko's Jackson serializer gzips large payloads). */
  static JsonNode payload(byte[] bytes) throws Exception {
    if (bytes.length > 1 && bytes[0] == (byte) 0x1f && bytes[1] == (byte) 0x8b) {
      try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
        return JSON.readTree(in);
      }
    }
    return JSON.readTree(bytes);
  }

  JsonNode awaitRead(URI api, String name) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      try {
        return read(api, name);
      } catch (Exception e) {
        if (System.nanoTime() > end) throw e;
        sleep(200);
      }
    }
  }

  /** The object, or null when it does not exist; throws when the API does not answer. */
  JsonNode read(URI api, String name) throws Exception {
    var r = send(api, "GET", "/api/v1/namespaces/default/configmaps/" + name, null);
    if (r.statusCode() == 404) return null;
    if (r.statusCode() != 200) throw new IllegalStateException("GET " + name + ": " + r.statusCode());
    return JSON.readTree(r.body());
  }

  HttpResponse<String> send(URI api, String method, String path, String body) throws Exception {
    var builder = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(10));
    String type = "PATCH".equals(method) ? "application/merge-patch+json" : "application/json";
    builder.header("Content-Type", type);
    builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String body(String name, String value, String resourceVersion) {
    return "{\"metadata\":{\"name\":\"" + name + "\""
        + (resourceVersion == null ? "" : ",\"resourceVersion\":\"" + resourceVersion + "\"")
        + "},\"data\":{\"v\":\"" + value + "\"}}";
  }

  static Thread daemon(Runnable body) {
    Thread t = new Thread(body, "chaos-load");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
