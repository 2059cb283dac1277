package io.troupe.node;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium}) driven by playwright-core from
 * npm ({@code src/test/browser/dashboard.mjs}), against a control plane with its controllers and one simulated
 * node in this JVM. The script's steps and screenshots end up in {@code target/browser/}. Skipped where there is
 * no {@code /usr/bin/chromium} or no {@code node}/{@code npm} ({@code .ci/run} installs them).
 */
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path SOURCES = Path.of("src/test/browser");
  static final Path WORK = Path.of("target/browser");
  static final String TOKEN = "dashboard-test-token-31f9c2";
  static final List<String> FILES = List.of("package.json", "package-lock.json", "dashboard.mjs");
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + " (apt-get install chromium)");
    assumeTrue(onPath("node") && onPath("npm"), "no node or npm on the PATH");
    installPlaywright();
    Path data = Files.createTempDirectory("troupe-dashboard");
    // under RBAC, as users run it: the page asks for a token and signs in with this one
    Path tokens = Files.writeString(data.resolve("tokens.csv"), TOKEN + ",ui-admin,ui-admin-uid,\"system:masters\"\n");
    plane = TestControlPlane.start(data.resolve("data"), Map.of(
        "troupe.api.authorization.mode", "RBAC",
        "troupe.api.authentication.token-auth-file", tokens.toString(),
        "troupe.controllers.enabled", true,
        "troupe.node.name", "ui-node",
        "troupe.node.runtime", "simulated",
        "troupe.node.simulated.nodes", 1,
        "troupe.node.simulated.start-delay", "1s",
        "troupe.node.capacity.cpu", "4",
        "troupe.node.capacity.memory", "8Gi"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(TestControlPlane.url(plane))
        .withOauthToken(TOKEN).build()).build();
    awaitUntil(Duration.ofSeconds(30), () -> client.nodes().withName("ui-node").get() != null,
        () -> "ui-node registered");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (agents != null) agents.close();
    if (plane != null) plane.close();
  }

  @Test
  void aDeploymentAndItsPodsTurnRunningOnTheOpenPage() throws Exception {
    String ns = Fabric8Clients.newNamespace(client, "ui");
    Path screenshots = WORK.resolve("screenshots");
    // this run's screenshots only (a failure.png of an earlier run would mislead)
    if (Files.isDirectory(screenshots)) {
      try (var old = Files.list(screenshots)) {
        for (Path file : old.toList()) Files.delete(file);
      }
    }
    ProcessBuilder builder = new ProcessBuilder("node", "dashboard.mjs").directory(WORK.toFile())
        .redirectErrorStream(true).redirectOutput(WORK.resolve("dashboard.log").toFile());
    builder.environment().putAll(Map.of(
        "TROUPE_URL", TestControlPlane.url(plane),
        "NAMESPACE", ns,
        "NODE", "ui-node",
        "TOKEN", TOKEN,
        "SCREENSHOTS", screenshots.toAbsolutePath().toString()));
    Process script = builder.start();
    boolean ended = script.waitFor(5, TimeUnit.MINUTES);
    String output = Files.readString(WORK.resolve("dashboard.log"));
    if (!ended) script.destroyForcibly();
    assertTrue(ended, () -> "the browser script did not end:\n" + output);
    assertEquals(0, script.exitValue(), () -> "the browser script failed:\n" + output);
    assertTrue(output.contains("ok: no errors in the page"), output);
  }

  /** The script and its npm package in target/browser, with node_modules installed from the lock file. */
  static void installPlaywright() throws Exception {
    Files.createDirectories(WORK);
    Path lock = WORK.resolve("package-lock.json");
    boolean sameLock = Files.exists(lock) && Files.mismatch(SOURCES.resolve("package-lock.json"), lock) == -1;
    for (String file : FILES) {
      Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (sameLock && Files.isDirectory(WORK.resolve("node_modules/playwright-core"))) return;
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
        .directory(WORK.toFile()).redirectErrorStream(true).start();
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci did not end");
    assertEquals(0, npm.exitValue(), () -> "npm ci failed:\n" + output);
  }

  static boolean onPath(String command) {
    try {
      return new ProcessBuilder(command, "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
