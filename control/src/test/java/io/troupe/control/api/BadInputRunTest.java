package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.configMap;
import static io.troupe.control.api.HttpApi.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad-input run: more than a thousand generated bad requests (seeded: {@code -Dtroupe.bad-input.seed=N}
 * replays a run) through the real API over HTTP. Each must be answered with a Kubernetes {@code Status} of the
 * code its family expects (the table in {@link Family}), never a 5xx, never a stack trace; afterwards every
 * object of every kind is exactly as before the run (nothing created, changed or half-written).
 */
class BadInputRunTest {
  private static final long SEED = Long.getLong("troupe.bad-input.seed", 20261205L);
  /** Requests drawn from the cheap families; the oversized ones (megabytes each) are added on top. */
  private static final int DRAWN = 1100;
  private static final int OVERSIZED_BODIES = 12;
  private static final int OVERSIZED_OBJECTS = 8;
  private static final String NS = "/api/v1/namespaces/default";
  private static final String JSON = HttpApi.JSON;

  private static ControlPlane plane;
  private static HttpApi api;

  /**
   * Input family → the codes it may get. Where a family mixes requests that Kubernetes refuses at decoding (400)
   * and at validation (422), both are allowed; anything else, and any 5xx, fails the run.
   */
  enum Family {
    MALFORMED_JSON(400),
    MALFORMED_YAML(400),
    WRONG_FIELD_TYPES(400, 422),
    OVERSIZED_BODY(413),
    OVERSIZED_OBJECT(422),
    DEEP_NESTING(400),
    INVALID_NAME(422),
    UNKNOWN_PATH(404),
    UNKNOWN_VERSION(404),
    KIND_MISMATCH(400),
    STALE_RESOURCE_VERSION(409),
    WRONG_CONTENT_TYPE(415),
    BAD_QUERY(400, 422),
    BAD_PATCH(400, 422),
    METHOD_NOT_ALLOWED(405),
    MISSING_OBJECT(404),
    /** Any request of the families above without credentials, or with a forged bearer token. */
    UNAUTHENTICATED(401),
    /** Any request of the families above by a valid user that no role binding names. */
    UNAUTHORIZED(403);

    final Set<Integer> codes;

    Family(Integer... codes) {
      this.codes = Set.of(codes);
    }
  }

  /**
   * One generated request, sent with {@code token} as its bearer token ({@code null}: no credentials); the run's
   * own requests are the admin's.
   */
  record Probe(Family family, String method, String path, String contentType, String body, String token) {
    Probe(Family family, String method, String path, String contentType, String body) {
      this(family, method, path, contentType, body, ADMIN_TOKEN);
    }

    @Override
    public String toString() {
      String shown = body == null ? "" : body.length() > 160 ? body.substring(0, 160) + "…(" + body.length() + ")"
          : body;
      return family + " " + method + " " + path + " [" + contentType + "] " + shown;
    }
  }

  private static final String ADMIN_TOKEN = "admin-token";
  private static final String UNBOUND_TOKEN = "mallory-token";

