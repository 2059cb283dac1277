package io.troupe.persistence.cluster;

import com.typesafe.config.Config;
import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of the cluster that are alive, as the shared PostgreSQL database knows them: every member that is Up
 * records its address there every second ({@code troupe_cluster_members}, times by the database's clock). A JVM
 * that joins reads it to find the running cluster, so that a first seed node restarted while the others run never
 * founds a second cluster on the same journal (Pekko's first seed does, when no other seed answers in time, as
 * under load). Hand-written: Pekko Management's Cluster Bootstrap would need an HTTP management endpoint on every
 * JVM and a discovery method, and none of its discovery methods reads a database.
 */
final class MemberRegistry {
  private static final Logger log = LoggerFactory.getLogger(MemberRegistry.class);
  private static final String SCHEMA = "CREATE TABLE IF NOT EXISTS troupe_cluster_members ("
      + "address TEXT PRIMARY KEY, seen_at TIMESTAMPTZ NOT NULL)";
  private static final String SEEN = "INSERT INTO troupe_cluster_members (address, seen_at) VALUES (?, now()) "
      + "ON CONFLICT (address) DO UPDATE SET seen_at = now()";
  private static final String ALIVE = "SELECT address FROM troupe_cluster_members "
      + "WHERE seen_at > now() - make_interval(secs => ?) AND address <> ? ORDER BY seen_at DESC";

  private final JournalDatabase db;
  private Connection connection;

  MemberRegistry(JournalDatabase db) {
    this.db = db;
  }

  /** The registry of the journal's database, or null when the journal is not on PostgreSQL (a single JVM). */
  static MemberRegistry of(Config config) {
    JournalDatabase db = JournalDatabase.of(config);
    return db.postgres() ? new MemberRegistry(db) : null;
  }

  /** Other members seen within {@code within}, most recently seen first; empty when the database cannot say. */
  synchronized List<Address> alive(Address self, Duration within) {
    List<Address> alive = new ArrayList<>();
    try (PreparedStatement q = connection().prepareStatement(ALIVE)) {
      q.setDouble(1, within.toMillis() / 1000.0);
      q.setString(2, self.toString());
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) alive.add(AddressFromURIString.parse(rs.getString(1)));
      }
    } catch (SQLException e) {
      log.warn("cannot read the cluster's members from the database: {}", e.getMessage());
      close();
    }
    return alive;
  }

  /** Records that {@code self} is alive now. */
  synchronized void seen(Address self) {
    try (PreparedStatement u = connection().prepareStatement(SEEN)) {
      u.setString(1, self.toString());
      u.executeUpdate();
    } catch (SQLException e) {
      log.warn("cannot record this member in the database: {}", e.getMessage());
      close();
    }
  }

  synchronized void close() {
    try {
      if (connection != null) connection.close();
    } catch (SQLException ignored) {
      // dropped anyway
    }
    connection = null;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = db.connect();
      try (Statement s = connection.createStatement()) {
        s.execute(SCHEMA);
      } catch (SQLException e) {
        // two JVMs creating the table at once: one of them loses the race, and the table is there
        if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) throw e;
      }
    }
    return connection;
  }
}
