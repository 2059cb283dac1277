package io.troupe.node.image;

import static io.troupe.control.auth.StaticTokens.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.auth.StaticTokens;
import io.troupe.control.auth.TokenClient;
import io.troupe.control.auth.UserInfo;
import io.troupe.node.agent.NodeAgents;
import io.troupe.persistence.TestSystems;
import io.troupe.persistence.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node's images through the real API: {@code nodes/{name}/proxy/images...} goes to the node agent's kubelet
 * endpoint, under RBAC (resource {@code nodes}, subresource {@code proxy}, the verb of the method).
 */
class NodeImagesApiTest {
  private static final String NODE = "node-img";
  private static final Map<String, UserInfo> TOKENS = Map.of(
      "admin-token", user("admin", UserInfo.MASTERS),
      "viewer-token", user("viewer"),
      "lister-token", user("lister"));
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Path dir;
  private static ControlPlane plane;
  private static NodeAgents agents;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    TestImages.assumeBusybox();
    dir = Files.createTempDirectory("troupe-node-images");
    plane = ControlPlane.start(TestSystems.singleJvm(dir, Map.of("troupe.api.port", 0,
        "troupe.controllers.enabled", false, "troupe.api.authorization.mode", "RBAC", "troupe.api.tls.enabled", false,
        "troupe.node.name", NODE, "troupe.node.pod-cidr", "127.81.0.0/16")), new StaticTokens(TOKENS));
    url = "http://127.0.0.1:" + plane.apiAddress().getPort();
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    TokenClient admin = new TokenClient(url, "admin-token");
    assertEquals(201, admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"node-images-reader"},"rules":[
          {"apiGroups":[""],"resources":["nodes/proxy"],"verbs":["get"]}]}""").code());
    bind(admin, "viewer-views", "view", "viewer");
    bind(admin, "lister-reads-images", "node-images-reader", "lister");
  }

  private static void bind(TokenClient admin, String name, String role, String user) {
    assertEquals(201, admin.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
        {"metadata":{"name":"%s"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
         "name":"%s"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}"""
        .formatted(name, role, user)).code());
  }

  @AfterAll
  static void stop() throws Exception {
    if (agents != null) agents.close();
    if (plane != null) plane.close();
  }

  @Test
  void importListAndRemoveThroughTheApi() throws Exception {
    // 4 MB of a file on top: more than the API's limit on object bodies (3 MiB), streamed through
    Path tarball = dir.resolve("big.tar");
    TestImages.busybox().withFile("/data/blob.txt", "0123456789abcdef".repeat(256 * 1024))
        .writeDockerSave(tarball, "busybox:big", "localhost:5000/team/busybox:big");
    assertTrue(Files.size(tarball) > 3 * 1024 * 1024);

    HttpResponse<String> imported = send("admin-token", "POST", "/images/import", tarball);
    assertEquals(200, imported.statusCode(), imported.body());
    JsonNode images = Json.MAPPER.readTree(imported.body()).path("images");
    assertEquals(List.of("docker.io/library/busybox:big", "localhost:5000/team/busybox:big"),
        Json.MAPPER.convertValue(images.get(0).path("names"), List.class));

    HttpResponse<String> listed = send("admin-token", "GET", "/images", null);
    assertEquals(200, listed.statusCode(), listed.body());
    JsonNode held = Json.MAPPER.readTree(listed.body()).path("images");
    assertEquals(1, held.size());
    assertTrue(held.get(0).path("sizeBytes").asLong() > 4_000_000, listed.body());
    // the Node reports it in status.images, as the kubelet does
    awaitNodeImages(List.of(List.of("docker.io/library/busybox:big", "localhost:5000/team/busybox:big")));
    // the store the endpoint filled is the node's own, the one its runtime gets
    Image image = agents.images().ensure("busybox:big", PullPolicy.Never, List.of()).toCompletableFuture().get();
    assertEquals(held.get(0).path("id").asText(), image.id());

    HttpResponse<String> removed = send("admin-token", "DELETE", "/images/localhost:5000/team/busybox:big", null);
    assertEquals(200, removed.statusCode(), removed.body());
    HttpResponse<String> again = send("admin-token", "DELETE", "/images/localhost:5000/team/busybox:big", null);
    assertEquals(404, again.statusCode(), again.body());
    assertEquals("image \"localhost:5000/team/busybox:big\" not found",
        Json.MAPPER.readTree(again.body()).path("message").asText());
    assertEquals(200, send("admin-token", "DELETE", "/images/busybox:big", null).statusCode());
    assertEquals(0, Json.MAPPER.readTree(send("admin-token", "GET", "/images", null).body()).path("images").size());
    awaitNodeImages(List.of());
  }

  /** Awaits the names of the Node's status.images, largest image first (a heartbeat writes them). */
  private static void awaitNodeImages(List<List<String>> expected) throws Exception {
    TokenClient admin = new TokenClient(url, "admin-token");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<List<String>> seen = null;
    while (System.nanoTime() < deadline) {
      JsonNode images = admin.get("/api/v1/nodes/" + NODE).json().path("status").path("images");
      seen = new java.util.ArrayList<>();
      for (JsonNode i : images) {
        List<String> names = new java.util.ArrayList<>();
        i.path("names").forEach(n -> names.add(n.asText()));
        assertTrue(i.path("sizeBytes").asLong() > 0, images.toString());
        seen.add(names);
      }
      if (seen.equals(expected)) return;
      Thread.sleep(100);
    }
    assertEquals(expected, seen, "the Node's status.images");
  }

  @Test
  void badInputGetsAStatus() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.tar"), "not a tarball at all");
    HttpResponse<String> bad = send("admin-token", "POST", "/images/import", garbage);
    assertEquals(400, bad.statusCode(), bad.body());
    JsonNode status = Json.MAPPER.readTree(bad.body());
    assertEquals("Status", status.path("kind").asText());
    assertTrue(status.path("message").asText().startsWith("cannot import the tarball: neither a docker-save tarball"), bad.body());

    HttpResponse<String> name = send("admin-token", "DELETE", "/images/Not:a:Name", null);
    assertEquals(400, name.statusCode(), name.body());

    HttpResponse<String> noNode = HTTP.send(request("admin-token", "GET", url + "/api/v1/nodes/nope/proxy/images",
        null), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, noNode.statusCode(), noNode.body());
    assertEquals("nodes \"nope\" not found", Json.MAPPER.readTree(noNode.body()).path("message").asText());
  }

  @Test
  void rbacDecidesWhoReachesANodesImages() throws Exception {
    HttpResponse<String> viewer = send("viewer-token", "GET", "/images", null);
    assertEquals(403, viewer.statusCode(), viewer.body());
    assertTrue(viewer.body().contains("cannot get resource \\\"nodes/proxy\\\"")
        || viewer.body().contains("cannot get resource \"nodes/proxy\""), viewer.body());
    assertEquals(200, send("lister-token", "GET", "/images", null).statusCode());
    HttpResponse<String> lister = send("lister-token", "POST", "/images/import",
        TestImages.dockerSaveTarball(dir, "busybox:rbac"));
    assertEquals(403, lister.statusCode(), lister.body());
    assertTrue(lister.body().contains("cannot create resource"), lister.body());
  }

  private static HttpResponse<String> send(String token, String method, String path, Path body) throws Exception {
    return HTTP.send(request(token, method, url + "/api/v1/nodes/" + NODE + "/proxy" + path, body),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String token, String method, String uri, Path body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofFile(body));
    if (body != null) b.header("Content-Type", "application/x-tar");
    return b.build();
  }
}
