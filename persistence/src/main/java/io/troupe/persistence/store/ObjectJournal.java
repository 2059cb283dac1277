package io.troupe.persistence.store;

import io.troupe.persistence.entity.ResourceEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * One object's events as the journal keeps them, oldest first: what its history is made of. Read with plain JDBC,
 * as the watch cache's feed reads the journal (the plugin's query API would give neither the write time nor the
 * global ordering, which is the object's resourceVersion). Blocking: call it off the actors' threads.
 */
public final class ObjectJournal {
  private static final String QUERY = "SELECT \"ordering\", \"sequence_number\", \"write_timestamp\", "
      + "\"event_payload\", \"event_ser_id\", \"event_ser_manifest\" FROM \"event_journal\" "
      + "WHERE \"persistence_id\" = ? AND \"deleted\" = FALSE ORDER BY \"sequence_number\"";

  /**
   * One change of the object.
   *
   * @param resourceVersion the journal's global ordering of the event: the resourceVersion it gave the object
   * @param revision the object's entity sequence number
   */
  public record Entry(long resourceVersion, long revision, Instant written, ResourceEntity.Event event) {}

  private final JournalDatabase db;
  private final Serialization serialization;

  public ObjectJournal(ActorSystem<?> system) {
    this.db = JournalDatabase.of(system.settings().config());
    this.serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  /** The events of the object with this store key ({@code Kind/namespace/name}), across all its incarnations. */
  public List<Entry> read(String key) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(QUERY)) {
      s.setString(1, ResourceEntity.ENTITY_KEY.name() + "|" + key);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Object event = serialization.deserialize(rs.getBytes(4), rs.getInt(5), rs.getString(6)).get();
          if (event instanceof ResourceEntity.Event e) {
            out.add(new Entry(rs.getLong(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), e));
          }
        }
      }
    }
    return out;
  }
}
