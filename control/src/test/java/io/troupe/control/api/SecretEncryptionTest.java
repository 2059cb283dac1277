package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.encryption.EncryptionKeys;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.JournalDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.Test;

/**
 * Secrets are encrypted at rest: the journal's rows (events and snapshots, read here with plain SQL) never hold a
 * Secret's value, in plaintext or base64, while the API, watches and history show it; a restart recovers it (the
 * entities and the watch cache), Secrets written before encryption still read, keys rotate, and a wrong or missing
 * key stops the start with a message that names the key.
 */
class SecretEncryptionTest {
  private static final String SECRETS = "/api/v1/namespaces/default/secrets";
  private static final String VALUE = "correct-horse-battery-staple-7731";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static ObjectNode secret(String name, String value) {
    ObjectNode secret = Json.object();
    secret.put("apiVersion", "v1");
    secret.put("kind", "Secret");
    ObjectNode metadata = secret.putObject("metadata").put("name", name);
    // kubectl apply keeps the whole object, data included, in this annotation: it must not be readable either
    metadata.putObject("annotations").put("kubectl.kubernetes.io/last-applied-configuration",
        "{\"data\":{\"password\":\"" + base64(value) + "\"},\"note\":\"" + value + "\"}");
    secret.putObject("data").put("password", base64(value));
    return secret;
  }

