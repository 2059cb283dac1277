package io.troupe.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Where the API is and how to reach it, read from a kubeconfig file as kubectl reads it: the current context's
 * cluster (server, {@code certificate-authority-data} or {@code certificate-authority}, {@code
 * insecure-skip-tls-verify}) and user ({@code token}, {@code tokenFile}, {@code client-certificate(-data)} and
 * {@code client-key(-data)}), and its namespace. Relative file paths are relative to the kubeconfig's directory,
 * as kubectl resolves them.
 */
public record Kubeconfig(URI server, String namespace, Credentials credentials, ClusterTrust trust, Path source) {

  public static final String CLUSTER = "troupe";
  public static final String USER = "troupe-admin";
  public static final String CONTEXT = "troupe";

  /**
   * A user's credentials: a bearer token (or a file holding one, read at each request as kubectl does, so that a
   * rotated token is picked up), and/or a client certificate with its key (PEM).
   */
  public record Credentials(String token, Path tokenFile, String clientCertificate, String clientKey) {
    public static final Credentials NONE = new Credentials(null, null, null, null);

    public static Credentials ofToken(String token) {
      return new Credentials(token, null, null, null);
    }

    /** The bearer token to send, if any. */
    public Optional<String> bearerToken() {
      if (token != null) return Optional.of(token);
      if (tokenFile == null) return Optional.empty();
      try {
        return Optional.of(Files.readString(tokenFile).strip());
      } catch (IOException e) {
        throw new CliException("error: cannot read the tokenFile " + tokenFile + ": " + e.getMessage());
      }
    }

    public boolean hasClientCertificate() {
      return clientCertificate != null && clientKey != null;
    }
  }

  /** How the client checks the server: the CA certificates (PEM) to trust, or nothing at all when insecure. */
  public record ClusterTrust(String certificateAuthority, boolean insecureSkipTlsVerify) {
    public static final ClusterTrust SYSTEM = new ClusterTrust(null, false);
  }

  /**
   * The configuration a command uses: {@code --kubeconfig}, else {@code $KUBECONFIG}'s first file, else
   * {@code ~/.kube/config}, else the kubeconfig {@code troupe server} writes into its default data directory
   * ({@code ./data/kubeconfig}); {@code --server} overrides the file's server (without a scheme: https when the file
   * configures TLS, else http, as client-go decides). With no file at all, the API of a default
   * {@code troupe server}: https://127.0.0.1:6443.
   */
  public static Kubeconfig resolve(Path explicit, String server, String kubeconfigEnv, Path home) {
    Kubeconfig file = locate(explicit, kubeconfigEnv, home).map(Kubeconfig::read)
        .orElse(new Kubeconfig(URI.create("https://127.0.0.1:6443"), null, Credentials.NONE, ClusterTrust.SYSTEM,
            null));
    if (server == null || server.isBlank()) return file;
    boolean tls = file.trust().certificateAuthority() != null || file.trust().insecureSkipTlsVerify()
        || file.credentials().hasClientCertificate();
    String url = server.contains("://") ? server : (tls ? "https://" : "http://") + server;
    return new Kubeconfig(URI.create(url), file.namespace(), file.credentials(), file.trust(), file.source());
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
    Path dir = path.toAbsolutePath().getParent();
    String namespace = context.path("namespace").asText("");
    String token = text(user, "token");
    String tokenFile = text(user, "tokenFile");
    Credentials credentials = new Credentials(token, tokenFile == null ? null : dir.resolve(tokenFile),
        pem(user, "client-certificate-data", "client-certificate", dir, path),
        pem(user, "client-key-data", "client-key", dir, path));
    ClusterTrust trust = new ClusterTrust(pem(cluster, "certificate-authority-data", "certificate-authority", dir,
        path), cluster.path("insecure-skip-tls-verify").asBoolean(false));
    return new Kubeconfig(URI.create(server), namespace.isEmpty() ? null : namespace, credentials, trust, path);
  }

  private static String text(JsonNode node, String field) {
    String value = node.path(field).asText("");
    return value.isEmpty() ? null : value;
  }

  /** A PEM text given inline ({@code *-data}, base64) or as a file path. */
  private static String pem(JsonNode node, String dataField, String fileField, Path dir, Path config) {
    String data = text(node, dataField);
    if (data != null) {
      try {
        return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CliException("error: " + dataField + " in " + config + " is not base64: " + e.getMessage());
      }
    }
    String file = text(node, fileField);
    if (file == null) return null;
    Path resolved = dir.resolve(file);
    try {
      return Files.readString(resolved);
    } catch (IOException e) {
      throw new CliException("error: unable to read " + fileField + " " + resolved + ": " + e.getMessage());
    }
  }

  private static JsonNode named(JsonNode list, String name) {
    for (JsonNode entry : list) {
      if (name.equals(entry.path("name").asText())) return entry;
    }
    return Json.object();
  }

  /** The kubeconfig of a plain-HTTP Troupe (no TLS, no credentials). */
  public static String of(String server) {
    return of(server, null, null, null);
  }

  /**
   * The kubeconfig of a Troupe cluster: cluster {@code troupe} (its CA, PEM, inline), user {@code troupe-admin}
   * (its client certificate and key, inline), context {@code troupe}.
   */
  public static String of(String server, String caPem, String clientCertificatePem, String clientKeyPem) {
    ObjectNode config = Json.object();
    config.put("apiVersion", "v1");
    config.put("kind", "Config");
    ObjectNode cluster = config.putArray("clusters").addObject();
    cluster.put("name", CLUSTER);
    ObjectNode c0 = cluster.putObject("cluster");
    c0.put("server", server);
    if (caPem != null) c0.put("certificate-authority-data", base64(caPem));
    ObjectNode user = config.putArray("users").addObject();
    user.put("name", USER);
    ObjectNode u = user.putObject("user");
    if (clientCertificatePem != null) u.put("client-certificate-data", base64(clientCertificatePem));
    if (clientKeyPem != null) u.put("client-key-data", base64(clientKeyPem));
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

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@link #of(String)} atomically, readable by its owner only. */
  public static void write(Path path, String server) throws IOException {
    write(path, server, null, null, null);
  }

  /** Writes {@link #of(String, String, String, String)} atomically, readable by its owner only (it holds a key). */
  public static void write(Path path, String server, String caPem, String clientCertificatePem, String clientKeyPem)
      throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp);
    try {
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.writeString(tmp, of(server, caPem, clientCertificatePem, clientKeyPem));
    Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
