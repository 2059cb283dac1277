package io.troupe.persistence.journal;

import io.troupe.persistence.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The same compaction on PostgreSQL, the journal of a cluster (its feed passes the holes with one barrier). */
class PostgresJournalCompactionTest extends JournalCompactionTest {
  TestPostgres db;

  @Override
  Map<String, Object> database() {
    if (db == null) db = TestPostgres.create();
    return db.journal();
  }

  @Override
  @AfterEach
  void stop() {
    super.stop();
    if (db != null) db.close();
  }
}
