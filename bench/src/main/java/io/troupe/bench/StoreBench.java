package io.troupe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The store's write path through the real HTTP API of a {@code troupe server} JVM on a fresh data directory:
 * the latency of sequential ConfigMap creates and the throughput of 16 clients creating, each next to its floors
 * measured in the same run: {@code GET /healthz} (HTTP) and a durable H2 insert of one journal event (storage).
 * Prints a Markdown table and writes JSON (default {@code bench/results/store-bench.json}).
 *
 * <p>With {@code --etcd on}, the same run also drives etcd ({@link EtcdServer}, Debian's etcd-server) with puts of
 * the ConfigMap's JSON as value (what a Kubernetes API server stores), by the same closed loops (1 client, then
 * {@code --clients}), through etcd's JSON gateway with the same HTTP client; the JSON's {@code etcd} section has
 * Troupe's create throughput over etcd's put throughput. It lives here, not in the scale harness, because this is
 * where Troupe's durable write path is measured: one run, the same loops, the same machine state for both stores.
 *
 * <p>A server JVM is measured warm: the first creates of a fresh JVM run while its JIT compilers still work (the C2
 * thread took ~24 s of CPU in the first 80 s of creates, and one client's creates went from ~90/s in the first
 * minute to ~300/s after five), and etcd, a Go binary, has nothing to warm up. So each server first serves 1,000
 * sequential creates measured as "cold JVM" (what its first minute looks like), then {@code --server-warmup-seconds}
 * of creates by {@code --clients} clients (reported as "warming up"), and only then the measured creates.
 *
 * <p>Options: {@code --clients 16 --warmup-seconds 5 --seconds 20 --sequential 1000 --sequential-warmup 200
 * --server-warmup-seconds 120 --out PATH --commit ID --server-java-opts "-Xmx1g ..." --etcd on|off}.
 */
public final class StoreBench {
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
  private static final String DATA = "d".repeat(200);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, String> options;
  private final int clients;
  private final Duration warmup;
  private final Duration measured;
  private final int sequential;
  private final int sequentialWarmup;
  private final Duration serverWarmup;
  private final List<Result> results = new ArrayList<>();
  private final Map<String, Double> journalWriteMeanMs = new LinkedHashMap<>();
  private final Map<String, Double> serverCpuMsPerOp = new LinkedHashMap<>();
  private final Map<String, Double> etcdRatios = new LinkedHashMap<>();
  private double loadAverageAtStart;

