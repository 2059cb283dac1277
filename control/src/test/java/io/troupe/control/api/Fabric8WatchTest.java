package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Manifests.names;
import static io.troupe.control.api.Fabric8Manifests.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Watches and informers through a real Kubernetes client (fabric8) against a real Troupe, over both ways
 * fabric8 watches: a WebSocket (its default) and a plain chunked HTTP stream.
 */
class Fabric8WatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final int WRITERS = 4;
  private static final int OBJECTS_PER_WRITER = 25;

  private static ControlPlane plane;
  private static KubernetesClient webSocketClient;
  private static KubernetesClient httpClient;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    webSocketClient = Fabric8Clients.connect(TestControlPlane.url(plane), false);
    httpClient = Fabric8Clients.connect(TestControlPlane.url(plane), true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (webSocketClient != null) webSocketClient.close();
    if (httpClient != null) httpClient.close();
    if (plane != null) plane.close();
  }

  private static KubernetesClient client(boolean onlyHttpWatches) {
    return onlyHttpWatches ? httpClient : webSocketClient;
  }

  // ---- one object's life ----

  @Test
  void webSocketWatchSeesAddedModifiedDeletedInOrder() {
    double webSocketsBefore = podWatches("101");
    double streamsBefore = podWatches("200");
    watchOnePodsLife(webSocketClient);
    assertTrue(podWatches("101") > webSocketsBefore, "the watch was a WebSocket (101 Switching Protocols)");
    assertEquals(streamsBefore, podWatches("200"), "fabric8 did not fall back to a plain HTTP watch");
  }

  @Test
  void httpWatchSeesAddedModifiedDeletedInOrder() {
    double webSocketsBefore = podWatches("101");
    double streamsBefore = podWatches("200");
    watchOnePodsLife(httpClient);
    assertTrue(podWatches("200") > streamsBefore, "the watch was a plain HTTP stream");
    assertEquals(webSocketsBefore, podWatches("101"), "no WebSocket was opened");
  }

  private static void watchOnePodsLife(KubernetesClient client) {
    String ns = Fabric8Clients.newNamespace(client, "watch");
    var pods = client.pods().inNamespace(ns);
    String listed = pods.list().getMetadata().getResourceVersion();
    Recorder<Pod> seen = new Recorder<>();
    try (Watch ignored = pods.watch(from(listed), seen)) {
      Pod created = pods.resource(Fabric8Manifests.pod("web-1", Map.of("app", "web"))).create();
      Pod edited = pods.withName("web-1")
          .edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "fe").endMetadata().build());
      pods.withName("web-1").delete();

      Fabric8Clients.awaitUntil(DEADLINE, () -> seen.events().size() >= 3, () -> "three events, saw " + seen);
      List<Seen> events = seen.events();
      assertEquals(List.of(Watcher.Action.ADDED, Watcher.Action.MODIFIED, Watcher.Action.DELETED),
          events.stream().map(Seen::action).toList(), "the watch tells the pod's life in order: " + seen);
      assertTrue(events.stream().allMatch(e -> e.name().equals("web-1")));
      assertEquals(version(created), events.get(0).resourceVersion(), "ADDED carries the created pod");
      assertEquals(version(edited), events.get(1).resourceVersion(), "MODIFIED carries the edit");
      assertTrue(events.get(2).resourceVersion() > events.get(1).resourceVersion(),
          "DELETED comes with a newer resourceVersion");
      assertNull(seen.closedWith(), "the watch stayed open");
    }
  }

  // ---- list, then watch, under concurrent writers ----

  @ParameterizedTest(name = "onlyHttpWatches={0}")
  @ValueSource(booleans = {false, true})
  void watchFromAListMissesNothingAndRepeatsNothingUnderConcurrentWriters(boolean onlyHttpWatches)
      throws Exception {
    KubernetesClient client = client(onlyHttpWatches);
    String ns = Fabric8Clients.newNamespace(client, "writers");
    var configMaps = client.configMaps().inNamespace(ns);
    configMaps.resource(Fabric8Manifests.configMap("before-the-list", Map.of("n", "0"))).create();
    String listed = configMaps.list().getMetadata().getResourceVersion();

    Recorder<ConfigMap> seen = new Recorder<>();
    Queue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    try (Watch ignored = configMaps.watch(from(listed), seen)) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String writer = "writer-" + w;
        done.add(writers.submit(() -> {
          for (int i = 0; i < OBJECTS_PER_WRITER; i++) {
            ConfigMap created = configMaps.resource(Fabric8Manifests.configMap(writer + "-" + i, Map.of("n", "1")))
                .create();
            acknowledged.add(version(created));
            ConfigMap updated = configMaps.resource(new ConfigMapBuilder(created).addToData("n", "2").build())
                .update();
            acknowledged.add(version(updated));
          }
          return null;
        }));
      }
      for (Future<?> writer : done) writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      // the stream is in resourceVersion order: once a write made after every other one is seen, so is the rest
      ConfigMap last = configMaps.resource(Fabric8Manifests.configMap("after-the-writers", Map.of("n", "0")))
          .create();
      Fabric8Clients.awaitUntil(DEADLINE, () -> seen.sawVersion(version(last)),
          () -> "the last write; saw " + seen.events().size() + " events of " + (acknowledged.size() + 1));

      List<Long> versions = seen.events().stream().map(Seen::resourceVersion).toList();
      for (int i = 1; i < versions.size(); i++) {
        assertTrue(versions.get(i) > versions.get(i - 1),
            "resourceVersions increase along the stream: " + versions.get(i - 1) + " then " + versions.get(i));
      }
      List<Long> expected = new ArrayList<>(acknowledged);
      expected.add(version(last));
      expected.sort(null);
      assertEquals(expected, versions, "every acknowledged write is seen exactly once, and nothing else");
      assertEquals(WRITERS * OBJECTS_PER_WRITER + 1,
          seen.events().stream().filter(e -> e.action() == Watcher.Action.ADDED).count());
      assertTrue(seen.events().stream().noneMatch(e -> e.name().equals("before-the-list")),
          "what the list returned is not sent again");
      assertNull(seen.closedWith(), "the watch stayed open");
    } finally {
      writers.shutdownNow();
    }
  }

  @Test
  void waitUntilConditionReturnsOnceAChangeArrives() throws Exception {
    String ns = Fabric8Clients.newNamespace(webSocketClient, "wait");
    var pods = webSocketClient.pods().inNamespace(ns);
    pods.resource(Fabric8Manifests.pod("web-1", Map.of("app", "web"))).create();

    CompletableFuture<Pod> ready = CompletableFuture.supplyAsync(() -> pods.withName("web-1")
        .waitUntilCondition(p -> p != null && "fe".equals(p.getMetadata().getLabels().get("tier")),
            DEADLINE.toSeconds(), TimeUnit.SECONDS));
    pods.withName("web-1").edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "fe").endMetadata().build());

    Pod seen = ready.get(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
    assertEquals("fe", seen.getMetadata().getLabels().get("tier"), "the wait ends with the edited pod");
  }

  // ---- informer ----

  @Test
  void informerSeesAddsUpdatesAndDeletes() throws Exception {
    String ns = Fabric8Clients.newNamespace(webSocketClient, "inform");
    var configMaps = webSocketClient.configMaps().inNamespace(ns);
    configMaps.resource(Fabric8Manifests.configMap("existing", Map.of("v", "1"))).create();

    Queue<String> heard = new ConcurrentLinkedQueue<>();
    ResourceEventHandler<ConfigMap> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap o) {
        heard.add("add " + o.getMetadata().getName() + " v=" + o.getData().get("v"));
      }

      @Override
      public void onUpdate(ConfigMap old, ConfigMap now) {
        heard.add("update " + now.getMetadata().getName() + " v=" + old.getData().get("v") + "->"
            + now.getData().get("v"));
      }

      @Override
      public void onDelete(ConfigMap o, boolean finalStateUnknown) {
        heard.add("delete " + o.getMetadata().getName() + (finalStateUnknown ? " (final state unknown)" : ""));
      }
    };
    try (SharedIndexInformer<ConfigMap> informer = configMaps.inform(handler)) {
      Fabric8Clients.awaitUntil(DEADLINE, informer::hasSynced, () -> "the informer's first list");
      Fabric8Clients.awaitUntil(DEADLINE, () -> heard.contains("add existing v=1"),
          () -> "the listed object: " + heard);

      configMaps.resource(Fabric8Manifests.configMap("new", Map.of("v", "1"))).create();
      configMaps.withName("new").edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
      configMaps.withName("existing").delete();

      List<String> expected = List.of("add existing v=1", "add new v=1", "update new v=1->2", "delete existing");
      Fabric8Clients.awaitUntil(DEADLINE, () -> heard.size() >= expected.size(), () -> "four notifications: " + heard);
      assertEquals(expected, List.copyOf(heard), "the handler hears each change once, in order");
      assertEquals(List.of("new"), names(informer.getStore().list()), "the informer's cache");
      assertEquals("2", informer.getStore().getByKey(ns + "/new").getData().get("v"));
    }
  }

  // ---- what the tests record ----

  private static ListOptions from(String resourceVersion) {
    return new ListOptionsBuilder().withResourceVersion(resourceVersion).build();
  }

  /** One watch event as the client saw it. */
  record Seen(Watcher.Action action, String name, long resourceVersion) {}

  /** A watcher that keeps every event, for a test thread to read while the client's threads write. */
  static final class Recorder<T extends HasMetadata> implements Watcher<T> {
    private final Queue<Seen> events = new ConcurrentLinkedQueue<>();
    private volatile WatcherException closedWith;

    @Override
    public void eventReceived(Action action, T resource) {
      if (action == Action.BOOKMARK) return; // not an object's change (fabric8 passes them on only when asked)
      events.add(new Seen(action, resource.getMetadata().getName(),
          Long.parseLong(resource.getMetadata().getResourceVersion())));
    }

    @Override
    public void onClose(WatcherException cause) {
      closedWith = cause;
    }

    List<Seen> events() {
      return List.copyOf(events);
    }

    boolean sawVersion(long resourceVersion) {
      return events.stream().anyMatch(e -> e.resourceVersion() == resourceVersion);
    }

    WatcherException closedWith() {
      return closedWith;
    }

    @Override
    public String toString() {
      return events.toString();
    }
  }

  // ---- what the server counted ----

  /** Pod watches the server has answered with HTTP {@code code}. */
  private static double podWatches(String code) {
    return ServerMetrics.sum(TestControlPlane.url(plane), "troupe_apiserver_requests_total",
        "verb=\"watch\"", "resource=\"pods\"", "code=\"" + code + "\"");
  }
}
