package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.client.Kubeconfig;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A real {@code troupe server} with its defaults serves HTTPS with a CA of its own, and the kubeconfig it writes
 * (the CA and the admin's client certificate inline) works as is for the troupe CLI, fabric8 and kubectl; the CLI's
 * client also takes a kubeconfig's bearer token, tokenFile, and certificate and key files.
 */
class ServerTlsTest {
  static final Path LOGS = Path.of("target", "server-tls-logs");
  static final String WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  static Path dir;
  static ServerProcess server;
  static Kubeconfig written;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("troupe-server-tls");
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, "t-alice,alice,uid-1,\"dev,ops\"\n");
    Path conf = dir.resolve("server.conf");
    Files.writeString(conf, "troupe.api.authentication.token-auth-file = \"" + tokens + "\"\n"
        + "troupe.node.runtime = simulated\n");
    server = ServerProcess.start(dir.resolve("data"), LOGS, "tls", Duration.ofMinutes(2),
        List.of("--config", conf.toString()));
    written = Kubeconfig.read(server.kubeconfig());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static JsonNode whoAmI(Kubeconfig config) {
    JsonNode review = new KubeClient(config).create(WHOAMI, Json.object()
        .put("apiVersion", "authentication.k8s.io/v1").put("kind", "SelfSubjectReview"));
    return review.path("status").path("userInfo");
  }

  static Kubeconfig with(Kubeconfig.Credentials credentials) {
    return new Kubeconfig(written.server(), null, credentials, written.trust(), null);
  }

  /** A kubeconfig file with the written one's server and CA and {@code userLines} as its user. */
  static Path kubeconfig(String name, String clusterExtra, String... userLines) throws IOException {
    List<String> lines = new ArrayList<>(List.of("apiVersion: v1", "kind: Config", "clusters:", "- name: c",
        "  cluster:", "    server: " + written.server()));
    if (clusterExtra != null) lines.add("    " + clusterExtra);
    lines.addAll(List.of("users:", "- name: u", "  user:"));
    for (String u : userLines) lines.add("    " + u);
    if (userLines.length == 0) lines.set(lines.size() - 1, "  user: {}");
    lines.addAll(List.of("contexts:", "- name: x", "  context: {cluster: c, user: u}", "current-context: x", ""));
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines));
    return file;
  }

  static String ca() {
    return Base64.getEncoder().encodeToString(written.trust().certificateAuthority().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theWrittenKubeconfigIsHttpsWithTheCaAndTheAdminsCertificate() throws IOException {
    assertEquals("https", server.url().getScheme());
    assertEquals(server.url(), written.server());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.kubeconfig())));
    String text = Files.readString(server.kubeconfig());
    for (String field : List.of("certificate-authority-data:", "client-certificate-data:", "client-key-data:")) {
      assertTrue(text.contains(field), field + " in\n" + text);
    }
    // --server without a scheme: https, since the kubeconfig configures TLS (as client-go decides)
    Kubeconfig overridden = Kubeconfig.resolve(server.kubeconfig(), "127.0.0.1:" + server.url().getPort(), null, null);
    assertEquals(server.url(), overridden.server());
    JsonNode admin = whoAmI(written);
    assertEquals("troupe-admin", admin.path("username").asText());
    assertEquals(List.of("system:masters", "system:authenticated"), groups(admin));
  }

  @Test
  void theTroupeCliWorksThroughIt() {
    Cli.Result r = Cli.runRaw("get", "namespaces", "--kubeconfig", server.kubeconfig().toString());
    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.out().contains("kube-system"), r::toString);
    // and it is the admin who writes
    Path manifest = dir.resolve("cm.yaml");
    try {
      Files.writeString(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-cli}\ndata: {k: v}\n");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertEquals(0, Cli.runRaw("apply", "-f", manifest.toString(), "--kubeconfig", server.kubeconfig().toString())
        .exit());
    Cli.Result history = Cli.runRaw("history", "configmap/by-cli", "--kubeconfig", server.kubeconfig().toString());
    assertTrue(history.out().contains("troupe-admin"), history::toString);
  }

  @Test
  void fabric8WorksThroughIt() {
    try (KubernetesClient client = server.client()) {
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
          .withName("by-fabric8").endMetadata().addToData("k", "v").build()).create();
      assertNotNull(client.configMaps().inNamespace("default").withName("by-fabric8").get());
    }
  }

  @Test
  void kubectlWorksThroughIt() throws Exception {
    Path kubectl = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    Assumptions.assumeTrue(Files.isExecutable(kubectl), "no kubectl at " + kubectl);
    String out = run(List.of(kubectl.toString(), "--kubeconfig", server.kubeconfig().toString(),
        "--cache-dir", dir.resolve("kubectl-cache").toString(), "get", "namespaces"));
    assertTrue(out.contains("kube-system"), out);
    String whoami = run(List.of(kubectl.toString(), "--kubeconfig", server.kubeconfig().toString(),
        "--cache-dir", dir.resolve("kubectl-cache").toString(), "auth", "whoami", "-o", "json"));
    assertTrue(whoami.contains("\"username\": \"troupe-admin\""), whoami);
  }

  static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "kubectl ran too long");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void aTokenOrATokenFileIsItsUser() throws IOException {
    assertEquals("alice", whoAmI(with(Kubeconfig.Credentials.ofToken("t-alice"))).path("username").asText());
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "t-alice\n");
    Path config = kubeconfig("token-file.yaml", "certificate-authority-data: " + ca(), "tokenFile: token");
    JsonNode alice = whoAmI(Kubeconfig.read(config));
    assertEquals("alice", alice.path("username").asText());
    assertEquals(List.of("dev", "ops", "system:authenticated"), groups(alice));
    // without credentials: anonymous, which RBAC lets reach the health and version paths only: 401 here
    var error = org.junit.jupiter.api.Assertions.assertThrows(io.troupe.cli.client.ApiError.class,
        () -> whoAmI(with(Kubeconfig.Credentials.NONE)));
    org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().contains("Unauthorized"), error.getMessage());
  }

  @Test
  void aBadTokenIsRefusedInKubectlsWords() throws IOException {
    Path config = kubeconfig("bad-token.yaml", "certificate-authority-data: " + ca(), "token: t-mallory");
    Cli.Result r = Cli.runRaw("get", "pods", "--kubeconfig", config.toString());
    assertEquals(1, r.exit(), r::toString);
    assertTrue(r.err().contains("error: You must be logged in to the server (Unauthorized)"), r::toString);
  }

  @Test
  void certificateAndKeyFilesAndTheCaFileWork() throws IOException {
    Files.writeString(dir.resolve("ca.crt"), written.trust().certificateAuthority());
    Files.writeString(dir.resolve("admin.crt"), written.credentials().clientCertificate());
    Files.writeString(dir.resolve("admin.key"), written.credentials().clientKey());
    Path config = kubeconfig("files.yaml", "certificate-authority: ca.crt", "client-certificate: admin.crt",
        "client-key: admin.key");
    assertEquals("troupe-admin", whoAmI(Kubeconfig.read(config)).path("username").asText());
  }

  @Test
  void withoutTheCaTheServerIsNotTrustedUnlessTheKubeconfigSaysInsecure() throws IOException {
    Path none = kubeconfig("no-ca.yaml", null);
    Cli.Result r = Cli.runRaw("get", "pods", "--kubeconfig", none.toString());
    assertEquals(1, r.exit(), r::toString);
    assertTrue(r.err().contains("Unable to connect to the server"), r::toString);
    Path insecure = kubeconfig("insecure.yaml", "insecure-skip-tls-verify: true", "token: t-alice");
    assertEquals("alice", whoAmI(Kubeconfig.read(insecure)).path("username").asText());
    assertThrows(() -> whoAmI(Kubeconfig.read(none)));
  }

  static void assertThrows(Executable e) {
    org.junit.jupiter.api.Assertions.assertThrows(CliException.class, e);
  }

  static List<String> groups(JsonNode info) {
    List<String> groups = new ArrayList<>();
    info.path("groups").forEach(g -> groups.add(g.asText()));
    return groups;
  }
}
