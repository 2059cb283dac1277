package io.troupe.persistence.encryption;

import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Encryption at rest of the Secrets in the journal, one per actor system: its keys are read (or the key file made)
 * at the first use, which {@link io.troupe.persistence.store.Store#start} makes at start, so a bad key or key file
 * stops the JVM there. Which values are encrypted is the journal serializer's business
 * ({@link EncryptedJournalSerializer}).
 */
public final class SecretEncryption implements Extension {
  public static final Id ID = new Id();
  private static final String SECRETS = ResourceEntity.ENTITY_KEY.name() + "|Secret/%";
  private static final String EVENTS = "SELECT \"persistence_id\", \"sequence_number\", \"event_payload\", "
      + "\"event_ser_manifest\" FROM \"event_journal\" WHERE \"persistence_id\" LIKE ? AND \"event_ser_id\" = ?";
  private static final String SNAPSHOTS = "SELECT \"persistence_id\", \"sequence_number\", \"snapshot_payload\", "
      + "\"snapshot_ser_manifest\" FROM \"snapshot\" WHERE \"persistence_id\" LIKE ? AND \"snapshot_ser_id\" = ?";

  private final AesGcmTransformer transformer;

  private SecretEncryption(ActorSystem system) {
    this.transformer = new AesGcmTransformer(EncryptionKeys.of(system.settings().config()));
  }

  public static SecretEncryption get(ActorSystem system) {
    return ID.get(system);
  }

  public static SecretEncryption get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
  }

  public AesGcmTransformer transformer() {
    return transformer;
  }

  /**
   * Checks that every encrypted Secret event and snapshot in the journal decrypts with the configured keys; throws
   * {@link IllegalStateException} naming what does not (and which key it needs), never its contents.
   */
  public void verify(JournalDatabase db) throws SQLException {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    try (Connection c = db.connect()) {
      for (String query : List.of(EVENTS, SNAPSHOTS)) {
        try (PreparedStatement s = c.prepareStatement(query)) {
          s.setString(1, SECRETS);
          s.setInt(2, EncryptedJournalSerializer.IDENTIFIER);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              byte[] payload = rs.getBytes(3);
              if (!AesGcmTransformer.isEncrypted(payload)) continue;
              checked++;
              try {
                transformer.decrypt(payload, rs.getString(4));
              } catch (AesGcmTransformer.UndecryptableException e) {
                if (failures.size() < 5) {
                  failures.add((query == EVENTS ? "event " : "snapshot ") + rs.getString(1) + " #" + rs.getLong(2)
                      + ": " + e.getMessage());
                } else if (failures.size() == 5) {
                  failures.add("...");
                }
              }
            }
          }
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("Secrets in the journal cannot be decrypted with the configured keys "
          + "(troupe.secrets.encryption: keys, or the key file): " + String.join("; ", failures));
    }
    if (checked > 0) {
      org.slf4j.LoggerFactory.getLogger(SecretEncryption.class).debug("{} encrypted Secret values in the journal "
          + "decrypt with keys {}", checked, transformer.keys().names());
    }
  }

  public static final class Id extends AbstractExtensionId<SecretEncryption> implements ExtensionIdProvider {
    @Override
    public SecretEncryption createExtension(ExtendedActorSystem system) {
      return new SecretEncryption(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
