package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No log line shows a Secret's value, with every logger at DEBUG (Pekko's persistence logs each command's effect,
 * the event included, there): through writes, reads, a watch, history, a 422, a 400 and a 409 on Secrets, and a
 * restart.
 */
class SecretLoggingTest {
  private static final String SECRETS = "/api/v1/namespaces/default/secrets";
  private static final String VALUE = "tr0ub4dor-and-3-never-logged";

  /** A Secret in a log line or a message (its events and commands carry it) shows its keys, not their values. */
  @Test
  void aSecretPrintsWithoutItsContents() {
    KubeObject secret = KubeObject.fromTree(SecretEncryptionTest.secret("db", VALUE));
    String printed = new ResourceEntity.Created(secret, "someone").toString();
    assertTrue(printed.contains("name=db") && printed.contains("keys=[data.password]"), printed);
    assertFalse(printed.contains(VALUE) || printed.contains(Base64.getEncoder().encodeToString(
        VALUE.getBytes(StandardCharsets.UTF_8))), printed);
    assertTrue(KubeObject.fromTree(HttpApi.configMap("cm", VALUE)).toString().contains(VALUE),
        "other kinds print whole");
  }

  @Test
  void noLogLineShowsASecretsValue() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    String base64 = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));
    java.nio.file.Path dataDir = SecretEncryptionTest.dataDir();
    try {
      ControlPlane plane = TestControlPlane.start(dataDir, Map.of("pekko.loglevel", "DEBUG"));
      try {
        HttpApi api = new HttpApi(TestControlPlane.url(plane));
        try (HttpApi.Watch watch = api.watch(SECRETS + "?watch=true")) {
          assertEquals(201, api.post(SECRETS, SecretEncryptionTest.secret("db", VALUE)).code());
          assertEquals("ADDED", watch.nextChange(Duration.ofSeconds(30)).path("type").asText());
        }
        ObjectNode stale = (ObjectNode) api.get(SECRETS + "/db").json();
        assertEquals(200, api.mergePatch(SECRETS + "/db", "{\"stringData\":{\"other\":\"" + VALUE + "\"}}").code());
        // 409: a stale resourceVersion
        assertEquals(409, api.put(SECRETS + "/db", stale).code());
        // 422: data that is not base64 (the value itself)
        ObjectNode invalid = SecretEncryptionTest.secret("invalid", VALUE);
        ((ObjectNode) invalid.path("data")).put("raw", VALUE + "!");
        assertEquals(422, api.post(SECRETS, invalid).code());
        // 400: a body that is not JSON
        assertEquals(400, api.send("POST", SECRETS, HttpApi.JSON, "{\"kind\":\"Secret\",\"data\":{\"x\":\"" + VALUE
            + "\"").code());
        assertEquals(200, api.get("/apis/history.troupe.io/v1/namespaces/default/secrets/db").code());
        assertEquals(200, api.get(SECRETS).code());
      } finally {
        plane.close();
      }
      plane = TestControlPlane.start(dataDir, Map.of("pekko.loglevel", "DEBUG"));
      try {
        HttpApi api = new HttpApi(TestControlPlane.url(plane));
        assertEquals(200, api.mergePatch(SECRETS + "/db", "{\"stringData\":{\"third\":\"" + VALUE + "\"}}").code());
        assertEquals(200, api.delete(SECRETS + "/db").code());
      } finally {
        plane.close();
      }
    } finally {
      root.setLevel(level);
      root.detachAppender(appender);
    }

    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : appender.list) {
      String line = event.getLoggerName() + " " + event.getFormattedMessage();
      if (event.getThrowableProxy() != null) line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
      lines.add(line);
    }
    assertTrue(lines.size() > 100, "DEBUG logging was on: " + lines.size() + " lines");
    assertTrue(lines.stream().anyMatch(l -> l.contains("Resource|Secret/default/db")),
        "the Secret's entity logged its journal writes");
    for (String line : lines) {
      assertFalse(line.contains(VALUE) || line.contains(base64), "a log line shows the Secret: " + line);
    }
  }
}
