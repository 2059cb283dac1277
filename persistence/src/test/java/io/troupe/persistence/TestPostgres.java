package io.troupe.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A database of its own for a test, on the PostgreSQL that {@code .ci/postgres} starts (127.0.0.1:5432, role
 * troupe with CREATEDB; {@code TROUPE_POSTGRES_URL} names another server's {@code troupe} database).
 */
public final class TestPostgres implements AutoCloseable {
  static final String ADMIN_URL = System.getenv().getOrDefault("TROUPE_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/troupe");
  static final String USER = "troupe";
  static final String PASSWORD = "troupe";

  private final String name;

  private TestPostgres(String name) {
    this.name = name;
  }

  /** Creates an empty database; fails (with how to start PostgreSQL) when the server is not there. */
  public static TestPostgres create() {
    String name = "troupe_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("no PostgreSQL at " + ADMIN_URL + " (run .ci/postgres as root): "
          + e.getMessage(), e);
    }
    return new TestPostgres(name);
  }

  public String url() {
    return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
  }

  /** host:port of the PostgreSQL server. */
  public static String server() {
    String rest = ADMIN_URL.substring("jdbc:postgresql://".length());
    return rest.substring(0, rest.indexOf('/'));
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, PASSWORD);
  }

  /** Overrides that put a Troupe JVM's journal in this database (as config/cluster.conf does). */
  public Map<String, Object> journal() {
    Map<String, Object> o = new HashMap<>();
    o.put("pekko-persistence-jdbc.shared-databases.troupe.profile", "slick.jdbc.PostgresProfile$");
    o.put("pekko-persistence-jdbc.shared-databases.troupe.db.url", url());
    o.put("pekko-persistence-jdbc.shared-databases.troupe.db.user", USER);
    o.put("pekko-persistence-jdbc.shared-databases.troupe.db.password", PASSWORD);
    o.put("pekko-persistence-jdbc.shared-databases.troupe.db.driver", "org.postgresql.Driver");
    o.put("jdbc-journal.parallelism", 4);
    o.put("troupe.watch-cache.idle-poll-interval", "20ms");
    return o;
  }

  @Override
  public void close() {
    try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      // a database left behind is only disk space
    }
  }
}
