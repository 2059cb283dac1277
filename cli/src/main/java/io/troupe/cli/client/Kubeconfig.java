package io.troupe.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the API is and how to reach it, read from a kubeconfig file as kubectl reads it (the current context's
 * cluster and user, and its namespace). Troupe has no authentication yet: {@link Credentials} is where #8's
 * bearer tokens and client certificates go (a user's {@code token}, {@code client-certificate-data}, and a
 * cluster's {@code certificate-authority-data} for https servers).
 */
public record Kubeconfig(URI server, String namespace, Credentials credentials, Path source) {

  public static final String CLUSTER = "troupe";
  public static final String USER = "troupe-admin";
  public static final String CONTEXT = "troupe";

  /** A user's credentials (none yet: the API is open). */
  public record Credentials(String token) {
    public static final Credentials NONE = new Credentials(null);
  }

  /**
   * The configuration a command uses: {@code --kubeconfig}, else {@code $KUBECONFIG}'s first file, else
   * {@code ~/.kube/config}, else the kubeconfig {@code troupe server} writes into its default data directory
   * ({@code ./data/kubeconfig}); {@code --server} overrides the file's server. With no file at all, the API of a
   * default {@code troupe server}: http://127.0.0.1:6443.
   */
  public static Kubeconfig resolve(Path explicit, String server, String kubeconfigEnv, Path home) {
    Kubeconfig file = locate(explicit, kubeconfigEnv, home).map(Kubeconfig::read)
        .orElse(new Kubeconfig(URI.create("http://127.0.0.1:6443"), null, Credentials.NONE, null));
    if (server == null || server.isBlank()) return file;
    String url = server.contains("://") ? server : "http://" + server;
    return new Kubeconfig(URI.create(url), file.namespace(), file.credentials(), file.source());
  }

  static Optional<Path> locate(Path explicit, String kubeconfigEnv, Path home) {
    if (explicit != null) {
      if (!Files.exists(explicit)) throw new CliException("error: stat " + explicit + ": no such file or directory");
      return Optional.of(explicit);
    }
    if (kubeconfigEnv != null && !kubeconfigEnv.isBlank()) {
      for (String p : kubeconfigEnv.split(java.io.File.pathSeparator)) {
        if (!p.isBlank() && Files.exists(Path.of(p))) return Optional.of(Path.of(p));
      }
    }
    if (home != null && Files.exists(home.resolve(".kube/config"))) return Optional.of(home.resolve(".kube/config"));
    Path dataDir = Path.of("data", "kubeconfig");
    return Files.exists(dataDir) ? Optional.of(dataDir) : Optional.empty();
  }

  /** Reads the current context of a kubeconfig file. */
  public static Kubeconfig read(Path path) {
    JsonNode config;
    try {
      config = Manifest.YAML.readTree(Files.readString(path));
    } catch (IOException e) {
      throw new CliException("error: error loading config file \"" + path + "\": " + e.getMessage());
    }
    if (config == null) config = Json.object();
    String current = config.path("current-context").asText("");
    JsonNode context = named(config.path("contexts"), current).path("context");
    JsonNode cluster = named(config.path("clusters"), context.path("cluster").asText("")).path("cluster");
    JsonNode user = named(config.path("users"), context.path("user").asText("")).path("user");
    String server = cluster.path("server").asText("");
    if (server.isEmpty()) {
      throw new CliException("error: no server found for cluster \"" + context.path("cluster").asText("")
          + "\" in " + path);
    }
    String namespace = context.path("namespace").asText("");
    String token = user.path("token").asText("");
    return new Kubeconfig(URI.create(server), namespace.isEmpty() ? null : namespace,
        token.isEmpty() ? Credentials.NONE : new Credentials(token), path);
  }

  private static JsonNode named(JsonNode list, String name) {
    for (JsonNode entry : list) {
      if (name.equals(entry.path("name").asText())) return entry;
    }
    return Json.object();
  }

  /** The kubeconfig of a Troupe cluster: cluster {@code troupe}, user {@code troupe-admin}, context {@code troupe}. */
  public static String of(String server) {
    ObjectNode config = Json.object();
    config.put("apiVersion", "v1");
    config.put("kind", "Config");
    ObjectNode cluster = config.putArray("clusters").addObject();
    cluster.put("name", CLUSTER);
    cluster.putObject("cluster").put("server", server);
    ObjectNode user = config.putArray("users").addObject();
    user.put("name", USER);
    user.putObject("user"); // #8: token / client-certificate-data go here
    ObjectNode context = config.putArray("contexts").addObject();
    context.put("name", CONTEXT);
    ObjectNode c = context.putObject("context");
    c.put("cluster", CLUSTER);
    c.put("user", USER);
    c.put("namespace", "default");
    config.put("current-context", CONTEXT);
    config.putObject("preferences");
    try {
      return Manifest.YAML.writeValueAsString(config);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@link #of} atomically (readable by its owner only, as kubeconfigs hold credentials once #8 lands). */
  public static void write(Path path, String server) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, of(server));
    try {
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