  @BeforeAll
  static void start() throws Exception {
    // RBAC, users told apart by bearer tokens: the admin (system:masters) sends the run's requests, mallory (no
    // binding) and requests without or with forged credentials the UNAUTHORIZED and UNAUTHENTICATED ones. The run
    // sends far more than a client's default burst: rate limits are RateLimitsTest's
    plane = ControlPlane.start(io.troupe.persistence.TestSystems.singleJvm(
        java.nio.file.Files.createTempDirectory("troupe-bad-input"), Map.of("troupe.api.port", 0,
            "troupe.controllers.enabled", false, "troupe.api.tls.enabled", false,
            "troupe.api.authorization.mode", "RBAC", "troupe.api.limits.enabled", false)),
        new io.troupe.control.auth.StaticTokens(Map.of(
            ADMIN_TOKEN, io.troupe.control.auth.StaticTokens.user("admin", io.troupe.control.auth.UserInfo.MASTERS),
            UNBOUND_TOKEN, io.troupe.control.auth.StaticTokens.user("mallory"))));
    api = new HttpApi(TestControlPlane.url(plane), ADMIN_TOKEN);
    assertEquals(201, api.post(NS + "/configmaps", configMap("target", "v")).code());
    assertEquals(201, api.post(NS + "/pods", pod("target-pod")).code());
    assertEquals(201, api.post("/apis/apps/v1/namespaces/default/deployments", deployment("target-deploy")).code());
    // a ConfigMap written twice, so that its first resourceVersion is stale
    assertEquals(201, api.post(NS + "/configmaps", configMap("stale-target", "v1")).code());
    staleVersion = api.get(NS + "/configmaps/stale-target").json().path("metadata").path("resourceVersion").asText();
    assertEquals(200, api.mergePatch(NS + "/configmaps/stale-target", Map.of("data", Map.of("key", "v2"))).code());
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static String staleVersion;

  @Test
  void everyBadRequestGetsAStatusOfItsFamilysCodeAndTheStoreIsUnchanged() {
    Map<String, String> before = everything();
    Random random = new Random(SEED);
    List<Probe> probes = new ArrayList<>();
    Family[] drawn = java.util.Arrays.stream(Family.values())
        .filter(f -> f != Family.OVERSIZED_BODY && f != Family.OVERSIZED_OBJECT).toArray(Family[]::new);
    for (int i = 0; i < DRAWN; i++) probes.add(draw(drawn[random.nextInt(drawn.length)], random));
    for (int i = 0; i < OVERSIZED_BODIES; i++) probes.add(draw(Family.OVERSIZED_BODY, random));
    for (int i = 0; i < OVERSIZED_OBJECTS; i++) probes.add(draw(Family.OVERSIZED_OBJECT, random));
    Collections.shuffle(probes, random);

    Map<Family, Map<Integer, Integer>> seen = new EnumMap<>(Family.class);
    List<String> failures = new ArrayList<>();
    for (Probe p : probes) {
      HttpApi client = ADMIN_TOKEN.equals(p.token()) ? api : new HttpApi(TestControlPlane.url(plane), p.token());
      HttpApi.Answer answer;
      try {
        answer = client.send(p.method(), p.path(), p.contentType(), p.body());
      } catch (AssertionError e) {
        // over the limit, the server answers 413 before reading the body and cannot read it away, so it closes the
        // connection: a client still sending may see that close rather than the answer (HTTP/1.1; Go's server alike)
        if (p.family() != Family.OVERSIZED_BODY) {
          throw new AssertionError("no answer to " + p + ": " + e.getMessage(), e);
        }
        seen.computeIfAbsent(p.family(), f -> new TreeMap<>()).merge(0, 1, Integer::sum);
        continue;
      }
      seen.computeIfAbsent(p.family(), f -> new TreeMap<>()).merge(answer.code(), 1, Integer::sum);
      String problem = problem(p, answer);
      if (problem != null) failures.add(problem + "\n    request: " + p + "\n    answer: " + shorten(answer.body()));
    }
    System.out.println(table(seen, probes.size()));
    assertTrue(probes.size() >= 1000, "the run sends at least 1,000 requests");
    assertTrue(failures.isEmpty(), () -> failures.size() + " of " + probes.size() + " requests (seed " + SEED
        + ") were answered wrongly:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));

    Map<String, String> after = everything();
    assertEquals(before, after, "the store holds exactly what it held before the run");
  }

  /** What is wrong with an answer, or null. */
  private static String problem(Probe p, HttpApi.Answer answer) {
    if (answer.code() >= 500) return "a " + answer.code();
    if (!p.family().codes.contains(answer.code())) return "code " + answer.code() + ", expected " + p.family().codes;
    String body = answer.body();
    if (body.contains("at io.troupe") || body.contains("at org.apache") || body.contains("Exception")
        || body.contains("\tat ")) {
      return "a stack trace or Java exception name in the body";
    }
    if (!answer.contentType().startsWith(JSON)) return "Content-Type " + answer.contentType();
    JsonNode status;
    try {
      status = Json.MAPPER.readTree(body);
    } catch (Exception e) {
      return "a body that is not JSON";
    }
    if (!"Status".equals(status.path("kind").asText()) || !"v1".equals(status.path("apiVersion").asText())
        || !"Failure".equals(status.path("status").asText()) || status.path("code").asInt() != answer.code()
        || status.path("reason").asText().isEmpty() || status.path("message").asText().isBlank()) {
      return "not a Kubernetes Status of failure with code " + answer.code();
    }
    return null;
  }

  private static String shorten(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private static String table(Map<Family, Map<Integer, Integer>> seen, int total) {
    StringBuilder t = new StringBuilder("bad-input run, seed " + SEED + ", " + total + " requests\n");
    t.append(String.format("%-24s %-12s %6s  %s%n", "family", "expected", "sent", "answered"));
    for (Family f : Family.values()) {
      Map<Integer, Integer> codes = seen.getOrDefault(f, Map.of());
      int sent = codes.values().stream().mapToInt(Integer::intValue).sum();
      t.append(String.format("%-24s %-12s %6d  %s%n", f, new TreeSet<>(f.codes), sent, codes));
    }
    return t.toString();
  }

  /** Every object of every kind, cluster-wide: kind/namespace/name → resourceVersion. */
  private static Map<String, String> everything() {
    Map<String, String> objects = new TreeMap<>();
    for (ResourceType type : ResourceTypes.ALL) {
      HttpApi.Answer list = api.get(type.groupVersionPath() + "/" + type.plural());
      assertEquals(200, list.code(), () -> "list " + type.plural() + ": " + list.body());
      for (JsonNode item : list.json().path("items")) {
        JsonNode meta = item.path("metadata");
        objects.put(type.kind() + "/" + meta.path("namespace").asText("") + "/" + meta.path("name").asText(),
            meta.path("resourceVersion").asText());
      }
    }
    return objects;
  }

  // ---- the generators ----

  /** A kind the run writes, with a valid object of it. */
  private record Target(String collection, Function<String, ObjectNode> object) {}

  private static final List<Target> TARGETS = List.of(
      new Target(NS + "/configmaps", name -> configMap(name, "v")),
      new Target(NS + "/pods", HttpApi::pod),
      new Target(NS + "/secrets", BadInputRunTest::secret),
      new Target(NS + "/services", BadInputRunTest::service),
      new Target("/apis/apps/v1/namespaces/default/deployments", BadInputRunTest::deployment));
  /** Existing objects: path → its kind's valid object builder. */
  private static final List<String> EXISTING = List.of(NS + "/configmaps/target", NS + "/pods/target-pod",
      "/apis/apps/v1/namespaces/default/deployments/target-deploy", NS + "/configmaps/stale-target");

  private static <T> T pick(Random r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... items) {
    return items[r.nextInt(items.length)];
  }

  private static String name(Random r) {
    return "bad-" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
  }

  private static Probe draw(Family f, Random r) {
    switch (f) {
      case MALFORMED_JSON: return malformedJson(r);
      case MALFORMED_YAML: return malformedYaml(r);
      case WRONG_FIELD_TYPES: return wrongFieldTypes(r);
      case OVERSIZED_BODY: return oversizedBody(r);
      case OVERSIZED_OBJECT: return oversizedObject(r);
      case DEEP_NESTING: return deepNesting(r);
      case INVALID_NAME: return invalidName(r);
      case UNKNOWN_PATH: return unknownPath(r);
      case UNKNOWN_VERSION: return unknownVersion(r);
      case KIND_MISMATCH: return kindMismatch(r);
      case STALE_RESOURCE_VERSION: return staleResourceVersion(r);
      case WRONG_CONTENT_TYPE: return wrongContentType(r);
      case BAD_QUERY: return badQuery(r);
      case BAD_PATCH: return badPatch(r);
      case METHOD_NOT_ALLOWED: return methodNotAllowed(r);
      case MISSING_OBJECT: return missingObject(r);
      case UNAUTHENTICATED: return as(Family.UNAUTHENTICATED, r.nextBoolean() ? null : "forged-" + r.nextInt(), r);
      case UNAUTHORIZED: return as(Family.UNAUTHORIZED, UNBOUND_TOKEN, r);
      default: throw new IllegalArgumentException(f.toString());
    }
  }

  /**
   * A request of any other family (authorization comes before everything else), sent with {@code token}. For a
   * valid user, not one of an unknown path: outside the resource paths' grammar a path is a non-resource URL, and
   * every authenticated user may get {@code /api/*} and {@code /apis/*} (system:discovery), so it is a 404. Not
   * one with a body over the 3 MiB limit either: the server answers before reading it and cannot read it away, so
   * it closes the connection while the client is still sending, and an HTTP client may see no answer at all (Go's
   * server alike).
   */
  private static Probe as(Family family, String token, Random r) {
    Family[] others = java.util.Arrays.stream(Family.values())
        .filter(f -> f != Family.UNAUTHENTICATED && f != Family.UNAUTHORIZED && f != Family.OVERSIZED_BODY)
        .filter(f -> family == Family.UNAUTHENTICATED || f != Family.UNKNOWN_PATH && f != Family.UNKNOWN_VERSION)
        .toArray(Family[]::new);
    Probe p = draw(others[r.nextInt(others.length)], r);
    return new Probe(family, p.method(), p.path(), p.contentType(), p.body(), token);
  }

  private static Probe malformedJson(Random r) {
    Target t = pick(r, TARGETS);
    String valid = t.object().apply(name(r)).toString();
    String body;
    switch (r.nextInt(7)) {
      case 0: body = valid.substring(0, 1 + r.nextInt(valid.length() - 1)); break;
      case 1: body = valid + pick(r, " x", "}", ",", " {}", " null", "]"); break;
      case 2: body = valid.replace('"', '\''); break;
      case 3: body = valid.replaceFirst("\"metadata\"", "metadata"); break;
      case 4: body = "{" + "/* a comment */" + valid.substring(1); break;
      case 5: {
        byte[] bytes = new byte[1 + r.nextInt(64)];
        r.nextBytes(bytes);
        body = "{" + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        break;
      }
      default: body = valid.replaceFirst(":", ": NaN,"); break;
    }
    boolean update = r.nextInt(4) == 0;
    if (update) {
      String path = pick(r, EXISTING);
      return r.nextBoolean() ? new Probe(Family.MALFORMED_JSON, "PUT", path, JSON, body)
          : new Probe(Family.MALFORMED_JSON, "PATCH", path, HttpApi.MERGE_PATCH, body);
    }
    return new Probe(Family.MALFORMED_JSON, "POST", t.collection(), JSON, body);
  }

  private static Probe malformedYaml(Random r) {
    String n = name(r);
    String body = pick(r,
        "metadata:\n  name: " + n + "\ndata: [unclosed\n  key: : value\n",
        "metadata:\n\tname: " + n + "\n",
        "metadata: {name: " + n + "\n",
        "metadata:\n  name: \"" + n + "\n",
        "- a\nb: c\n",
        "metadata:\n  name: " + n + "\n bad-indent: x\n  more: y\n",
        "metadata:\n  name: " + n + "\n  name: " + n + "-twice\n",
        "just a string\n",
        "- a list\n- not an object\n",
        "metadata:\n  name: " + n + "\n  labels: &l {a: b}\ndata: *l\n",
        "%YAML 9.9\n---\nmetadata: {}\n",
        "metadata: !!binary notbase64***\n",
        "@reserved: x\n");
    Target t = pick(r, TARGETS);
    return new Probe(Family.MALFORMED_YAML, "POST", t.collection(), pick(r, "application/yaml", "application/x-yaml",
        "text/yaml"), body);
  }

  private static Probe wrongFieldTypes(Random r) {
    String n = name(r);
    ObjectNode o;
    String collection;
    switch (r.nextInt(5)) {
      case 0: {
        o = configMap(n, "v");
        collection = NS + "/configmaps";
        switch (r.nextInt(4)) {
          case 0: o.set("data", pick(r, Json.MAPPER.createArrayNode(), Json.MAPPER.getNodeFactory().textNode("x"),
              Json.MAPPER.getNodeFactory().numberNode(5))); break;
          case 1: ((ObjectNode) o.get("data")).putObject("key").put("nested", true); break;
          case 2: o.set("binaryData", Json.MAPPER.getNodeFactory().numberNode(3)); break;
          default: ((ObjectNode) o.get("data")).putArray("key"); break;
        }
        break;
      }
      case 1: {
        o = pod(n);
        collection = NS + "/pods";
        ObjectNode container = (ObjectNode) o.get("spec").get("containers").get(0);
        switch (r.nextInt(5)) {
          case 0: o.put("spec", pick(r, "a string", "")); break;
          case 1: ((ObjectNode) o.get("spec")).put("containers", "busybox"); break;
          case 2: container.put("image", r.nextInt(100)); break;
          case 3: container.putObject("resources").putObject("limits").putArray("cpu"); break;
          default: ((ObjectNode) o.get("spec")).put("terminationGracePeriodSeconds", "soon"); break;
        }
        break;
      }
      case 2: {
        o = deployment(n);
        collection = "/apis/apps/v1/namespaces/default/deployments";
        switch (r.nextInt(3)) {
          case 0: ((ObjectNode) o.get("spec")).put("replicas", pick(r, "three", "1.5x")); break;
          case 1: ((ObjectNode) o.get("spec")).putArray("selector"); break;
          default: ((ObjectNode) o.get("spec")).put("template", 7); break;
        }
        break;
      }
      case 3: {
        o = service(n);
        collection = NS + "/services";
        ObjectNode port = (ObjectNode) o.get("spec").get("ports").get(0);
        switch (r.nextInt(3)) {
          case 0: port.put("port", pick(r, "eighty", "")); break;
          case 1: ((ObjectNode) o.get("spec")).put("ports", 80); break;
          default: ((ObjectNode) o.get("spec")).putArray("selector").add("app"); break;
        }
        break;
      }
      default: {
        Target t = pick(r, TARGETS);
        o = t.object().apply(n);
        collection = t.collection();
        ObjectNode meta = (ObjectNode) o.get("metadata");
        switch (r.nextInt(6)) {
          case 0: o.put("metadata", pick(r, "odd", "")); break;
          case 1: meta.put("name", r.nextInt(1000)); break;
          case 2: meta.putArray("labels").add("a=b"); break;
          case 3: meta.putObject("labels").put("app", r.nextInt(9)).putObject("nested"); break;
          case 4: meta.put("annotations", true); break;
          default: meta.put("finalizers", "example.com/f"); break;
        }
        break;
      }
    }
    return new Probe(Family.WRONG_FIELD_TYPES, "POST", collection, JSON, o.toString());
  }

  private static Probe oversizedBody(Random r) {
    String n = name(r);
    String big = "x".repeat(3 * 1024 * 1024 + r.nextInt(4096));
    if (r.nextBoolean()) {
      return new Probe(Family.OVERSIZED_BODY, "POST", NS + "/configmaps", "application/yaml",
          "metadata:\n  name: " + n + "\ndata:\n  key: " + big + "\n");
    }
    String path = r.nextBoolean() ? NS + "/configmaps" : NS + "/configmaps/target";
    return new Probe(Family.OVERSIZED_BODY, path.endsWith("target") ? "PUT" : "POST", path, JSON,
        configMap(n, big).toString());
  }

  private static Probe oversizedObject(Random r) {
    ObjectNode o = pod(name(r));
    ArrayNode env = ((ObjectNode) o.get("spec").get("containers").get(0)).putArray("env");
    int target = 1600 * 1024 + r.nextInt(1024 * 1024);
    String value = "v".repeat(2000);
    for (int i = 0; i * 2000 < target; i++) env.addObject().put("name", "E" + i).put("value", value);
    return new Probe(Family.OVERSIZED_OBJECT, "POST", NS + "/pods", JSON, o.toString());
  }

  private static Probe deepNesting(Random r) {
    int depth = 101 + r.nextInt(r.nextBoolean() ? 200 : 50_000);
    String nested = "[".repeat(depth) + "]".repeat(depth);
    String n = name(r);
    switch (r.nextInt(4)) {
      case 0: return new Probe(Family.DEEP_NESTING, "POST", NS + "/configmaps", JSON,
          "{\"metadata\":{\"name\":\"" + n + "\"},\"extra\":" + nested + "}");
      case 1: return new Probe(Family.DEEP_NESTING, "POST", NS + "/configmaps", "application/yaml",
          "metadata: {name: " + n + "}\nextra: " + nested + "\n");
      case 2: {
        StringBuilder objects = new StringBuilder();
        for (int i = 0; i < depth; i++) objects.append("{\"a\":");
        objects.append("1").append("}".repeat(depth));
        return new Probe(Family.DEEP_NESTING, "PATCH", pick(r, EXISTING), HttpApi.MERGE_PATCH, objects.toString());
      }
      default: return new Probe(Family.DEEP_NESTING, "PUT", NS + "/configmaps/target", JSON,
          "{\"metadata\":{\"name\":\"target\",\"labels\":" + nested + "}}");
    }
  }

  private static Probe invalidName(Random r) {
    String bad = pick(r, "Bad-Name", "under_score", "-leading", "trailing-", "a".repeat(254), "dots..x", "sp ace",
        "ünïcode", "a/b", "semi;colon", ".", "..", "UPPER");
    Target t = pick(r, TARGETS);
    ObjectNode o = t.object().apply("placeholder");
    ObjectNode meta = (ObjectNode) o.get("metadata");
    switch (r.nextInt(5)) {
      case 0: meta.remove("name"); meta.put("generateName", pick(r, "Bad_", "-x-", "A")); break;
      case 1: meta.remove("name"); break;
      case 2: {
        // a Service's name is a DNS-1035 label: no leading digit, no dots
        ObjectNode s = service(pick(r, "1abc", "a.b", "x".repeat(64)));
        return new Probe(Family.INVALID_NAME, "POST", NS + "/services", JSON, s.toString());
      }
      case 3: {
        ObjectNode ns = Json.object();
        ns.put("apiVersion", "v1").put("kind", "Namespace").putObject("metadata")
            .put("name", pick(r, "a.b", "Upper", "x".repeat(64), "-ns"));
        return new Probe(Family.INVALID_NAME, "POST", "/api/v1/namespaces", JSON, ns.toString());
      }
      default: meta.put("name", bad); break;
    }
    return new Probe(Family.INVALID_NAME, "POST", t.collection(), JSON, o.toString());
  }

  private static Probe unknownPath(Random r) {
    String word = name(r);
    String path = pick(r, NS + "/widgets", NS + "/widgets/" + word, "/apis/" + word + ".example.com/v1/things",
        "/api/v1/namespaces/default/pods/target-pod/" + pick(r, "exec-nope", "bogus", "statuz"),
        "/api/v1/namespaces/default/configmaps/target/status", "/" + word, "/" + word + "/" + word,
        "/apis/apps/v1/namespaces/default/pods", "/api/v1/deployments", "/api/v1/namespaces/default/nodes/n",
        "/api/v1/namespaces/default/namespaces", "/api/v1/namespaces/default/configmaps/a/b/c/d");
    String method = pick(r, "GET", "GET", "POST", "PUT", "DELETE", "PATCH");
    String type = method.equals("PATCH") ? HttpApi.MERGE_PATCH : JSON;
    String body = method.equals("GET") || method.equals("DELETE") ? null : configMap(word, "v").toString();
    return new Probe(Family.UNKNOWN_PATH, method, path, body == null ? null : type, body);
  }

  private static Probe unknownVersion(Random r) {
    String path = pick(r, "/api/v2/namespaces/default/pods", "/api/v0/namespaces/default/configmaps",
        "/apis/apps/v2/namespaces/default/deployments", "/apis/apps/v1beta1/namespaces/default/deployments",
        "/apis/networking.k8s.io/v2/ingresses", "/api/vX/nodes", "/apis/apps/v9/daemonsets",
        "/apis/storage.k8s.io/v0/storageclasses", "/api/v1beta1/namespaces/default/configmaps/target");
    boolean write = r.nextInt(3) == 0;
    return write ? new Probe(Family.UNKNOWN_VERSION, "POST", path, JSON, configMap(name(r), "v").toString())
        : new Probe(Family.UNKNOWN_VERSION, "GET", path, null, null);
  }

  private static Probe kindMismatch(Random r) {
    Target t = pick(r, TARGETS);
    Target other = pick(r, TARGETS);
    ObjectNode o = other.object().apply(name(r));
    switch (r.nextInt(3)) {
      case 0:
        if (other == t) o.put("kind", "Widget");
        break;
      case 1: o.put("apiVersion", pick(r, "apps/v2", "v2", "example.com/v1", "apps/v1beta1")); break;
      default: o.put("kind", pick(r, "Widget", "Podd", "configmap")); break;
    }
    return new Probe(Family.KIND_MISMATCH, "POST", t.collection(), JSON, o.toString());
  }

  private static Probe staleResourceVersion(Random r) {
    String path = NS + "/configmaps/stale-target";
    String old = pick(r, staleVersion, "1", "2");
    switch (r.nextInt(4)) {
      case 0: {
        ObjectNode o = configMap("stale-target", "stale");
        ((ObjectNode) o.get("metadata")).put("resourceVersion", old);
        return new Probe(Family.STALE_RESOURCE_VERSION, "PUT", path, JSON, o.toString());
      }
      case 1: return new Probe(Family.STALE_RESOURCE_VERSION, "PATCH", path, HttpApi.MERGE_PATCH,
          "{\"metadata\":{\"resourceVersion\":\"" + old + "\"},\"data\":{\"key\":\"stale\"}}");
      case 2: return new Probe(Family.STALE_RESOURCE_VERSION, "DELETE", path, JSON,
          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"resourceVersion\":\"" + old
              + "\"}}");
      default: return new Probe(Family.STALE_RESOURCE_VERSION, "DELETE", pick(r, EXISTING), JSON,
          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" + java.util.UUID
              .randomUUID() + "\"}}");
    }
  }

  private static Probe wrongContentType(Random r) {
    String type = pick(r, "text/plain", "application/xml", "application/x-www-form-urlencoded",
        "application/octet-stream", "application/vnd.kubernetes.protobuf", "multipart/form-data; boundary=x",
        "image/png");
    Target t = pick(r, TARGETS);
    String body = t.object().apply(name(r)).toString();
    switch (r.nextInt(3)) {
      case 0: return new Probe(Family.WRONG_CONTENT_TYPE, "POST", t.collection(), type, body);
      case 1: return new Probe(Family.WRONG_CONTENT_TYPE, "PUT", NS + "/configmaps/target", type,
          configMap("target", "v").toString());
      default: return new Probe(Family.WRONG_CONTENT_TYPE, "PATCH", pick(r, EXISTING),
          pick(r, JSON, "text/plain", "application/yaml"), "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
    }
  }

  private static Probe badQuery(Random r) {
    String collection = pick(r, NS + "/pods", NS + "/configmaps", "/api/v1/pods",
        "/apis/apps/v1/namespaces/default/deployments");
    String query = pick(r, "labelSelector=a%20in%20(b", "labelSelector=!!", "labelSelector=%3Dx",
        "labelSelector=a%3D%3Db%3D%3Dc", "fieldSelector=spec.foo%3Dbar", "fieldSelector=%3D%3D", "limit=-1",
        "limit=ten", "limit=1.5", "continue=not-a-token", "limit=1&continue=%25%25%25", "resourceVersion=yesterday",
        "resourceVersion=-5", "watch=true&timeoutSeconds=soon", "watch=true&fieldSelector=spec.foo%3Dbar",
        "resourceVersion=1&resourceVersionMatch=Newest", "resourceVersionMatch=NotOlderThan",
        "watch=true&sendInitialEvents=true&allowWatchBookmarks=true", "dryRun=All");
    if (query.equals("dryRun=All")) {
      return new Probe(Family.BAD_QUERY, "POST", NS + "/configmaps?dryRun=All", JSON, configMap(name(r), "v")
          .toString());
    }
    if (r.nextInt(5) == 0) {
      // a selector means nothing to the delete of one object (Kubernetes ignores it there): collections only
      String delete = pick(r, "gracePeriodSeconds=abc", "propagationPolicy=Sideways", "labelSelector=!!");
      String path = delete.startsWith("labelSelector") ? NS + "/configmaps"
          : pick(r, NS + "/configmaps/target", NS + "/configmaps");
      return new Probe(Family.BAD_QUERY, "DELETE", path + "?" + delete, null, null);
    }
    return new Probe(Family.BAD_QUERY, "GET", collection + "?" + query, null, null);
  }

  private static Probe badPatch(Random r) {
    String path = pick(r, EXISTING);
    String jsonPatch = "application/json-patch+json";
    switch (r.nextInt(10)) {
      case 0: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch, "[{\"op\":\"explode\",\"path\":\"/x\"}]");
      case 1: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch, "[{\"path\":\"/metadata/labels\"}]");
      case 2: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch,
          "[{\"op\":\"add\",\"path\":\"metadata\",\"value\":1}]");
      case 3: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch,
          "[{\"op\":\"remove\",\"path\":\"/spec/nothing/here\"}]");
      case 4: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch,
          "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"someone-else\"}]");
      case 5: return new Probe(Family.BAD_PATCH, "PATCH", path, jsonPatch, pick(r, "{}", "\"x\"", "7", "[1]"));
      case 6: return new Probe(Family.BAD_PATCH, "PATCH", path, pick(r, HttpApi.MERGE_PATCH,
          "application/strategic-merge-patch+json"), pick(r, "[1,2]", "\"x\"", "5", "true"));
      case 7: return new Probe(Family.BAD_PATCH, "PATCH", path, HttpApi.MERGE_PATCH,
          "{\"metadata\":{\"labels\":{\"-bad-key\":\"v\",\"ok\":\"not valid!\"}}}");
      case 8: return new Probe(Family.BAD_PATCH, "PATCH", path, pick(r, HttpApi.MERGE_PATCH, jsonPatch),
          pick(r, "{\"metadata\":{\"name\":\"renamed\"}}", "{\"kind\":\"Widget\"}", "{\"apiVersion\":\"v9\"}"));
      default: return new Probe(Family.BAD_PATCH, "PATCH", path, "application/strategic-merge-patch+json",
          "{\"metadata\":{\"finalizers\":[7]},\"$patch\":\"explode\"}");
    }
  }

  private static Probe methodNotAllowed(Random r) {
    switch (r.nextInt(4)) {
      case 0: return new Probe(Family.METHOD_NOT_ALLOWED, "POST", pick(r, EXISTING), JSON,
          configMap("target", "v").toString());
      case 1: return new Probe(Family.METHOD_NOT_ALLOWED, "DELETE", NS + "/pods/target-pod/log", null, null);
      case 2: return new Probe(Family.METHOD_NOT_ALLOWED, "POST", NS + "/pods/target-pod/status", JSON,
          pod("target-pod").toString());
      default: return new Probe(Family.METHOD_NOT_ALLOWED, "DELETE",
          "/apis/apps/v1/namespaces/default/deployments/target-deploy/scale", null, null);
    }
  }

  private static Probe missingObject(Random r) {
    String n = name(r);
    Target t = pick(r, TARGETS);
    String path = t.collection() + "/" + n;
    switch (r.nextInt(5)) {
      case 0: return new Probe(Family.MISSING_OBJECT, "GET", path, null, null);
      case 1: return new Probe(Family.MISSING_OBJECT, "PUT", path, JSON, t.object().apply(n).toString());
      case 2: return new Probe(Family.MISSING_OBJECT, "PATCH", path, HttpApi.MERGE_PATCH,
          "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
      case 3: return new Probe(Family.MISSING_OBJECT, "DELETE", path, null, null);
      default: return new Probe(Family.MISSING_OBJECT, "POST", "/api/v1/namespaces/" + n + "/configmaps", JSON,
          configMap(n, "v").toString());
    }
  }

  // ---- valid objects of the other kinds ----

  static ObjectNode secret(String name) {
    ObjectNode s = Json.object();
    s.put("apiVersion", "v1").put("kind", "Secret");
    s.putObject("metadata").put("name", name);
    s.putObject("stringData").put("password", "hunter2");
    return s;
  }

  static ObjectNode service(String name) {
    ObjectNode s = Json.object();
    s.put("apiVersion", "v1").put("kind", "Service");
    s.putObject("metadata").put("name", name);
    ObjectNode spec = s.putObject("spec");
    spec.putObject("selector").put("app", "web");
    spec.putArray("ports").addObject().put("port", 80);
    return s;
  }

  static ObjectNode deployment(String name) {
    ObjectNode d = Json.object();
    d.put("apiVersion", "apps/v1").put("kind", "Deployment");
    d.putObject("metadata").put("name", name);
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", 1);
    spec.putObject("selector").putObject("matchLabels").put("app", name);
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", name);
    template.putObject("spec").putArray("containers").addObject().put("name", "main").put("image", "busybox");
    return d;
  }
}