  /** A journal row of an object: an event or a snapshot, its payload as stored. */
  record Row(String table, long sequenceNr, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.ISO_8859_1);
    }

    boolean encrypted() {
      return text().startsWith("k8s:enc:aesgcm:v1:");
    }

    String keyName() {
      String rest = text().substring("k8s:enc:aesgcm:v1:".length());
      return rest.substring(0, rest.indexOf(':'));
    }

    boolean holds(String value) {
      return contains(payload, value.getBytes(StandardCharsets.UTF_8))
          || contains(payload, base64(value).getBytes(StandardCharsets.UTF_8));
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  /** Every row of the object with this store key in the journal's tables, read with plain SQL. */
  static List<Row> rows(ControlPlane plane, String key) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Connection c = JournalDatabase.of(plane.system().settings().config()).connect()) {
      for (String[] table : new String[][] {{"event_journal", "event_payload"}, {"snapshot", "snapshot_payload"}}) {
        try (PreparedStatement s = c.prepareStatement("SELECT \"sequence_number\", \"" + table[1] + "\" FROM \""
            + table[0] + "\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
          s.setString(1, "Resource|" + key);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) rows.add(new Row(table[0], rs.getLong(1), rs.getBytes(2)));
          }
        }
      }
    }
    return rows;
  }

  static Path dataDir() throws Exception {
    return Files.createTempDirectory("troupe-secrets");
  }

  static ControlPlane start(Path dataDir) {
    return TestControlPlane.start(dataDir, Map.of());
  }

  static ControlPlane start(Path dataDir, List<String> keyLines) {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (String line : keyLines) {
      String[] parts = line.trim().split(" ");
      keys.add(Map.of("name", parts[0], "secret", parts[1]));
    }
    return TestControlPlane.start(dataDir, Map.of("troupe.secrets.encryption.keys", keys));
  }

  @Test
  void theJournalHoldsNoSecretValueWhileTheApiWatchesAndHistoryShowItAndARestartRecoversIt() throws Exception {
    Path dataDir = dataDir();
    ControlPlane plane = start(dataDir);
    String resourceVersion;
    try {
      HttpApi api = new HttpApi(TestControlPlane.url(plane));
      try (HttpApi.Watch watch = api.watch(SECRETS + "?watch=true&fieldSelector=metadata.name%3Ddb")) {
        assertEquals(201, api.post(SECRETS, secret("db", VALUE)).code());
        JsonNode added = watch.nextChange(WAIT);
        assertEquals("ADDED", added.path("type").asText(), added::toString);
        assertEquals(base64(VALUE), added.path("object").path("data").path("password").asText());
      }
      // enough writes for a snapshot (every 100 events)
      for (int i = 0; i < 100; i++) {
        HttpApi.Answer patched = api.mergePatch(SECRETS + "/db", "{\"stringData\":{\"n\":\"" + i + "\"}}");
        assertEquals(200, patched.code(), patched::body);
      }
      JsonNode got = api.get(SECRETS + "/db").json();
      assertEquals(base64(VALUE), got.path("data").path("password").asText(), got::toString);
      assertEquals(base64("99"), got.path("data").path("n").asText());
      assertTrue(got.path("metadata").path("annotations").toString().contains(VALUE));
      JsonNode list = api.get(SECRETS).json();
      assertEquals(base64(VALUE), list.path("items").get(0).path("data").path("password").asText());
      JsonNode history = api.get("/apis/history.troupe.io/v1/namespaces/default/secrets/db").json();
      assertEquals(101, history.path("entries").size(), history::toString);
      assertTrue(history.path("entries").get(0).toString().contains(base64(VALUE)), "history is decrypted");

      // the same value in a ConfigMap is stored as it is: the search below would find it
      assertEquals(201, api.post("/api/v1/namespaces/default/configmaps", HttpApi.configMap("plain", VALUE)).code());
      assertTrue(rows(plane, "ConfigMap/default/plain").get(0).holds(VALUE));

      List<Row> rows = rows(plane, "Secret/default/db");
      assertEquals(101, rows.stream().filter(r -> r.table().equals("event_journal")).count());
      assertTrue(rows.stream().anyMatch(r -> r.table().equals("snapshot")), "a snapshot of the Secret: " + rows);
      String keyName = null;
      for (Row row : rows) {
        assertTrue(row.encrypted(), row.table() + " #" + row.sequenceNr() + " is encrypted");
        assertFalse(row.holds(VALUE), row.table() + " #" + row.sequenceNr() + " shows the value");
        assertFalse(row.text().contains("password"), "not even the key's name is readable");
        keyName = row.keyName();
      }
      Path keyFile = dataDir.resolve("pki/secrets.key");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      assertTrue(Files.readString(keyFile).contains(keyName + " "), "the rows name the key of the key file");
      resourceVersion = got.path("metadata").path("resourceVersion").asText();
    } finally {
      plane.close();
    }

    // a restart: the watch cache reads the journal again, the entity recovers from its snapshot and events
    plane = start(dataDir);
    try {
      HttpApi api = new HttpApi(TestControlPlane.url(plane));
      ObjectNode got = (ObjectNode) api.get(SECRETS + "/db").json();
      assertEquals(base64(VALUE), got.path("data").path("password").asText(), got::toString);
      assertEquals(resourceVersion, got.path("metadata").path("resourceVersion").asText());
      got.putObject("stringData").put("more", "x");
      HttpApi.Answer put = api.put(SECRETS + "/db", got); // conditional: the entity is at the same revision
      assertEquals(200, put.code(), put::body);
      assertEquals(base64(VALUE), put.json().path("data").path("password").asText());
    } finally {
      plane.close();
    }

    // another key in the key file (the old one lost): the start stops and says which key the journal needs
    Path keyFile = dataDir.resolve("pki/secrets.key");
    String oldKey = Files.readString(keyFile).lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
    Files.writeString(keyFile, EncryptionKeys.newKeyLine());
    IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> start(dataDir));
    assertTrue(messages(wrong).contains("encrypted with key \"" + oldKey.split(" ")[0] + "\""), messages(wrong));
    assertFalse(messages(wrong).contains(VALUE));
    // the key file gone: a new key is made, which cannot read the journal either
    Files.delete(keyFile);
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> start(dataDir));
    assertTrue(messages(missing).contains("cannot be decrypted"), messages(missing));
    // the same name with other key material: the tag does not match
    Files.writeString(keyFile, oldKey.split(" ")[0] + " " + EncryptionKeys.newKeyLine().split(" ")[1]);
    IllegalStateException altered = assertThrows(IllegalStateException.class, () -> start(dataDir));
    assertTrue(messages(altered).contains("does not decrypt with the key of that name"), messages(altered));
    // a key file that is not one
    Files.writeString(keyFile, "not a key\n");
    IllegalStateException malformed = assertThrows(IllegalStateException.class, () -> start(dataDir));
    assertTrue(messages(malformed).contains("secrets.key"), messages(malformed));

    Files.writeString(keyFile, oldKey + "\n");
    plane = start(dataDir);
    try {
      JsonNode got = new HttpApi(TestControlPlane.url(plane)).get(SECRETS + "/db").json();
      assertEquals(base64("x"), got.path("data").path("more").asText(), got::toString);
    } finally {
      plane.close();
    }
  }

  @Test
  void aSecretWrittenInPlaintextBeforeStillReadsAndItsNextWriteIsEncrypted() throws Exception {
    Path dataDir = dataDir();
    ControlPlane plane = start(dataDir);
    try {
      HttpApi api = new HttpApi(TestControlPlane.url(plane));
      ObjectNode tree = secret("legacy", VALUE);
      ((ObjectNode) tree.path("metadata")).put("namespace", "default");
      KubeObject legacy = KubeObject.fromTree(tree);
      legacy = legacy.withMetadata(legacy.metadata().withCreation(java.util.UUID.randomUUID().toString(),
          "2026-01-01T00:00:00Z"));
      // a row as Pekko's Jackson serializer wrote every event before Secrets were encrypted
      JacksonJsonSerializer jackson = new JacksonJsonSerializer(
          (ExtendedActorSystem) Adapter.toClassic(plane.system()), "jackson-json");
      ResourceEntity.Event event = new ResourceEntity.Created(legacy, "before");
      try (HttpApi.Watch watch = api.watch(SECRETS + "?watch=true&fieldSelector=metadata.name%3Dlegacy");
          Connection c = JournalDatabase.of(plane.system().settings().config()).connect();
          PreparedStatement s = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", "
              + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", "
              + "\"event_ser_id\", \"event_ser_manifest\") VALUES (?, 1, 'before', ?, '', ?, ?, ?)")) {
        s.setString(1, "Resource|Secret/default/legacy");
        s.setLong(2, System.currentTimeMillis());
        s.setBytes(3, jackson.toBinary(event));
        s.setInt(4, jackson.identifier());
        s.setString(5, jackson.manifest(event));
        s.executeUpdate();
        // the watch cache's feed reads the row (it was not told of this write: on its next idle poll)
        JsonNode added = watch.nextChange(WAIT);
        assertEquals("ADDED", added.path("type").asText(), added::toString);
        assertEquals(base64(VALUE), added.path("object").path("data").path("password").asText());
      }
      JsonNode listed = api.get(SECRETS + "?fieldSelector=metadata.name%3Dlegacy").json().path("items").path(0);
      assertEquals(base64(VALUE), listed.path("data").path("password").asText(), listed::toString);
      List<Row> before = rows(plane, "Secret/default/legacy");
      assertTrue(before.get(0).holds(VALUE) && !before.get(0).encrypted(), "the old row is plaintext");

      ObjectNode got = (ObjectNode) api.get(SECRETS + "/legacy").json();
      got.putObject("stringData").put("rotated", "yes");
      HttpApi.Answer put = api.put(SECRETS + "/legacy", got); // the entity recovers from the plaintext event
      assertEquals(200, put.code(), put::body);
      assertEquals(base64(VALUE), put.json().path("data").path("password").asText());
      List<Row> after = rows(plane, "Secret/default/legacy");
      assertEquals(2, after.size(), after::toString);
      assertTrue(after.get(1).encrypted() && !after.get(1).holds(VALUE), "the new write is encrypted");
    } finally {
      plane.close();
    }
    plane = start(dataDir);
    try {
      JsonNode got = new HttpApi(TestControlPlane.url(plane)).get(SECRETS + "/legacy").json();
      assertEquals(base64(VALUE), got.path("data").path("password").asText(), got::toString);
      assertEquals(base64("yes"), got.path("data").path("rotated").asText());
    } finally {
      plane.close();
    }
  }

  @Test
  void keysRotateTheFirstEncryptsAllDecrypt() throws Exception {
    Path dataDir = dataDir();
    String oldKey = EncryptionKeys.newKeyLine().trim();
    String newKey = EncryptionKeys.newKeyLine().trim();
    ControlPlane plane = start(dataDir, List.of(oldKey));
    try {
      assertEquals(201, new HttpApi(TestControlPlane.url(plane)).post(SECRETS, secret("before", VALUE)).code());
    } finally {
      plane.close();
    }
    assertFalse(Files.exists(dataDir.resolve("pki/secrets.key")), "keys from the configuration: no key file");

    plane = start(dataDir, List.of(newKey, oldKey));
    try {
      HttpApi api = new HttpApi(TestControlPlane.url(plane));
      assertEquals(base64(VALUE), api.get(SECRETS + "/before").json().path("data").path("password").asText());
      assertEquals(201, api.post(SECRETS, secret("after", VALUE)).code());
      assertEquals(name(oldKey), rows(plane, "Secret/default/before").get(0).keyName());
      assertEquals(name(newKey), rows(plane, "Secret/default/after").get(0).keyName());
      // rewriting the old Secret encrypts it with the new key
      ObjectNode before = (ObjectNode) api.get(SECRETS + "/before").json();
      before.putObject("stringData").put("touched", "1");
      assertEquals(200, api.put(SECRETS + "/before", before).code());
      assertEquals(name(newKey), rows(plane, "Secret/default/before").get(1).keyName());
    } finally {
      plane.close();
    }

    // the old key removed while an event of it is still kept: refused at start, naming it
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> start(dataDir, List.of(newKey)));
    assertTrue(messages(refused).contains("encrypted with key \"" + name(oldKey) + "\", which is not among"),
        messages(refused));
  }

  private static String name(String keyLine) {
    return keyLine.split(" ")[0];
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) out.append(c.getMessage()).append(" | ");
    assertNotNull(t);
    return out.toString();
  }
}
