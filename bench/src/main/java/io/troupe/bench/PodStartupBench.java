package io.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Pod startup latency: {@code --pods} pods (default 100) created on one node, at once or with {@code --rate} at a
 * steady rate (pods per second, open loop: a pod is sent at its planned time whatever became of the ones before,
 * as Kubernetes' density tests create pods at a set throughput for the pod startup SLO), each timed from its
 * planned send to the first watch event that shows it Running. Run twice in the same invocation: with the
 * {@code process} runtime (real processes: {@code sh -c 'exec sleep 3600'} on image {@code host}) and, as the
 * baseline, the {@code simulated} runtime with no start delay (the control plane's share: API, scheduler, agent,
 * status write). Prints both and their ratio; writes {@code bench/results/pod-startup.json}. With
 * {@code --runtime simulated,process,oci} the {@code oci} runtime (real containers on runc: root) is measured too,
 * in the same run, on a busybox image imported into the node's image store before its start.
 */
public final class PodStartupBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int pods = 100;
    double rate = 0;
    int warmupRounds = 1;
    String commit = "unknown";
    Path out = Path.of("bench", "results", "pod-startup.json");
    List<String> runtimes = List.of("simulated", "process");
    List<String> serverJavaOpts = List.of();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(args[++i]);
        case "--commit" -> commit = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--runtime" -> runtimes = List.of(args[++i].split(","));
        case "--server-java-opts" -> serverJavaOpts = List.of(args[++i].trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (rate < 0) throw new IllegalArgumentException("--rate takes pods per second, or 0 for all at once");
    if (warmupRounds < 0) throw new IllegalArgumentException("--warmup-rounds takes 0 or more");
    List<String> extra = serverJavaOpts;
    java.util.function.UnaryOperator<List<String>> withExtra = base -> {
      List<String> all = new ArrayList<>(base);
      all.addAll(extra);
      return all;
    };
    List<Result> results = new ArrayList<>();
    Result simulated = null;
    for (String runtime : runtimes) {
      Result r = switch (runtime) {
        case "simulated" -> run("simulated", pods, withExtra.apply(List.of("-Dtroupe.node.runtime=simulated",
            "-Dtroupe.node.simulated.start-delay=0s")), List.of(), null, HOST_POD, rate, warmupRounds);
        case "process" -> run("process", pods, withExtra.apply(List.of("-Dtroupe.node.runtime=process")), List.of(),
            null, HOST_POD, rate, warmupRounds);
        case "oci" -> run("oci", pods, withExtra.apply(List.of("-Dtroupe.node.runtime=oci")),
            List.of("--node-name", OCI_NODE), OCI_IMAGE, OCI_POD, rate, warmupRounds);
        default -> throw new IllegalArgumentException("--runtime takes simulated, process, oci; not " + runtime);
      };
      if (runtime.equals("simulated")) simulated = r;
      results.add(r);
    }
    for (Result r : results) System.out.println(r.summary());
    if (simulated != null) {
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i) == simulated) continue;
        System.out.printf(java.util.Locale.ROOT, "%s / simulated: p50 %.1fx, p99 %.1fx%n", runtimes.get(i),
            results.get(i).p50Ms() / simulated.p50Ms(), results.get(i).p99Ms() / simulated.p99Ms());
      }
    }
    Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of(
        "commit", commit, "pods", pods, "rate", rate == 0 ? "all at once" : rate + " pods/s", "warmupRounds", warmupRounds,
        "cores", Runtime.getRuntime().availableProcessors(), "results", results)) + "\n");
  }

  private static final String OCI_NODE = "bench-oci";
  private static final String OCI_IMAGE = "busybox:bench";
  static final String HOST_POD = "\"image\":\"host\",\"command\":[\"sh\",\"-c\",\"exec sleep 3600\"]";
  private static final String OCI_POD = "\"image\":\"" + OCI_IMAGE + "\",\"command\":[\"sh\",\"-c\","
      + "\"exec sleep 3600\"]";

  /**
   * @param image imported into the node's image store before the server starts (the oci runtime's), or null
   * @param container the pod's container, but for its name
   * @param rate pods per second, or 0 for all at once
   * @param warmupRounds rounds of the same size run first and not measured: a fresh JVM is cold (class loading, JIT)
   */
  static Result run(String name, int pods, List<String> jvmOptions, List<String> serverArgs, String image,
      String container, double rate, int warmupRounds) throws Exception {
    Path dataDir = Files.createTempDirectory("troupe-pod-startup-" + name);
    List<String> options = new ArrayList<>(List.of("-Xmx1g"));
    options.addAll(jvmOptions);
    if (image != null) {
      Path tarball = dataDir.resolve("image.tar");
      BusyboxTarball.write(tarball, image);
      try (var store = io.troupe.node.image.ImageStore.open(io.troupe.node.image.ImageStoreSettings.of(
          dataDir.resolve("node").resolve(OCI_NODE).resolve("images")))) {
        store.importTarball(tarball).toCompletableFuture().get(2, TimeUnit.MINUTES);
      }
    }
    try (ServerJvm server = ServerJvm.start(dataDir, options, serverArgs, java.time.Duration.ofMinutes(2))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI podsUrl = server.url().resolve("/api/v1/namespaces/default/pods");
      awaitNode(http, server.url());
      for (int round = 0; round < warmupRounds; round++) {
        burst(http, podsUrl, "warm" + round + "-", pods, container, rate, server);
      }
      return burst(http, podsUrl, "p", pods, container, rate, server).named("create to Running, " + name
          + " runtime, " + (rate == 0 ? "all at once" : String.format(java.util.Locale.ROOT, "%.0f pods/s", rate)));
    }
  }

  /**
   * Creates {@code pods} pods, at once or {@code rate} a second, waits until all are Running, deletes them; their
   * latencies from each one's planned send.
   */
  static Result burst(HttpClient http, URI podsUrl, String prefix, int pods, String container, double rate,
      ServerJvm server) throws Exception {
    {
      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> running = new ConcurrentHashMap<>();
      Map<String, Long> acknowledged = new ConcurrentHashMap<>();
      Map<String, Long> bound = new ConcurrentHashMap<>();
      CountDownLatch allRunning = new CountDownLatch(pods);
      var done = new java.util.concurrent.atomic.AtomicBoolean();
      Thread watcher = watch(http, URI.create(podsUrl + "?watch=true"), created, bound, running, allRunning,
          done);
      long started = System.nanoTime();
      double cpuBefore = hostCpuSeconds();
      long serverTicksBefore = server.cpuTicks();
      double clientCpuBefore = clientCpuSeconds();
      List<java.util.concurrent.CompletableFuture<?>> creates = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        String pod = prefix + i;
        String body = "{\"metadata\":{\"name\":\"" + pod + "\"},\"spec\":{\"terminationGracePeriodSeconds\":1,"
            + "\"containers\":[{\"name\":\"main\"," + container + "}]}}";
        long planned = rate == 0 ? System.nanoTime() : started + (long) (i * 1e9 / rate);
        long wait = planned - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // pacing the sends, not a synchronization
        created.put(pod, planned);
        creates.add(http.sendAsync(HttpRequest.newBuilder(podsUrl).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
            .thenRun(() -> acknowledged.put(pod, System.nanoTime())));
      }
      java.util.concurrent.CompletableFuture.allOf(creates.toArray(new java.util.concurrent.CompletableFuture[0]))
          .get(2, TimeUnit.MINUTES);
      if (!allRunning.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(running.size() + " of " + pods + " pods Running after 5 minutes");
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double cpu = hostCpuSeconds() - cpuBefore;
      double serverCpu = (server.cpuTicks() - serverTicksBefore) / 100.0; // USER_HZ
      double clientCpu = clientCpuSeconds() - clientCpuBefore;
      done.set(true);
      watcher.interrupt();
      long[] latencies = sinceCreated(running, created);
      // where the time went: each stage's percentiles from the create's send (the 201, the watch showing the bind),
      // and the CPU the whole host spent meanwhile (the server, the pods' processes, this client)
      System.out.println("  stages of " + prefix + ": created (201) " + stage(acknowledged, created)
          + "; bound " + stage(bound, created) + "; Running " + stage(running, created)
          + String.format(java.util.Locale.ROOT, "; the host's CPU until all ran: %.2f s (%.1f ms a pod: the server"
          + " JVM %.1f, this client %.1f, the rest (the pods' processes, the kernel) %.1f)", cpu, cpu * 1000 / pods,
          serverCpu * 1000 / pods, clientCpu * 1000 / pods, (cpu - serverCpu - clientCpu) * 1000 / pods));
      // and the deletion's: from the first DELETE until the API lists no pod (each one's containers ended and
      // whatever they left killed)
      long deleting = System.nanoTime();
      double deletingCpu = hostCpuSeconds();
      long deletingTicks = server.cpuTicks();
      for (int i = 0; i < pods; i++) {
        http.send(HttpRequest.newBuilder(URI.create(podsUrl + "/" + prefix + i)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
      }
      awaitEmpty(http, podsUrl);
      System.out.printf(java.util.Locale.ROOT, "  deletion of %s: all gone in %.2f s; the host's CPU meanwhile %.1f ms a"
          + " pod (the server JVM %.1f)%n", prefix, (System.nanoTime() - deleting) / 1e9,
          (hostCpuSeconds() - deletingCpu) * 1000 / pods, (server.cpuTicks() - deletingTicks) * 10.0 / pods);
      return Result.of(prefix, 1, latencies, seconds, 0);
    }
  }

  /** CPU time the whole host has spent (user, system, interrupts; every process), from /proc/stat. */
  private static double hostCpuSeconds() throws java.io.IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long jiffies = 0;
    for (int i = 1; i <= 8 && i < f.length; i++) {
      if (i != 4 && i != 5) jiffies += Long.parseLong(f[i]); // not idle, not iowait
    }
    return jiffies / 100.0; // USER_HZ
  }

  /** CPU time this JVM (the bench's client) has spent. */
  private static double clientCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** Each pod's time (ns) from its create's send to when it reached a stage. */
  private static long[] sinceCreated(Map<String, Long> reached, Map<String, Long> created) {
    return reached.entrySet().stream().mapToLong(e -> e.getValue() - created.get(e.getKey())).toArray();
  }

  /** p50 / p99 / max in ms of a stage's times since each pod's create was sent. */
  private static String stage(Map<String, Long> reached, Map<String, Long> created) {
    Result r = Result.of("", 1, sinceCreated(reached, created), 1, 0);
    return String.format(java.util.Locale.ROOT, "p50 %.0f / p99 %.0f / max %.0f ms", r.p50Ms(), r.p99Ms(), r.maxMs());
  }

  private static Thread watch(HttpClient http, URI url, Map<String, Long> created, Map<String, Long> bound,
      Map<String, Long> running, CountDownLatch allRunning, java.util.concurrent.atomic.AtomicBoolean done) {
    Thread t = new Thread(() -> {
      try {
        var response = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            JsonNode event = JSON.readTree(line).path("object");
            String name = event.path("metadata").path("name").asText();
            if (!event.path("spec").path("nodeName").asText().isEmpty() && created.containsKey(name)) {
              bound.putIfAbsent(name, System.nanoTime());
            }
            if ("Running".equals(event.path("status").path("phase").asText()) && created.containsKey(name)
                && running.putIfAbsent(name, System.nanoTime()) == null) {
              allRunning.countDown();
            }
          }
        }
      } catch (Exception e) {
        if (!done.get()) e.printStackTrace();
      }
    }, "pod-watch");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void awaitNode(HttpClient http, URI api) throws Exception {
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < end) {
      String nodes = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/nodes")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (JSON.readTree(nodes).path("items").size() > 0) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("no node registered within a minute");
  }

  private static void awaitEmpty(HttpClient http, URI podsUrl) throws Exception {
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < end) {
      String list = http.send(HttpRequest.newBuilder(podsUrl).build(), HttpResponse.BodyHandlers.ofString()).body();
      if (JSON.readTree(list).path("items").isEmpty()) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("pods still there two minutes after their deletion");
  }
}
