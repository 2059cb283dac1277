package io.troupe.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A database of its own on a PostgreSQL server for one benchmark run, dropped when closed, and the server
 * configuration of a one-JVM cluster whose journal is in it (config/cluster.conf). The server is the one
 * {@code .ci/postgres} makes (127.0.0.1:5432, role troupe/troupe, which may create databases) unless another
 * maintenance database's URL is given.
 */
public final class PostgresDatabase implements AutoCloseable {
  public static final String DEFAULT_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/troupe";

  private final String adminUrl;
  private final String name;

  private PostgresDatabase(String adminUrl, String name) {
    this.adminUrl = adminUrl;
    this.name = name;
  }

  /** Creates {@code troupe_<purpose>_<millis>} on the server of {@code adminUrl}. */
  public static PostgresDatabase create(String adminUrl, String purpose) throws SQLException {
    PostgresDatabase db = new PostgresDatabase(adminUrl, "troupe_" + purpose + "_" + System.currentTimeMillis());
    execute(adminUrl, "CREATE DATABASE " + db.name);
    return db;
  }

  public String url() {
    return adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
  }

  /**
   * Writes {@code file}: cluster.conf with this database as the journal, its keys under {@code pki} next to it, and
   * {@code more} lines; the server's arguments to run it as a one-JVM cluster on a free port.
   */
  public List<String> serverArguments(Path file, List<String> more) throws java.io.IOException {
    Path pki = file.resolveSibling("pki");
    List<String> lines = new ArrayList<>(List.of("include classpath(\"cluster.conf\")",
        "troupe.postgres.url = \"" + url() + "\"",
        "troupe.api.tls.ca-cert-file = \"" + pki.resolve("ca.crt") + "\"",
        "troupe.api.tls.ca-key-file = \"" + pki.resolve("ca.key") + "\"",
        "troupe.api.service-account.key-file = \"" + pki.resolve("sa.key") + "\"",
        "troupe.secrets.encryption.key-file = \"" + pki.resolve("secrets.key") + "\""));
    lines.addAll(more);
    lines.add("");
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines));
    String address = "127.0.0.1:" + freePort();
    return List.of("--config", file.toString(), "--cluster-address", address, "--seed-nodes", address);
  }

  @Override
  public void close() throws SQLException {
    execute(adminUrl, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "troupe", "troupe"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
