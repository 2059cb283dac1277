package io.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The soak's writers: {@code writers} threads in a closed loop, each owning the ConfigMaps {@code i} with
 * {@code i % writers == w} (so no two write one object) and replacing them in turn (PUT, no resourceVersion) with
 * a new value of {@code data.v}. It remembers the last value each object was acknowledged at, and the value of a
 * write that failed (it may or may not have been applied), to check the store after a restart.
 * {@link #pause()} waits for the writes in flight and holds the others until {@link #resume()}.
 */
final class SoakLoad {
  static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NONE = -1;

  private final SoakSettings settings;
  private final String payload;
  private final AtomicLongArray acknowledged;
  private final AtomicLongArray uncertain;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
  private final List<Thread> threads = new ArrayList<>();
  private volatile URI api;
  private volatile boolean stopped;
  private volatile String lastError = "";

  SoakLoad(SoakSettings settings, URI api) {
    this.settings = settings;
    this.api = api;
    this.payload = "d".repeat(settings.payloadBytes());
    this.acknowledged = new AtomicLongArray(settings.objects());
    this.uncertain = new AtomicLongArray(settings.objects());
    for (int i = 0; i < settings.objects(); i++) {
      acknowledged.set(i, NONE);
      uncertain.set(i, NONE);
    }
  }

  static String name(int object) {
    return String.format(Locale.ROOT, "soak-%04d", object);
  }

  /** Creates every ConfigMap at {@code v = 0}, the writers in parallel. */
  void create() throws InterruptedException {
    List<Thread> creators = new ArrayList<>();
    for (int w = 0; w < settings.writers(); w++) {
      int writer = w;
      creators.add(thread("soak-create-" + w, () -> {
        HttpClient http = client();
        for (int i = writer; i < settings.objects(); i += settings.writers()) {
          try {
            HttpResponse<String> r = http.send(request(URI.create(api + CONFIGMAPS)).POST(body(i, 0)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) throw new IllegalStateException(r.statusCode() + " " + r.body());
            acknowledged.set(i, 0);
          } catch (Exception e) {
            failed(e);
          }
        }
      }));
    }
    for (Thread t : creators) t.join();
    if (errors.get() > 0) throw new IllegalStateException(errors.get() + " creates failed, last: " + lastError);
  }

  /** Starts the writers. */
  void start() {
    for (int w = 0; w < settings.writers(); w++) {
      int writer = w;
      threads.add(thread("soak-writer-" + w, () -> write(writer)));
    }
  }

  private void write(int writer) {
    HttpClient http = client();
    long round = 0;
    while (!stopped) {
      round++;
      for (int i = writer; i < settings.objects() && !stopped; i += settings.writers()) {
        gate.readLock().lock();
        try {
          if (stopped) return;
          HttpRequest put = request(URI.create(api + CONFIGMAPS + "/" + name(i))).PUT(body(i, round)).build();
          HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) throw new IllegalStateException(r.statusCode() + " " + r.body());
          acknowledged.set(i, round);
          uncertain.set(i, NONE);
          writes.incrementAndGet();
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          uncertain.set(i, round);
          failed(e);
        } finally {
          gate.readLock().unlock();
        }
      }
    }
  }

  /** Waits for the writes in flight to answer; no new one starts until {@link #resume}. */
  void pause() {
    gate.writeLock().lock();
  }

  boolean paused() {
    return gate.isWriteLockedByCurrentThread();
  }

  /** Where the writers (and {@link #mismatches}) send their requests from now on. */
  void point(URI newApi) {
    api = newApi;
  }

  /** Lets the writers go on. */
  void resume() {
    gate.writeLock().unlock();
  }

  void stop() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) t.join(Duration.ofSeconds(40).toMillis());
  }

  long writes() {
    return writes.get();
  }

  long errors() {
    return errors.get();
  }

  String lastError() {
    return lastError;
  }

  /**
   * Lists the ConfigMaps and counts those not at the value last acknowledged (nor at that of a write that failed
   * after it): missing ones count too. Call while paused.
   */
  int mismatches(HttpClient http) throws Exception {
    HttpResponse<String> r = http.send(request(URI.create(api + CONFIGMAPS)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("list: " + r.statusCode() + " " + r.body());
    long[] seen = new long[settings.objects()];
    java.util.Arrays.fill(seen, Long.MIN_VALUE);
    for (JsonNode item : JSON.readTree(r.body()).path("items")) {
      String n = item.path("metadata").path("name").asText();
      if (!n.startsWith("soak-")) continue;
      int i = Integer.parseInt(n.substring("soak-".length()));
      if (i < seen.length) seen[i] = Long.parseLong(item.path("data").path("v").asText("-2"));
    }
    int mismatches = 0;
    for (int i = 0; i < seen.length; i++) {
      if (seen[i] == acknowledged.get(i)) continue;
      if (seen[i] == uncertain.get(i) && seen[i] != NONE) {
        acknowledged.set(i, seen[i]); // the failed write had been applied after all
        continue;
      }
      mismatches++;
      if (mismatches <= 5) {
        System.err.println("soak: " + name(i) + " is at v=" + (seen[i] == Long.MIN_VALUE ? "(missing)" : seen[i])
            + ", acknowledged v=" + acknowledged.get(i));
      }
    }
    return mismatches;
  }

  private HttpRequest.BodyPublisher body(int object, long value) {
    return HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name(object) + "\"},\"data\":{\"v\":\"" + value + "\",\"payload\":\"" + payload + "\"}}");
  }

  private void failed(Exception e) {
    // rare, and what it was matters: each on the progress stream
    if (errors.incrementAndGet() <= 20) System.err.println("soak: a write failed: " + e);
    lastError = e.toString();
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
  }

  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }
}
