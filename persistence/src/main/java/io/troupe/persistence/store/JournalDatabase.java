package io.troupe.persistence.store;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The database the journal lives in ({@code pekko-persistence-jdbc.shared-databases.troupe.db}), for the parts of
 * Troupe that read it with plain JDBC beside the journal plugin: the watch cache's feed and the cluster's member
 * registry.
 */
public record JournalDatabase(String url, String user, String password) {
  public static JournalDatabase of(Config config) {
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.troupe.db");
    return new JournalDatabase(db.getString("url"), db.getString("user"), db.getString("password"));
  }

  /** PostgreSQL (a cluster's journal), rather than the embedded H2 of a single JVM. */
  public boolean postgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }
}
