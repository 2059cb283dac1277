package io.troupe.node.image;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.troupe.control.pki.CertificateAuthority;
import io.troupe.control.pki.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI registry on loopback for the tests: Debian's {@code docker-registry} (the CNCF distribution registry)
 * with its storage in a temporary directory, behind token authentication as Docker Hub has it: a 401 with
 * {@code WWW-Authenticate: Bearer realm=...}, and a token server (here, in the test JVM) that gives signed JWTs. The
 * token server grants {@code pull} on repositories under {@code public/} to anyone, and everything to
 * {@link #USER}/{@link #PASSWORD}; other credentials get a 401.
 *
 * <pre>{@code
 * TestRegistry.assumeAvailable();
 * try (TestRegistry registry = TestRegistry.start(dir)) {
 *   TestImages.busybox().push(registry.uri(), "public/busybox", "1", TestRegistry.USER, TestRegistry.PASSWORD);
 *   // pull "127.0.0.1:<port>/public/busybox:1"
 * }
 * }</pre>
 */
public final class TestRegistry implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  public static final String USER = "robot";
  public static final String PASSWORD = "s3cret-pass";
  static final String SERVICE = "troupe-test-registry";
  static final String ISSUER = "troupe-test-token-issuer";

  private final Process registry;
  private final HttpServer tokens;
  private final int port;
  private final AtomicInteger tokensIssued = new AtomicInteger();

  private TestRegistry(Process registry, HttpServer tokens, int port) {
    this.registry = registry;
    this.tokens = tokens;
    this.port = port;
  }

  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Skips the calling test where Debian's docker-registry is not installed. */
  public static void assumeAvailable() {
    Assumptions.assumeTrue(available(), "needs " + BINARY + " (apt-get install docker-registry)");
  }

  /** Starts a registry and its token server on 127.0.0.1, keeping their files in {@code dir}. */
  public static TestRegistry start(Path dir) throws Exception {
    Files.createDirectories(dir);
    CertificateAuthority signer = CertificateAuthority.create(ISSUER);
    Path bundle = dir.resolve("token-signer.crt");
    Files.writeString(bundle, Pem.certificate(signer.certificate()));
    HttpServer tokens = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int port = freePort();
    TestRegistry[] self = new TestRegistry[1];
    tokens.createContext("/token", exchange -> self[0].token(exchange, signer));
    tokens.start();
    String config = String.join("\n",
        "version: 0.1",
        "log:",
        "  level: warn",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        "    rootdirectory: " + dir.resolve("storage"),
        "  delete:",
        "    enabled: true",
        "http:",
        "  addr: 127.0.0.1:" + port,
        "  secret: " + UUID.randomUUID(),
        "auth:",
        "  token:",
        "    realm: http://127.0.0.1:" + tokens.getAddress().getPort() + "/token",
        "    service: " + SERVICE,
        "    issuer: " + ISSUER,
        "    rootcertbundle: " + bundle,
        "");
    Path file = dir.resolve("config.yml");
    Files.writeString(file, config);
    Process process = new ProcessBuilder(BINARY.toString(), "serve", file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
    self[0] = new TestRegistry(process, tokens, port);
    self[0].awaitReady(dir.resolve("registry.log"));
    return self[0];
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** {@code 127.0.0.1:<port>}: the registry part of an image reference. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** How many tokens the token server has given (to anyone). */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  public RegistryCredential credential() {
    return new RegistryCredential(host(), USER, PASSWORD);
  }

  /** Deletes blob {@code digest} from {@code repository} (as the registry's garbage collection would). */
  public void deleteBlob(String repository, String digest) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = uri().resolve("/v2/" + repository + "/blobs/" + digest);
    String token = issue(repository + ":*");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).DELETE().header("Authorization", "Bearer " + token)
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) throw new IOException("DELETE " + uri + ": " + r.statusCode() + " " + r.body());
  }

  private String issue(String repositoryActions) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String auth = java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + tokens.getAddress().getPort() + "/token?service=" + SERVICE + "&scope=repository:" + repositoryActions))
        .header("Authorization", "Basic " + auth).build(), HttpResponse.BodyHandlers.ofString());
    return io.troupe.persistence.model.Json.MAPPER.readTree(r.body()).path("token").asText();
  }

  private void awaitReady(Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!registry.isAlive()) {
        throw new IllegalStateException("docker-registry exited: " + Files.readString(log));
      }
      try {
        int code = http.send(HttpRequest.newBuilder(uri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        if (code == 401 || code == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    close();
    throw new IllegalStateException("docker-registry did not answer within 30 s: " + Files.readString(log));
  }

  /**
   * The token endpoint of Docker's token authentication: {@code GET /token?service=...&scope=repository:name:pull}
   * with optional basic credentials; a JWT signed by the key whose certificate the registry trusts, carried in the
   * header's {@code x5c}.
   */
  private void token(HttpExchange exchange, CertificateAuthority signer) throws IOException {
    try (exchange) {
      Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
      String user = null;
      String header = exchange.getRequestHeaders().getFirst("Authorization");
      if (header != null && header.startsWith("Basic ")) {
        String pair = new String(java.util.Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        if (!pair.equals(USER + ":" + PASSWORD)) {
          answer(exchange, 401, "{\"details\":\"invalid username or password\"}");
          return;
        }
        user = USER;
      }
      List<Map<String, Object>> access = new ArrayList<>();
      for (String scope : query.getOrDefault("scope", List.of())) {
        String[] parts = scope.split(":");
        if (parts.length != 3 || !parts[0].equals("repository")) continue;
        List<String> actions = new ArrayList<>();
        for (String action : parts[2].split(",")) {
          boolean granted = user != null || (action.equals("pull") && parts[1].startsWith("public/"));
          if (granted) actions.add(action);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("type", "repository");
        entry.put("name", parts[1]);
        entry.put("actions", actions);
        access.add(entry);
      }
      Instant now = Instant.now();
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject(user == null ? "" : user)
          .audience(query.getOrDefault("service", List.of(SERVICE)).get(0)).issueTime(Date.from(now))
          .notBeforeTime(Date.from(now.minusSeconds(60))).expirationTime(Date.from(now.plusSeconds(600)))
          .jwtID(UUID.randomUUID().toString()).claim("access", access).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
          .x509CertChain(List.of(Base64.encode(signer.certificate().getEncoded()))).build(), claims);
      jwt.sign(new RSASSASigner(signer.key()));
      tokensIssued.incrementAndGet();
      String token = jwt.serialize();
      answer(exchange, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":600}");
    } catch (Exception e) {
      answer(exchange, 500, "{\"details\":\"" + e.getMessage() + "\"}");
    }
  }

  private static void answer(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null) return out;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    registry.destroy();
    try {
      if (!registry.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) registry.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tokens.stop(0);
  }
}
