package io.troupe.node.image;

import static io.troupe.node.image.ImageStoreTest.failure;
import static io.troupe.node.image.ImageStoreTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry (Debian's docker-registry behind token authentication, {@link TestRegistry}) into the
 * image store, by pull policy, with and without the credentials of {@code imagePullSecrets}.
 */
class RegistryPullTest {
  @TempDir static Path shared;
  private static TestRegistry registry;
  @TempDir Path dir;
  private ImageStore store;

  @BeforeAll
  static void startRegistry() throws Exception {
    TestImages.assumeBusybox();
    TestRegistry.assumeAvailable();
    registry = TestRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) registry.close();
  }

  @BeforeEach
  void open() {
    store = ImageStore.open(ImageStoreSettings.of(dir.resolve("images")));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void pullsAPublicImageAnonymouslyAndRunsIt() throws Exception {
    String digest = TestImages.busybox().push(registry.uri(), "public/busybox", "1.36", TestRegistry.USER,
        TestRegistry.PASSWORD);
    String reference = registry.host() + "/public/busybox:1.36";

    Image image = get(store.ensure(reference, PullPolicy.IfNotPresent, List.of()));

    assertEquals(TestImages.busybox().id(), image.id());
    assertEquals(reference, image.reference());
    assertEquals(List.of("sh"), image.config().cmd());
    Process echo = new ProcessBuilder(image.layers().get(0).resolve("bin/busybox").toString(), "echo", "pulled")
        .redirectErrorStream(true).start();
    assertEquals("pulled", new String(echo.getInputStream().readAllBytes()).trim());
    List<ImageSummary> held = get(store.list());
    assertEquals(List.of(reference, registry.host() + "/public/busybox@" + digest), held.get(0).names());
    // by digest too, without asking the registry again (IfNotPresent)
    Image byDigest = get(store.ensure(registry.host() + "/public/busybox@" + digest, PullPolicy.Never, List.of()));
    assertEquals(image.id(), byDigest.id());
  }

  @Test
  void aPrivateImageNeedsTheCredentialsOfItsRegistry() throws Exception {
    TestImages.busybox().withFile("/secret.txt", "inside").push(registry.uri(), "private/web", "1",
        TestRegistry.USER, TestRegistry.PASSWORD);
    String reference = registry.host() + "/private/web:1";

    ImagePullException anonymous = failure(store.ensure(reference, PullPolicy.IfNotPresent, List.of()));
    assertEquals("ErrImagePull", anonymous.reason());
    assertTrue(anonymous.getMessage().contains("401 Unauthorized: authentication required"), anonymous.getMessage());
    ImagePullException wrong = failure(store.ensure(reference, PullPolicy.IfNotPresent,
        List.of(new RegistryCredential(registry.host(), TestRegistry.USER, "wrong"))));
    assertTrue(wrong.getMessage().contains("invalid username or password"), wrong.getMessage());
    ImagePullException otherRegistry = failure(store.ensure(reference, PullPolicy.IfNotPresent,
        List.of(new RegistryCredential("registry.example.com", TestRegistry.USER, TestRegistry.PASSWORD))));
    assertTrue(otherRegistry.getMessage().contains("authentication required"), otherRegistry.getMessage());

    Image image = get(store.ensure(reference, PullPolicy.IfNotPresent, List.of(registry.credential())));
    assertEquals("inside", Files.readString(image.layers().get(1).resolve("secret.txt")));
  }

  @Test
  void pullPoliciesDecideWhenTheRegistryIsAsked() throws Exception {
    TestImages.TestImage v1 = TestImages.busybox().withCmd("echo", "v1");
    TestImages.TestImage v2 = TestImages.busybox().withFile("/v", "2").withCmd("echo", "v2");
    v1.push(registry.uri(), "public/app", "latest", TestRegistry.USER, TestRegistry.PASSWORD);
    String reference = registry.host() + "/public/app";

    ImagePullException never = failure(store.ensure(reference, PullPolicy.Never, List.of()));
    assertEquals("ErrImageNeverPull", never.reason());
    assertEquals(v1.id(), get(store.ensure(reference, PullPolicy.Always, List.of())).id());

    // the tag moves to v2, whose base layer the node holds already: Always takes v2 without downloading that
    // layer again (the registry no longer has it)
    v2.push(registry.uri(), "public/app", "latest", TestRegistry.USER, TestRegistry.PASSWORD);
    registry.deleteBlob("public/app", v2.layers().get(0).digest());
    assertEquals(v1.id(), get(store.ensure(reference, PullPolicy.IfNotPresent, List.of())).id(),
        "IfNotPresent keeps what the node holds");
    assertEquals(v1.id(), get(store.ensure(reference, PullPolicy.Never, List.of())).id());
    Image moved = get(store.ensure(reference, PullPolicy.Always, List.of()));
    assertEquals(v2.id(), moved.id());
    assertEquals(List.of("echo", "v2"), moved.config().cmd());
    assertEquals(1, get(store.list()).size(), "v1 lost its only name to v2");
  }

  @Test
  void anUnknownTagIsErrImagePullWithTheRegistrysMessage() {
    ImagePullException e = failure(store.ensure(registry.host() + "/public/busybox:no-such-tag",
        PullPolicy.IfNotPresent, List.of()));
    assertEquals("ErrImagePull", e.reason());
    assertTrue(e.getMessage().contains("manifest unknown"), e.getMessage());
    ImagePullException unreachable = failure(store.ensure("127.0.0.1:1/x:1", PullPolicy.Always, List.of()));
    assertEquals("ErrImagePull", unreachable.reason());
  }

  @Test
  void twoPodsAskingAtOnceShareOnePull() throws Exception {
    TestImages.busybox().withFile("/together", "1").push(registry.uri(), "public/together", "1", TestRegistry.USER,
        TestRegistry.PASSWORD);
    String reference = registry.host() + "/public/together:1";
    int before = registry.tokensIssued();

    CompletableFuture<Image> a = store.ensure(reference, PullPolicy.Always, List.of()).toCompletableFuture();
    CompletableFuture<Image> b = store.ensure(reference, PullPolicy.Always, List.of()).toCompletableFuture();

    assertEquals(get(a), get(b));
    assertEquals(1, registry.tokensIssued() - before, "one pull, one token");
    assertNotEquals(0, get(store.list()).size());
  }

  /**
   * A registry that serves other bytes than the digests it names: a lying registry cannot be made from the real one,
   * hence this small fixture on the JDK's HTTP server.
   */
  @Test
  void blobsAndManifestsThatAreNotTheirDigestAreRefused() throws Exception {
    TestImages.TestImage image = TestImages.busybox().withFile("/a", "real");
    TestImages.TestImage other = TestImages.busybox().withFile("/a", "forged");
    com.sun.net.httpserver.HttpServer lying = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    lying.createContext("/v2/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      String type = "application/octet-stream";
      if (path.startsWith("/v2/evil/manifests/")) {
        body = path.endsWith("/1") ? image.manifest() : other.manifest();
        type = ImageContent.OCI_MANIFEST;
      } else if (path.endsWith(Blobs.digest(image.config()))) {
        body = image.config();
      } else if (path.endsWith(image.layers().get(0).digest())) {
        body = image.layers().get(0).gzip();
      } else if (path.endsWith(image.layers().get(1).digest())) {
        body = other.layers().get(1).gzip();
      } else {
        body = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}"
            .getBytes();
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    lying.start();
    try {
      String host = "127.0.0.1:" + lying.getAddress().getPort();
      ImagePullException layer = failure(store.ensure(host + "/evil:1", PullPolicy.Always, List.of()));
      assertEquals("ErrImagePull", layer.reason());
      assertTrue(layer.getMessage().contains("digest mismatch"), layer.getMessage());
      assertTrue(layer.getMessage().contains(image.layers().get(1).digest()), layer.getMessage());
      ImagePullException manifest = failure(store.ensure(host + "/evil@" + image.manifestDigest(),
          PullPolicy.Always, List.of()));
      assertTrue(manifest.getMessage().contains("manifest digest mismatch"), manifest.getMessage());
      assertEquals(List.of(), get(store.list()));
      assertEquals(0, ImageStoreTest.count(dir.resolve("images/tmp")), "nothing half-written is left");
    } finally {
      lying.stop(0);
    }
  }

  @Test
  void aMultiPlatformImageGivesThisHostsManifest() throws Exception {
    String host = ImageContent.hostArchitecture();
    String other = host.equals("amd64") ? "arm64" : "amd64";
    TestImages.TestImage mine = TestImages.busybox().withCmd("echo", host);
    TestImages.TestImage theirs = TestImages.busybox().withCmd("echo", other);
    java.util.Map<String, TestImages.TestImage> platforms = new java.util.LinkedHashMap<>();
    platforms.put(other, theirs);
    platforms.put(host, mine);
    String index = TestImages.pushIndex(registry.uri(), "public/multi", "1", TestRegistry.USER, TestRegistry.PASSWORD,
        platforms);

    Image image = get(store.ensure(registry.host() + "/public/multi:1", PullPolicy.IfNotPresent, List.of()));
    assertEquals(mine.id(), image.id());
    assertEquals(List.of("echo", host), image.config().cmd());
    // the digest name is the index's, the one the tag points to (as Docker records it)
    assertTrue(get(store.list()).get(0).names().contains(registry.host() + "/public/multi@" + index));
  }

  /**
   * Plain basic authentication (a registry behind a proxy that asks for it), and blobs redirected to storage on
   * another host, which gets no credentials: a fixture, as the real registry has tokens and keeps its blobs.
   */
  @Test
  void aBasicChallengeIsAnsweredWithTheCredential() throws Exception {
    TestImages.TestImage image = TestImages.busybox().withFile("/basic", "yes");
    String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("u:p".getBytes());
    com.sun.net.httpserver.HttpServer basic = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    basic.createContext("/v2/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body = null;
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"fixture\"");
        body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"access to the requested resource is not authorized\"}]}".getBytes();
        exchange.sendResponseHeaders(401, body.length);
      } else {
        if (path.endsWith("/manifests/1")) body = image.manifest();
        if (path.endsWith(Blobs.digest(image.config()))) body = image.config();
        for (TestImages.Layer l : image.layers()) {
          if (path.endsWith(l.digest())) {
            // layers are in "storage" elsewhere, as a registry on S3 redirects to it
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + exchange.getLocalAddress().getPort()
                + "/storage/" + l.digest());
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
            return;
          }
        }
        if (path.endsWith("/manifests/1")) exchange.getResponseHeaders().set("Content-Type", ImageContent.OCI_MANIFEST);
        if (body == null) {
          body = new byte[0];
          exchange.sendResponseHeaders(404, -1);
        } else {
          exchange.sendResponseHeaders(200, body.length);
        }
      }
      if (body.length > 0) exchange.getResponseBody().write(body);
      exchange.close();
    });
    basic.createContext("/storage/", exchange -> {
      // storage refuses a request that carries the registry's credentials (S3 does: one auth mechanism only)
      byte[] body = new byte[0];
      for (TestImages.Layer l : image.layers()) {
        if (exchange.getRequestURI().getPath().endsWith(l.digest())) body = l.gzip();
      }
      int code = exchange.getRequestHeaders().containsKey("Authorization") ? 400 : body.length > 0 ? 200 : 404;
      exchange.sendResponseHeaders(code, code == 200 ? body.length : -1);
      if (code == 200) exchange.getResponseBody().write(body);
      exchange.close();
    });
    basic.start();
    try {
      String host = "localhost:" + basic.getAddress().getPort();
      ImagePullException without = failure(store.ensure(host + "/basic:1", PullPolicy.IfNotPresent, List.of()));
      assertTrue(without.getMessage().contains("401 Unauthorized: access to the requested resource is not authorized"),
          without.getMessage());
      Image pulled = get(store.ensure(host + "/basic:1", PullPolicy.IfNotPresent,
          List.of(new RegistryCredential("http://" + host + "/", "u", "p"))));
      assertEquals("yes", Files.readString(pulled.layers().get(1).resolve("basic")));
    } finally {
      basic.stop(0);
    }
  }

  /** A registry that stops sending in the middle of a layer: the pull fails after the request timeout. */
  @Test
  void aStalledDownloadFailsInsteadOfHangingForEver() throws Exception {
    TestImages.TestImage image = TestImages.busybox().withFile("/stall", "x");
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    com.sun.net.httpserver.HttpServer stalling = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    stalling.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    stalling.createContext("/v2/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body = path.contains("/manifests/") ? image.manifest()
          : path.endsWith(Blobs.digest(image.config())) ? image.config() : image.layers().get(0).gzip();
      if (path.contains("/manifests/")) exchange.getResponseHeaders().set("Content-Type", ImageContent.OCI_MANIFEST);
      exchange.sendResponseHeaders(200, body.length);
      if (path.endsWith(image.layers().get(0).digest())) {
        exchange.getResponseBody().write(body, 0, body.length / 2);
        exchange.getResponseBody().flush();
        try {
          release.await(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    stalling.start();
    ImageStore impatient = ImageStore.open(ImageStoreSettings.of(dir.resolve("impatient"))
        .withRequestTimeout(java.time.Duration.ofSeconds(3)));
    try {
      long started = System.nanoTime();
      ImagePullException e = failure(impatient.ensure("127.0.0.1:" + stalling.getAddress().getPort() + "/stall:1",
          PullPolicy.IfNotPresent, List.of()));
      assertEquals("ErrImagePull", e.reason());
      assertTrue(e.getMessage().contains("nothing received for 3 s"), e.getMessage());
      assertTrue(System.nanoTime() - started < java.time.Duration.ofSeconds(20).toNanos());
      // the store's threads are free again: the removal a stalled pull would block goes through
      assertEquals(false, get(impatient.remove("nothing:1")));
    } finally {
      release.countDown();
      impatient.close();
      stalling.stop(0);
    }
  }
}
