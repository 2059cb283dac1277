package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.configMap;
import static io.troupe.control.api.HttpApi.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a Kubernetes client relies on beyond plain CRUD: names, namespaces, paging, watches, graceful deletes. */
class ApiSemanticsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    // short bookmarks, so that a test sees one without waiting the default 10 s
    plane = TestControlPlane.start(Map.of("troupe.watch-cache.bookmark-interval", "300ms"));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  /** A fresh namespace of the test's own, so that lists and watches see only what the test made. */
  private static String namespace(String name) {
    var ns = Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", Map.of("name", name));
    assertEquals(201, api.post("/api/v1/namespaces", ns).code());
    return "/api/v1/namespaces/" + name;
  }

  private static JsonNode created(String collection, Object body) {
    HttpApi.Answer answer = api.post(collection, body);
    assertEquals(201, answer.code(), answer::body);
    return answer.json();
  }

  private static String resourceVersion(JsonNode o) {
    return o.path("metadata").path("resourceVersion").asText();
  }

  @Test
  void generateNameAddsFiveCharacters() {
    ObjectNode cm = configMap(null, "v");
    ((ObjectNode) cm.get("metadata")).remove("name");
    ((ObjectNode) cm.get("metadata")).put("generateName", "gen-");
    String first = created("/api/v1/namespaces/default/configmaps", cm).path("metadata").path("name").asText();
    String second = created("/api/v1/namespaces/default/configmaps", cm).path("metadata").path("name").asText();
    for (String name : List.of(first, second)) {
      assertTrue(name.matches("gen-[a-z0-9]{5}"), name);
      assertEquals(200, api.get("/api/v1/namespaces/default/configmaps/" + name).code());
    }
    assertFalse(first.equals(second));
  }

  @Test
  void initialNamespacesExist() {
    for (String name : List.of("default", "kube-system")) {
      HttpApi.Answer answer = api.get("/api/v1/namespaces/" + name);
      assertEquals(200, answer.code(), name);
      assertEquals("Active", answer.json().path("status").path("phase").asText(), answer::body);
    }
    List<String> names = names(api.get("/api/v1/namespaces").json());
    assertTrue(names.containsAll(List.of("default", "kube-system")), names::toString);
  }

  @Test
  void listAcrossNamespacesSeesEveryNamespace() {
    String a = namespace("across-a");
    String b = namespace("across-b");
    created(a + "/pods", pod("pod-a"));
    created(b + "/pods", pod("pod-b"));
    JsonNode list = api.get("/api/v1/pods").json();
    assertEquals("PodList", list.path("kind").asText());
    Set<String> seen = new HashSet<>();
    for (JsonNode item : list.path("items")) {
      seen.add(item.path("metadata").path("namespace").asText() + "/" + item.path("metadata").path("name").asText());
    }
    assertTrue(seen.containsAll(Set.of("across-a/pod-a", "across-b/pod-b")), seen::toString);
    assertEquals(List.of("pod-a"), names(api.get(a + "/pods").json()));
  }

  @Test
  void pagesReturnEveryObjectExactlyOnce() {
    String ns = namespace("paging");
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 7; i++) made.add(created(ns + "/configmaps", configMap("page-" + i, "v"))
        .path("metadata").path("name").asText());
    List<String> seen = new ArrayList<>();
    List<Integer> remaining = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = api.get(ns + "/configmaps?limit=3" + (token == null ? "" : "&continue=" + token)).json();
      pages++;
      seen.addAll(names(page));
      JsonNode meta = page.path("metadata");
      token = meta.hasNonNull("continue") && !meta.path("continue").asText().isEmpty()
          ? meta.path("continue").asText() : null;
      if (token != null) remaining.add(meta.path("remainingItemCount").asInt());
      else assertFalse(meta.has("remainingItemCount"), meta::toString);
      assertTrue(pages <= 3, "too many pages");
    } while (token != null);
    assertEquals(7, seen.size(), seen::toString);
    assertEquals(made, new HashSet<>(seen));
    assertEquals(List.of(4, 1), remaining);
  }

  @Test
  void watchFromAListsVersionMissesNothing() {
    String ns = namespace("list-then-watch");
    created(ns + "/configmaps", configMap("before", "v"));
    JsonNode list = api.get(ns + "/configmaps").json();
    String version = resourceVersion(list);
    created(ns + "/configmaps", configMap("between", "v"));
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=30&resourceVersion=" + version)) {
      assertEquals(200, watch.code());
      JsonNode between = watch.next(WAIT);
      assertEquals("ADDED", between.path("type").asText(), between::toString);
      assertEquals("between", between.path("object").path("metadata").path("name").asText());
      assertTrue(Long.parseLong(resourceVersion(between.path("object"))) > Long.parseLong(version));
      created(ns + "/configmaps", configMap("after", "v"));
      JsonNode after = watch.next(WAIT);
      assertEquals("ADDED", after.path("type").asText(), after::toString);
      assertEquals("after", after.path("object").path("metadata").path("name").asText());
    }
  }

  @Test
  void initialEventsEndWithAnAnnotatedBookmark() {
    String ns = namespace("initial-events");
    Set<String> existing = Set.of("one", "two", "three");
    for (String name : existing) created(ns + "/configmaps", configMap(name, "v"));
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=30&sendInitialEvents=true"
        + "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")) {
      assertEquals(200, watch.code());
      Set<String> added = new HashSet<>();
      for (int i = 0; i < existing.size(); i++) {
        JsonNode event = watch.next(WAIT);
        assertEquals("ADDED", event.path("type").asText(), event::toString);
        added.add(event.path("object").path("metadata").path("name").asText());
      }
      assertEquals(existing, added);
      JsonNode end = watch.next(WAIT);
      assertEquals("BOOKMARK", end.path("type").asText(), end::toString);
      JsonNode meta = end.path("object").path("metadata");
      assertEquals("true", meta.path("annotations").path("k8s.io/initial-events-end").asText(), end::toString);
      assertFalse(meta.path("resourceVersion").asText().isEmpty());
      assertEquals("ConfigMap", end.path("object").path("kind").asText());
      // then the watch goes on with the changes
      created(ns + "/configmaps", configMap("four", "v"));
      JsonNode next = watch.nextChange(WAIT);
      assertEquals("ADDED", next.path("type").asText(), next::toString);
      assertEquals("four", next.path("object").path("metadata").path("name").asText());
    }
  }

  @Test
  void bookmarksArriveWhenAllowed() {
    String ns = namespace("bookmarks");
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=30&allowWatchBookmarks=true")) {
      JsonNode event = watch.next(WAIT);
      assertEquals("BOOKMARK", event.path("type").asText(), event::toString);
      assertEquals("ConfigMap", event.path("object").path("kind").asText());
      assertFalse(resourceVersion(event.path("object")).isEmpty(), event::toString);
      assertTrue(event.path("object").path("metadata").path("annotations")
          .path("k8s.io/initial-events-end").isMissingNode(), event::toString);
    }
  }

  @Test
  void timeoutSecondsEndsTheWatch() {
    String ns = namespace("short-watch");
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=1")) {
      assertEquals(200, watch.code());
      assertTrue(watch.endsWithin(Duration.ofSeconds(10)), "the stream ends after about a second");
    }
  }

  /** As Kubernetes: timeoutSeconds=0 means no timeout of the client's, so the server's default (30-60 min). */
  @Test
  void timeoutSecondsZeroIsTheDefaultTimeout() {
    String ns = namespace("zero-timeout");
    try (HttpApi.Watch zero = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=0");
        HttpApi.Watch two = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=2")) {
      assertTrue(two.endsWithin(Duration.ofSeconds(10)), "the 2 s watch ends");
      assertFalse(zero.endsWithin(Duration.ofMillis(300)), "the watch with timeoutSeconds=0 is still open");
      created(ns + "/configmaps", configMap("still-watched", "v"));
      assertEquals("still-watched", zero.next(WAIT).path("object").path("metadata").path("name").asText());
    }
  }

  @Test
  void finalizersHoldADeleteUntilTheyAreRemoved() {
    String ns = namespace("graceful");
    ObjectNode held = configMap("held", "v");
    ((ObjectNode) held.get("metadata")).putArray("finalizers").add("example.com/hold");
    JsonNode object = created(ns + "/configmaps", held);
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=30&resourceVersion="
        + resourceVersion(object))) {
      HttpApi.Answer deleting = api.delete(ns + "/configmaps/held");
      assertEquals(202, deleting.code(), deleting::body);
      assertFalse(deleting.json().path("metadata").path("deletionTimestamp").asText().isEmpty(), deleting::body);
      JsonNode modified = watch.next(WAIT);
      assertEquals("MODIFIED", modified.path("type").asText(), modified::toString);
      assertTrue(modified.path("object").path("metadata").has("deletionTimestamp"));

      JsonNode stillThere = api.get(ns + "/configmaps/held").json();
      assertFalse(stillThere.path("metadata").path("deletionTimestamp").asText().isEmpty());
      assertEquals(List.of("held"), names(api.get(ns + "/configmaps").json()));

      var release = Map.of("metadata", Map.of("finalizers", List.of()));
      HttpApi.Answer released = api.mergePatch(ns + "/configmaps/held", release);
      assertEquals(200, released.code(), released::body);
      JsonNode deleted = watch.next(WAIT);
      assertEquals("DELETED", deleted.path("type").asText(), deleted::toString);
      assertEquals("held", deleted.path("object").path("metadata").path("name").asText());
      assertEquals(404, api.get(ns + "/configmaps/held").code());
      assertEquals(List.of(), names(api.get(ns + "/configmaps").json()));
    }
  }

  @Test
  void removingTheLastFinalizerByPutDeletes() {
    String ns = namespace("graceful-put");
    ObjectNode pod = pod("held-pod");
    ((ObjectNode) pod.get("metadata")).putArray("finalizers").add("example.com/a").add("example.com/b");
    created(ns + "/pods", pod);
    assertEquals(202, api.delete(ns + "/pods/held-pod").code());
    ObjectNode current = (ObjectNode) api.get(ns + "/pods/held-pod").json();
    ((ObjectNode) current.get("metadata")).putArray("finalizers").add("example.com/b");
    HttpApi.Answer one = api.put(ns + "/pods/held-pod", current);
    assertEquals(200, one.code(), one::body);
    ObjectNode last = (ObjectNode) one.json();
    ((ObjectNode) last.get("metadata")).remove("finalizers");
    HttpApi.Answer gone = api.put(ns + "/pods/held-pod", last);
    assertEquals(200, gone.code(), gone::body);
    assertEquals(404, api.get(ns + "/pods/held-pod").code());
  }

  @Test
  void objectsWithoutFinalizersGoAtOnce() {
    String ns = namespace("plain-delete");
    created(ns + "/configmaps", configMap("plain", "v"));
    assertEquals(200, api.delete(ns + "/configmaps/plain").code());
    assertEquals(404, api.get(ns + "/configmaps/plain").code());
  }

  @Test
  void yamlBodiesAreAccepted() {
    String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  labels:\n    app: web\n"
        + "data:\n  greeting: hi\n  multi: |\n    line one\n    line two\n";
    HttpApi.Answer answer = api.send("POST", "/api/v1/namespaces/default/configmaps", "application/yaml", yaml);
    assertEquals(201, answer.code(), answer::body);
    assertTrue(answer.contentType().startsWith("application/json"));
    JsonNode stored = api.get("/api/v1/namespaces/default/configmaps/from-yaml").json();
    assertEquals("hi", stored.path("data").path("greeting").asText());
    assertEquals("line one\nline two\n", stored.path("data").path("multi").asText());
    assertEquals("web", stored.path("metadata").path("labels").path("app").asText());
  }

  @Test
  void unknownFieldsAreKept() {
    ObjectNode pod = pod("future");
    ((ObjectNode) pod.get("spec")).putObject("futureField").put("enabled", true).putArray("list").add(1).add(2);
    ((ObjectNode) pod.get("spec").get("containers").get(0)).put("futureContainerField", "x");
    pod.put("topLevelExtra", "kept");
    created("/api/v1/namespaces/default/pods", pod);
    JsonNode stored = api.get("/api/v1/namespaces/default/pods/future").json();
    assertEquals(pod.get("spec").get("futureField"), stored.path("spec").path("futureField"), stored::toString);
    assertEquals("x", stored.path("spec").path("containers").path(0).path("futureContainerField").asText());
    assertEquals("kept", stored.path("topLevelExtra").asText(), stored::toString);
    // and a PUT of what was read gives them back unchanged
    HttpApi.Answer put = api.put("/api/v1/namespaces/default/pods/future", stored);
    assertEquals(200, put.code(), put::body);
    assertEquals(stored.path("spec").path("futureField"), put.json().path("spec").path("futureField"));
  }

  @Test
  void aNoOpPutKeepsTheResourceVersion() {
    String ns = namespace("no-op");
    JsonNode object = created(ns + "/configmaps", configMap("same", "v"));
    try (HttpApi.Watch watch = api.watch(ns + "/configmaps?watch=true&timeoutSeconds=30&resourceVersion="
        + resourceVersion(object))) {
      HttpApi.Answer put = api.put(ns + "/configmaps/same", object);
      assertEquals(200, put.code(), put::body);
      assertEquals(resourceVersion(object), resourceVersion(put.json()));
      assertEquals(resourceVersion(object), resourceVersion(api.get(ns + "/configmaps/same").json()));
      // a no-op writes no event: the next event a watcher sees is the next real change
      ObjectNode changed = object.deepCopy();
      ((ObjectNode) changed.get("data")).put("key", "w");
      assertEquals(200, api.put(ns + "/configmaps/same", changed).code());
      JsonNode event = watch.next(WAIT);
      assertEquals("MODIFIED", event.path("type").asText(), event::toString);
      assertEquals("w", event.path("object").path("data").path("key").asText(), event::toString);
    }
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    for (JsonNode item : list.path("items")) names.add(item.path("metadata").path("name").asText());
    return names;
  }
}
