package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe-all.jar} as users run it ({@code java -jar}, what {@code ./troupe} does): the server starts from the
 * jar, takes writes, and reads them back after a restart; the CLI of the same jar talks to it with the kubeconfig the
 * server wrote. The tests of the other classes run on the modules' classpath, where every {@code reference.conf} is
 * its own file; in the jar they are one file appended in another order (a setting of ours that Pekko's file
 * overrode there once made every write fail).
 */
class TroupeJarIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Path JAR = Path.of(System.getProperty("troupe.jar", "target/troupe-all.jar"));

  @TempDir
  Path dir;
  private Process server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }

  @Test
  void theJarsServerKeepsWhatItAcknowledgedAcrossARestartAndItsCliReadsIt() throws Exception {
    Path data = dir.resolve("data");
    server = startServer(data);
    Path manifest = Files.writeString(dir.resolve("objects.yaml"), String.join("\n",
        "apiVersion: v1", "kind: ConfigMap", "metadata: {name: settings}", "data: {color: blue}", "---",
        "apiVersion: v1", "kind: Secret", "metadata: {name: password}", "stringData: {password: hunter2}", ""));
    Result created = cli(data, "apply", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.toString());
    assertTrue(created.out().contains("configmap/settings created") && created.out().contains("secret/password created"),
        created.toString());

    server.destroy(); // SIGTERM: a clean stop
    assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stopped on SIGTERM");
    server = startServer(data);

    Result configMap = cli(data, "get", "configmap", "settings", "-o", "json");
    assertEquals(0, configMap.exit(), configMap.toString());
    assertTrue(configMap.out().contains("\"color\" : \"blue\"") || configMap.out().contains("\"color\": \"blue\"")
        || configMap.out().contains("\"color\":\"blue\""), configMap.toString());
    Result secret = cli(data, "get", "secret", "password", "-o", "json");
    assertEquals(0, secret.exit(), secret.toString());
    // "hunter2" in base64, read back through the journal's encryption
    assertTrue(secret.out().contains("aHVudGVyMg=="), secret.toString());
    String log = Files.readString(data.resolve("server.stderr"));
    assertTrue(!log.contains("level=ERROR") && !log.contains("Exception"), "the server's log:\n" + log);
  }

  private Process startServer(Path data) throws Exception {
    Files.createDirectories(data);
    ProcessBuilder builder = new ProcessBuilder(java(), "-jar", JAR.toString(), "server", "--data-dir",
        data.toString(), "--api-address", "127.0.0.1:0")
        .redirectError(ProcessBuilder.Redirect.appendTo(data.resolve("server.stderr").toFile()));
    builder.environment().put("TROUPE_LOG_LEVEL", "WARN");
    Process process = builder.start();
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.contains("Troupe API listening on")) listening.complete(null);
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IllegalStateException("the server exited"));
    }, "jar-server-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      listening.get(START.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new AssertionError("the jar's server did not start: " + Files.readString(data.resolve("server.stderr")),
          e);
    }
    return process;
  }

  record Result(int exit, String out) {}

  /** The jar's CLI in a JVM of its own, with the kubeconfig the server wrote. */
  private Result cli(Path data, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--kubeconfig", data.resolve("kubeconfig").toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "troupe " + String.join(" ", args) + " ended");
    return new Result(process.exitValue(), out);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
