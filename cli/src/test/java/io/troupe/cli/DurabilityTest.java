package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash loses no acknowledged write. A real {@code troupe server} JVM takes creates and conditional updates of
 * ConfigMaps from 16 HTTP clients and is killed with SIGKILL while writes are in flight; started again on the same
 * data directory, it must list every object whose write was acknowledged (a 2xx) with exactly the resourceVersion
 * and data of that write. A write that got no answer may or may not have landed, but only as a later version.
 * resourceVersions stay on one axis across the restart: the next write gets a larger one than any before.
 */
class DurabilityTest {
  private static final int CLIENTS = 16;
  /** The kill comes once this many creates were acknowledged; the writers carry on past it, so writes are in flight. */
  private static final int ACKED_CREATES_BEFORE_KILL = 1_000;
  private static final int MAX_OBJECTS = 2_000;
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
  private static final String PAYLOAD = "x".repeat(100);
  // a first start makes the cluster CA and certificates (RSA keys: seconds on a loaded machine)
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(25);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LOGS = Path.of("target", "durability-test");

  @TempDir
  Path dataDir;
  private final List<ServerProcess> servers = new ArrayList<>();
  private ExecutorService writers;

  @AfterEach
  void stopEverything() {
    for (ServerProcess server : servers) server.close();
    if (writers != null) writers.shutdownNow();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void killMinus9LosesNoAcknowledgedWrite() throws Exception {
    String run = "run-" + System.currentTimeMillis();
    ServerProcess first = start(run + "-first");

    Ledger ledger = new Ledger(MAX_OBJECTS);
    Load load = new Load(first.url(), ledger);
    writers = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) running.add(writers.submit(load::write));

    long loadStarted = System.nanoTime();
    // generous: ~20 s here, but the machine may be shared; the kill comes as soon as the count is reached
    assertTrue(load.enoughAcked.await(90, TimeUnit.SECONDS),
        "the load did not reach " + ACKED_CREATES_BEFORE_KILL + " acknowledged creates in time; errors: "
            + load.errors + "\nserver stderr:\n" + first.stderrTail());
    load.killed.set(true);
    int inFlightAtKill = load.inFlight.get();
    first.kill();
    for (Future<?> writer : running) writer.get(30, TimeUnit.SECONDS);
    writers.shutdown();

    assertEquals(List.of(), load.errors, "writes refused or failed before the kill");
    assertTrue(inFlightAtKill > 0, "no write was in flight at the kill: the test proves nothing");
    System.out.printf("killed pid %d with %d writes in flight after %d acknowledged creates and %d acknowledged "
        + "updates in %d ms%n", first.pid(), inFlightAtKill, load.ackedCreates.get(), load.ackedUpdates.get(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStarted));

    ServerProcess second = start(run + "-second");
    JsonNode list = send(client(), get(second.url(), CONFIGMAPS), 200);
    long listVersion = Long.parseLong(list.path("metadata").path("resourceVersion").asText());
    Map<String, JsonNode> listed = new HashMap<>();
    for (JsonNode item : list.path("items")) listed.put(item.path("metadata").path("name").asText(), item);

    List<String> wrong = new ArrayList<>();
    long newestBefore = listVersion;
    int unacknowledgedLanded = 0;
    Entry toUpdateAfterRestart = null;
    for (Entry e : ledger.entries) {
      if (!e.attempted()) continue;
      JsonNode item = listed.remove(e.name);
      newestBefore = Math.max(newestBefore, e.ackedVersion);
      if (item == null) {
        if (e.acknowledged()) wrong.add(e.name + ": lost; acknowledged at resourceVersion " + e.ackedVersion);
        continue;
      }
      long version = Long.parseLong(item.path("metadata").path("resourceVersion").asText());
      Map<String, String> data = dataOf(item);
      String uid = item.path("metadata").path("uid").asText();
      newestBefore = Math.max(newestBefore, version);
      boolean asAcknowledged = e.acknowledged() && version == e.ackedVersion && data.equals(e.ackedData)
          && uid.equals(e.uid);
      boolean asUnacknowledged = e.unackedData != null && version > e.ackedVersion && data.equals(e.unackedData)
          && (e.uid == null || uid.equals(e.uid));
      if (asUnacknowledged) unacknowledgedLanded++;
      if (version > listVersion) wrong.add(e.name + ": resourceVersion " + version + " above the list's " + listVersion);
      if (!asAcknowledged && !asUnacknowledged) {
        wrong.add(e.name + ": found resourceVersion " + version + " data " + data + " uid " + uid
            + "; acknowledged " + e.ackedVersion + " " + e.ackedData + " uid " + e.uid
            + (e.unackedData == null ? "" : "; unacknowledged " + e.unackedData));
      }
      if (asAcknowledged && e.unackedData == null && e.updates > 0) toUpdateAfterRestart = e;
    }
    for (String name : listed.keySet()) wrong.add(name + ": listed but never written");
    assertEquals(List.of(), wrong, "objects after the restart differ from what was acknowledged");
    System.out.printf("after the restart: %d objects at resourceVersion %d; %d unacknowledged writes landed%n",
        list.path("items").size(), listVersion, unacknowledgedLanded);

    // one axis: a new object, then a conditional update with a resourceVersion acknowledged before the crash
    HttpClient client = client();
    JsonNode created = send(client, post(second.url(), CONFIGMAPS, body("after-restart", Map.of("k", "v"), null)),
        201);
    long createdVersion = versionOf(created);
    assertTrue(createdVersion > newestBefore,
        "a write after the restart got resourceVersion " + createdVersion + ", not above " + newestBefore);
    assertTrue(toUpdateAfterRestart != null, "no updated object to update again");
    Entry e = toUpdateAfterRestart;
    JsonNode updated = send(client, put(second.url(), CONFIGMAPS + "/" + e.name,
        body(e.name, Map.of("k", "after-restart"), e.ackedVersion)), 200);
    assertTrue(versionOf(updated) > createdVersion, "an update after the restart went back in resourceVersion");
    JsonNode read = send(client, get(second.url(), CONFIGMAPS + "/" + e.name), 200);
    assertEquals(versionOf(updated), versionOf(read));
    assertEquals(Map.of("k", "after-restart"), dataOf(read));
  }

