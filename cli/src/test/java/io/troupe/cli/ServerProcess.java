package io.troupe.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code troupe server} as a real child JVM, on this JVM's classpath: started on a data directory with the API on
 * a port the OS picks (read back from the "listening" line, so there is no race for a free port), killed with
 * SIGKILL or closed. Its stdout and stderr go to files in a log directory. It may run under a command prefix that
 * execs it elsewhere (e.g. {@code ip netns exec NAME}, which execs java: the process is still the JVM).
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Troupe API listening on (https?://\\S+)");

  private final Process process;
  private final URI url;
  private final Path stderr;
  private final Path kubeconfig;

  private ServerProcess(Process process, URI url, Path stderr, Path kubeconfig) {
    this.process = process;
    this.url = url;
    this.stderr = stderr;
    this.kubeconfig = kubeconfig;
  }

  /** Starts a server and returns once it prints that its API is listening, or fails after {@code deadline}. */
  static ServerProcess start(Path dataDir, Path logDir, String name, Duration deadline) throws IOException {
    return start(dataDir, logDir, name, deadline, List.of());
  }

  /** As {@link #start(Path, Path, String, Duration)}, with more {@code troupe server} arguments. */
  static ServerProcess start(Path dataDir, Path logDir, String name, Duration deadline, List<String> args)
      throws IOException {
    return start(dataDir, logDir, name, deadline, List.of(), "127.0.0.1", args);
  }

  /** As above, run under {@code commandPrefix}, with the API on {@code apiHost}. */
  static ServerProcess start(Path dataDir, Path logDir, String name, Duration deadline, List<String> commandPrefix,
      String apiHost, List<String> args) throws IOException {
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Process process = spawn(dataDir, logDir, name, commandPrefix, apiHost, args, listening);
    Path stderr = logDir.resolve(name + ".stderr");
    try {
      URI url = listening.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      return new ServerProcess(process, url, stderr, dataDir.toAbsolutePath().resolve("kubeconfig"));
    } catch (TimeoutException | InterruptedException | ExecutionException e) {
      process.destroyForcibly();
      throw new IllegalStateException("server " + name + " did not report listening within " + deadline + " ("
          + e + "); stderr:\n" + tail(stderr), e);
    }
  }

  /**
   * Starts a server that is not expected to come up (one its cluster refuses) and returns at once, without a URL;
   * {@link #stderrText()} tells what it did.
   */
  static ServerProcess launch(Path dataDir, Path logDir, String name, List<String> args) throws IOException {
    Process process = spawn(dataDir, logDir, name, List.of(), "127.0.0.1", args, new CompletableFuture<>());
    return new ServerProcess(process, null, logDir.resolve(name + ".stderr"),
        dataDir.toAbsolutePath().resolve("kubeconfig"));
  }

  private static Process spawn(Path dataDir, Path logDir, String name, List<String> commandPrefix, String apiHost,
      List<String> args, CompletableFuture<URI> listening) throws IOException {
    Files.createDirectories(logDir);
    Path stdout = logDir.resolve(name + ".stdout");
    Path stderr = logDir.resolve(name + ".stderr");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(commandPrefix);
    command.addAll(List.of(java, "-Xmx1g"));
    // a test drives its servers harder than the per-client rate limit lets one anonymous client
    command.add("-Dtroupe.api.limits.enabled=false");
    // extra options for every server JVM, e.g. -Dtroupe.test.jvm-options=-XX:StartFlightRecording=filename=/tmp/%p.jfr
    String extra = System.getProperty("troupe.test.jvm-options", "").strip();
    if (!extra.isEmpty()) command.addAll(List.of(extra.split("\\s+")));
    command.addAll(List.of(
        // the server's own logback.xml (stderr, Troupe at INFO), not the logback-test.xml of a test-jar
        "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"),
        Troupe.class.getName(), "server",
        "--data-dir", dataDir.toAbsolutePath().toString(),
        "--api-address", apiHost + ":0"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    Process process = builder.start();
    Thread reader = new Thread(() -> copyStdout(process, stdout, listening), "stdout-of-" + name);
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  /** Copies the child's stdout to a file and completes {@code listening} with the API's URL when it is printed. */
  private static void copyStdout(Process process, Path file, CompletableFuture<URI> listening) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(file)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        Matcher m = LISTENING.matcher(line);
        if (m.find()) listening.complete(URI.create(m.group(1)));
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
    }
    listening.completeExceptionally(new IllegalStateException("the server's stdout ended (it exited) before "
        + "it was listening"));
  }

  URI url() {
    return url;
  }

  /** The kubeconfig the server wrote (written before it says it listens): its CA and the admin's certificate. */
  Path kubeconfig() {
    return kubeconfig;
  }

  /** A fabric8 client through the server's kubeconfig. */
  io.fabric8.kubernetes.client.KubernetesClient client() {
    return io.troupe.control.api.Fabric8Clients.connect(kubeconfig);
  }

  /** A JDK HTTP client builder set up with the server's kubeconfig (trusting its CA, with the admin certificate). */
  java.net.http.HttpClient.Builder http() {
    return http(kubeconfig);
  }

  static java.net.http.HttpClient.Builder http(Path kubeconfig) {
    return java.net.http.HttpClient.newBuilder().sslContext(io.troupe.cli.client.ClientTls.context(
        io.troupe.cli.client.Kubeconfig.read(kubeconfig)));
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit status of a process that has ended. */
  int exitValue() {
    return process.exitValue();
  }

  /** {@code kill -9}: Process.destroyForcibly sends SIGKILL on Linux. Returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("pid " + pid() + " survived SIGKILL");
  }

  String stderrTail() {
    return tail(stderr);
  }

  /** All the server has written to stderr so far (its log). */
  String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** Kills the process if it still runs (SIGKILL: the tests that use this want no clean shutdown). */
  @Override
  public void close() {
    try {
      if (process.isAlive()) kill();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