  private StoreBench(Map<String, String> options) {
    this.options = options;
    this.clients = Integer.parseInt(options.getOrDefault("clients", "16"));
    this.warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup-seconds", "5")));
    this.measured = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "20")));
    this.sequential = Integer.parseInt(options.getOrDefault("sequential", "1000"));
    this.sequentialWarmup = Integer.parseInt(options.getOrDefault("sequential-warmup", "200"));
    this.serverWarmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("server-warmup-seconds", "120")));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value, got " + args[i]);
      options.put(args[i].substring(2), args[i + 1]);
    }
    new StoreBench(options).run();
    System.exit(0);
  }

  private void run() throws Exception {
    loadAverageAtStart = loadAverage();
    Path work = Files.createTempDirectory("troupe-store-bench");
    try {
      measureServer(work.resolve("server"));
      if ("on".equals(options.getOrDefault("postgres", "off"))) measurePostgres(work.resolve("postgres"));
      measureStorageFloor(work.resolve("floor"));
      if ("on".equals(options.getOrDefault("etcd", "off"))) measureEtcd(work.resolve("etcd"));
      report();
    } finally {
      deleteRecursively(work);
    }
  }

  // ---- through the API ----

  private void measureServer(Path dataDir) throws Exception {
    try (ServerJvm server = ServerJvm.start(dataDir, serverJavaOptions(), Duration.ofMinutes(2))) {
      URI url = server.url();
      progress("server up at " + url);
      ServerCpu cpu = new ServerCpu(server);
      record(ClosedLoop.sequential("GET /healthz", cpu.counted(healthz(url)), sequentialWarmup, sequential));
      cpu.put("GET /healthz, 1 client");
      warmUp(url, cpu, "create ConfigMap");
      double[] before = journalWrites(url);
      record(ClosedLoop.sequential("create ConfigMap", cpu.counted(create(url, "seq")), sequentialWarmup,
          sequential));
      cpu.put("create ConfigMap, 1 client");
      journalWriteMeanMs.put("create ConfigMap, 1 client", meanSince(before, journalWrites(url)));
      record(ClosedLoop.concurrent("GET /healthz", c -> cpu.counted(healthz(url)), clients, warmup, measured));
      cpu.put("GET /healthz, " + clients + " clients");
      before = journalWrites(url);
      record(ClosedLoop.concurrent("create ConfigMap", c -> cpu.counted(create(url, "c" + c)), clients, warmup,
          measured));
      cpu.put("create ConfigMap, " + clients + " clients");
      journalWriteMeanMs.put("create ConfigMap, " + clients + " clients", meanSince(before, journalWrites(url)));
    }
  }

  /**
   * A fresh server JVM brought to its steady state (see the class comment): {@link #sequential} creates measured as
   * {@code name + " (cold JVM)"}, then {@link #serverWarmup} of creates by {@link #clients} clients, recorded as
   * {@code name + " (warming up)"}; neither enters a ratio.
   */
  private void warmUp(URI url, ServerCpu cpu, String name) throws Exception {
    String cold = name + " (cold JVM)";
    record(ClosedLoop.sequential(cold, cpu.counted(create(url, "cold")), 0, sequential));
    cpu.put(cold + ", 1 client");
    if (serverWarmup.isZero()) return;
    String warming = name + " (warming up)";
    record(ClosedLoop.concurrent(warming, c -> cpu.counted(create(url, "warm" + c)), clients, Duration.ZERO,
        serverWarmup));
    cpu.put(warming + ", " + clients + " clients");
  }

  private List<String> serverJavaOptions() {
    String javaOptions = options.getOrDefault("server-java-opts", "").trim();
    return javaOptions.isEmpty() ? List.of() : List.of(javaOptions.split("\\s+"));
  }

  /**
   * The same creates against a server on PostgreSQL (config/cluster.conf: a one-JVM cluster, its journal in a
   * database of its own made for the run and dropped after it), whose commits fsync the WAL as etcd's do: the
   * comparison with etcd at the same fsync policy. PostgreSQL as {@code .ci/postgres} makes it (127.0.0.1:5432,
   * role troupe, which may create databases); {@code --postgres-url} for another server's maintenance database.
   */
  private void measurePostgres(Path dataDir) throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create(options.getOrDefault("postgres-url",
        PostgresDatabase.DEFAULT_ADMIN_URL), "store_bench")) {
      List<String> args = db.serverArguments(dataDir.resolve("store-bench.conf"), List.of());
      try (ServerJvm server = ServerJvm.start(dataDir.resolve("data"), serverJavaOptions(), args,
          Duration.ofMinutes(2))) {
        URI url = server.url();
        progress("server on PostgreSQL up at " + url);
        String name = "create ConfigMap (PostgreSQL)";
        ServerCpu cpu = new ServerCpu(server);
        warmUp(url, cpu, name);
        record(ClosedLoop.sequential(name, cpu.counted(create(url, "seq")), sequentialWarmup, sequential));
        cpu.put(name + ", 1 client");
        record(ClosedLoop.concurrent(name, c -> cpu.counted(create(url, "c" + c)), clients, warmup, measured));
        cpu.put(name + ", " + clients + " clients");
      }
    }
  }

  /**
   * The server JVM's CPU time ({@link ServerJvm#cpuTicks()}) per operation of a phase, warm-up
   * included: on a shared machine the operations' latencies depend on the other work, their CPU cost much less.
   */
  private final class ServerCpu {
    private final ServerJvm server;
    private final java.util.concurrent.atomic.AtomicLong operations = new java.util.concurrent.atomic.AtomicLong();
    private long ticksAtStart;
    private long operationsAtStart;

    ServerCpu(ServerJvm server) {
      this.server = server;
      this.ticksAtStart = server.cpuTicks();
    }

    ClosedLoop.Operation counted(ClosedLoop.Operation operation) {
      return n -> {
        operation.run(n);
        operations.incrementAndGet();
      };
    }

    void put(String phase) {
      long ticks = server.cpuTicks();
      long ops = operations.get();
      if (ticks >= 0 && ticksAtStart >= 0 && ops > operationsAtStart) {
        // Linux counts CPU time in clock ticks of 10 ms (USER_HZ = 100)
        serverCpuMsPerOp.put(phase, Math.round((ticks - ticksAtStart) * 10.0 / (ops - operationsAtStart) * 1000)
            / 1000.0);
      }
      ticksAtStart = ticks;
      operationsAtStart = ops;
    }
  }

  private static ClosedLoop.Operation healthz(URI url) {
    HttpClient client = client();
    HttpRequest request = HttpRequest.newBuilder(url.resolve("/healthz")).timeout(Duration.ofSeconds(30)).build();
    return n -> expect(200, client.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static String configMap(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\"},\"data\":{\"payload\":\"" + DATA + "\"}}";
  }

  private static ClosedLoop.Operation create(URI url, String prefix) {
    HttpClient client = client();
    URI configMaps = url.resolve(CONFIGMAPS);
    return n -> {
      String body = configMap(prefix + "-" + n);
      HttpRequest request = HttpRequest.newBuilder(configMaps).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      expect(201, client.send(request, HttpResponse.BodyHandlers.ofString()));
    };
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static void expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": "
          + response.statusCode() + " " + response.body());
    }
  }

  /** The server's own journal write histogram ({@code troupe_journal_write_seconds}): sum and count. */
  private static double[] journalWrites(URI url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(url.resolve("/metrics")).timeout(Duration.ofSeconds(30)).build();
    String text = client().send(request, HttpResponse.BodyHandlers.ofString()).body();
    double[] sumCount = new double[2];
    for (String line : text.split("\n")) {
      if (line.startsWith("troupe_journal_write_seconds_sum ")) sumCount[0] = Double.parseDouble(line.split(" ")[1]);
      if (line.startsWith("troupe_journal_write_seconds_count ")) sumCount[1] = Double.parseDouble(line.split(" ")[1]);
    }
    return sumCount;
  }

  private static double meanSince(double[] before, double[] after) {
    double count = after[1] - before[1];
    return count == 0 ? 0 : Math.round((after[0] - before[0]) / count * 1e6) / 1e3;
  }

  // ---- the storage floor ----

  private void measureStorageFloor(Path dir) throws Exception {
    try (JournalFloor floor = new JournalFloor(dir)) {
      String name = "H2 journal insert";
      record(ClosedLoop.sequential(name, floor.writer(-1), sequentialWarmup, sequential));
      List<ClosedLoop.Operation> writers = new ArrayList<>();
      for (int c = 0; c < clients; c++) writers.add(floor.writer(c));
      record(ClosedLoop.concurrent(name, writers::get, clients, warmup, measured));
    }
  }

  // ---- etcd, the same loops ----

  private void measureEtcd(Path dir) throws Exception {
    if (!EtcdServer.available()) throw new IllegalStateException("--etcd on, but no etcd on the PATH "
        + "(apt-get install etcd-server etcd-client; bench/scale does)");
    String value = configMap("c0-000000");
    try (EtcdServer etcd = EtcdServer.start(dir)) {
      String name = "etcd put";
      record(ClosedLoop.sequential(name, etcd.put(n -> "/registry/configmaps/default/seq-" + n, value),
          sequentialWarmup, sequential));
      record(ClosedLoop.concurrent(name, c -> etcd.put(n -> "/registry/configmaps/default/c" + c + "-" + n, value),
          clients, warmup, measured));
    }
    Result create1 = find("create ConfigMap", 1);
    Result createN = find("create ConfigMap", clients);
    Result etcd1 = find("etcd put", 1);
    Result etcdN = find("etcd put", clients);
    etcdRatios.put("ops/s, 1 client: Troupe create / etcd put", ratio(create1.perSecond(), etcd1.perSecond()));
    etcdRatios.put("ops/s, " + clients + " clients: Troupe create / etcd put",
        ratio(createN.perSecond(), etcdN.perSecond()));
    etcdRatios.put("p50, 1 client: Troupe create / etcd put", ratio(create1.p50Ms(), etcd1.p50Ms()));
    etcdRatios.put("p50, " + clients + " clients: Troupe create / etcd put", ratio(createN.p50Ms(), etcdN.p50Ms()));
    if (results.stream().anyMatch(r -> r.name().equals("create ConfigMap (PostgreSQL)"))) {
      Result pg1 = find("create ConfigMap (PostgreSQL)", 1);
      Result pgN = find("create ConfigMap (PostgreSQL)", clients);
      etcdRatios.put("ops/s, 1 client: Troupe on PostgreSQL create / etcd put", ratio(pg1.perSecond(),
          etcd1.perSecond()));
      etcdRatios.put("ops/s, " + clients + " clients: Troupe on PostgreSQL create / etcd put",
          ratio(pgN.perSecond(), etcdN.perSecond()));
      etcdRatios.put("p50, 1 client: Troupe on PostgreSQL create / etcd put", ratio(pg1.p50Ms(), etcd1.p50Ms()));
      etcdRatios.put("p50, " + clients + " clients: Troupe on PostgreSQL create / etcd put",
          ratio(pgN.p50Ms(), etcdN.p50Ms()));
    }
    etcdRatios.put("etcd value bytes", (double) value.length());
  }

  // ---- the report ----

  private void record(Result result) {
    results.add(result);
    progress(result.summary());
  }

  private Result find(String name, int clientCount) {
    return results.stream().filter(r -> r.name().equals(name) && r.clients() == clientCount).findFirst()
        .orElseThrow();
  }

  private void report() throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("| operation | clients | ops | ops/s | p50 ms | p99 ms | max ms | errors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.3f | %.3f | %.3f | %d |%n", r.name(),
          r.clients(), r.operations(), r.perSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.errors()));
    }
    Map<String, Object> ratios = ratios();
    md.append("\n| create ConfigMap vs its floors | ratio |\n|---|---:|\n");
    ratios.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    md.append("\n| server's mean journal write, warm-up included (troupe_journal_write_seconds) | ms |\n|---|---:|\n");
    journalWriteMeanMs.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    md.append("\n| server JVM's CPU per operation, warm-up included (/proc/<pid>/stat) | ms |\n|---|---:|\n");
    serverCpuMsPerOp.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    if (!etcdRatios.isEmpty()) {
      md.append("\n| Troupe (H2, WRITE_DELAY=0; PostgreSQL, WAL fsync per commit) vs etcd (WAL fsync per commit) "
          + "| ratio |\n|---|---:|\n");
      etcdRatios.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    }
    System.out.println();
    System.out.print(md);

    ObjectNode json = JSON.createObjectNode();
    json.put("benchmark", "store-bench");
    json.put("date", Instant.now().toString());
    json.put("commit", options.getOrDefault("commit", "unknown"));
    ObjectNode env = json.putObject("environment");
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    // other work on the machine skews every figure: the 1-minute load average before and after the run
    env.put("loadAverageAtStart", loadAverageAtStart);
    env.put("loadAverageAtEnd", loadAverage());
    ObjectNode settings = json.putObject("settings");
    settings.put("clients", clients);
    settings.put("warmupSeconds", warmup.toSeconds());
    settings.put("measuredSeconds", measured.toSeconds());
    settings.put("sequential", sequential);
    settings.put("sequentialWarmup", sequentialWarmup);
    settings.put("serverWarmupSeconds", serverWarmup.toSeconds());
    settings.put("configMapDataBytes", DATA.length());
    settings.put("floorEventBytes", JournalFloor.PAYLOAD_BYTES);
    settings.put("server", "troupe server (config/single.conf: H2 file, WRITE_DELAY=0) in its own JVM");
    json.set("results", JSON.valueToTree(results));
    json.set("ratios", JSON.valueToTree(ratios));
    json.set("serverJournalWriteMeanMs", JSON.valueToTree(journalWriteMeanMs));
    json.set("serverCpuMsPerOperation", JSON.valueToTree(serverCpuMsPerOp));
    if (!etcdRatios.isEmpty()) {
      json.set("etcd", JSON.valueToTree(etcdRatios));
      json.put("etcdDurability", "etcd: WAL fsync before each acknowledgement (concurrent puts share one); Troupe "
          + "on H2 (WRITE_DELAY=0): each commit written to the file before the acknowledgement, no fsync (survives "
          + "kill -9, not a power cut); Troupe on PostgreSQL (synchronous_commit on, fsync on): WAL fsync per commit "
          + "like etcd (measured with --postgres on)");
    }
    Path out = Path.of(options.getOrDefault("out", "bench/results/store-bench.json"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(json) + "\n");
    System.out.println("\nwritten to " + out.toAbsolutePath());
  }

  private Map<String, Object> ratios() {
    Map<String, Object> ratios = new LinkedHashMap<>();
    Result create1 = find("create ConfigMap", 1);
    Result createN = find("create ConfigMap", clients);
    Result http1 = find("GET /healthz", 1);
    Result httpN = find("GET /healthz", clients);
    Result disk1 = find("H2 journal insert", 1);
    Result diskN = find("H2 journal insert", clients);
    ratios.put("p50, 1 client: create / GET /healthz", ratio(create1.p50Ms(), http1.p50Ms()));
    ratios.put("p50, 1 client: create / H2 journal insert", ratio(create1.p50Ms(), disk1.p50Ms()));
    ratios.put("ops/s, " + clients + " clients: create / GET /healthz", ratio(createN.perSecond(), httpN.perSecond()));
    ratios.put("ops/s, " + clients + " clients: create / H2 journal insert",
        ratio(createN.perSecond(), diskN.perSecond()));
    ratios.put("p50, " + clients + " clients: create / GET /healthz", ratio(createN.p50Ms(), httpN.p50Ms()));
    ratios.put("p50, " + clients + " clients: create / H2 journal insert", ratio(createN.p50Ms(), diskN.p50Ms()));
    return ratios;
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : Math.round(a / b * 1000) / 1000.0;
  }

  private static double loadAverage() {
    return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
  }

  private static void progress(Object what) {
    System.err.println("store-bench: " + what);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