  // ---- the load: 16 clients, each creating objects one after another and updating some of them ----

  /** What the clients know of every object: its last acknowledged write and a write sent without an answer. */
  private static final class Ledger {
    final List<Entry> entries = new ArrayList<>();
    final AtomicInteger next = new AtomicInteger();

    Ledger(int size) {
      for (int i = 0; i < size; i++) entries.add(new Entry(String.format("cm-%04d", i), i % 3 != 0 ? 0 : 1 + i % 2));
    }
  }

  /** One object, written by one client only: its fields are read by the test after that client finished. */
  private static final class Entry {
    final String name;
    final int updates;
    long ackedVersion = -1;
    String uid;
    Map<String, String> ackedData;
    Map<String, String> unackedData;

    Entry(String name, int updates) {
      this.name = name;
      this.updates = updates;
    }

    boolean acknowledged() {
      return ackedVersion >= 0;
    }

    boolean attempted() {
      return acknowledged() || unackedData != null;
    }
  }

  private final class Load {
    final URI url;
    final Ledger ledger;
    final CountDownLatch enoughAcked = new CountDownLatch(1);
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger ackedCreates = new AtomicInteger();
    final AtomicLong ackedUpdates = new AtomicLong();
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());

    Load(URI url, Ledger ledger) {
      this.url = url;
      this.ledger = ledger;
    }

    /** One client: takes the next object, creates it, updates it 0-2 times; stops after the kill. */
    void write() {
      HttpClient client = client();
      while (!killed.get()) {
        int i = ledger.next.getAndIncrement();
        if (i >= ledger.entries.size()) return;
        Entry e = ledger.entries.get(i);
        JsonNode created = attempt(client, e, "POST", CONFIGMAPS, data(e, 0), 201);
        if (created == null) continue;
        e.uid = created.path("metadata").path("uid").asText();
        if (ackedCreates.incrementAndGet() == ACKED_CREATES_BEFORE_KILL) enoughAcked.countDown();
        for (int u = 1; u <= e.updates && !killed.get(); u++) {
          if (attempt(client, e, "PUT", CONFIGMAPS + "/" + e.name, data(e, u), 200) == null) break;
          ackedUpdates.incrementAndGet();
        }
      }
    }

    /** Sends one write; records it as acknowledged (2xx) or as unacknowledged, then returns the answer or null. */
    private JsonNode attempt(HttpClient client, Entry e, String method, String path, Map<String, String> sent,
        int expected) {
      Long precondition = e.acknowledged() ? e.ackedVersion : null;
      HttpRequest request = request(method, url, path, body(e.name, sent, precondition));
      e.unackedData = sent;
      inFlight.incrementAndGet();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
          if (!killed.get()) errors.add(e.name + ": " + response.statusCode() + " " + response.body());
          return null;
        }
        JsonNode object = JSON.readTree(response.body());
        long version = versionOf(object);
        if (version <= e.ackedVersion || !dataOf(object).equals(sent)) {
          errors.add(e.name + ": acknowledged " + object + " after resourceVersion " + e.ackedVersion);
        }
        e.ackedVersion = version;
        e.ackedData = sent;
        e.unackedData = null;
        return object;
      } catch (IOException ex) {
        if (!killed.get()) errors.add(e.name + ": " + ex);
        return null;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return null;
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private static Map<String, String> data(Entry e, int version) {
    return Map.of("value", e.name + "@" + version, "payload", PAYLOAD);
  }

  // ---- HTTP and JSON ----

  private ServerProcess start(String name) throws IOException {
    ServerProcess server = ServerProcess.start(dataDir, LOGS, name, START_DEADLINE);
    servers.add(server);
    return server;
  }

  /** Through the kubeconfig the server wrote in the data directory (its CA, the admin's certificate). */
  private HttpClient client() {
    return ServerProcess.http(dataDir.resolve("kubeconfig")).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static String body(String name, Map<String, String> data, Long resourceVersion) {
    ObjectNode cm = JSON.createObjectNode();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    ObjectNode meta = cm.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", "default");
    if (resourceVersion != null) meta.put("resourceVersion", Long.toString(resourceVersion));
    cm.set("data", JSON.valueToTree(data));
    return cm.toString();
  }

  private static HttpRequest post(URI base, String path, String json) {
    return request("POST", base, path, json);
  }

  private static HttpRequest put(URI base, String path, String json) {
    return request("PUT", base, path, json);
  }

  private static HttpRequest request(String method, URI base, String path, String json) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private static HttpRequest get(URI base, String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).GET().build();
  }

  private static JsonNode send(HttpClient client, HttpRequest request, int expected) throws Exception {
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), request.method() + " " + request.uri() + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private static long versionOf(JsonNode object) {
    return Long.parseLong(object.path("metadata").path("resourceVersion").asText());
  }

  private static Map<String, String> dataOf(JsonNode object) {
    Map<String, String> data = new HashMap<>();
    for (Map.Entry<String, JsonNode> f : object.path("data").properties()) data.put(f.getKey(), f.getValue().asText());
    return data;
  }
}
