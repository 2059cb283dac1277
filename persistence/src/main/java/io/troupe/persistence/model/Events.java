package io.troupe.persistence.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** core/v1 Events about an object, as Kubernetes' event recorder writes them. */
public final class Events {
  private Events() {}

  /**
   * A new Event (ready to create: uid and creationTimestamp set) named {@code <object>.<hex>}, the same name for
   * the same event again (see {@link #key}).
   *
   * @param type {@code Normal} or {@code Warning}
   * @param host the node the reporting component runs on, or null
   */
  public static KubeObject about(KubeObject involved, String type, String reason, String message, String component,
      String host) {
    String namespace = involved.metadata().namespace() == null ? "default" : involved.metadata().namespace();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode body = Json.object();
    ObjectNode ref = body.putObject("involvedObject");
    ref.put("kind", involved.kind());
    if (involved.metadata().namespace() != null) ref.put("namespace", involved.metadata().namespace());
    ref.put("name", involved.metadata().name());
    ref.put("uid", involved.metadata().uid());
    ref.put("apiVersion", involved.apiVersion());
    if (involved.metadata().resourceVersion() != null) {
      ref.put("resourceVersion", involved.metadata().resourceVersion());
    }
    body.put("reason", reason);
    body.put("message", message);
    body.put("type", type);
    ObjectNode source = body.putObject("source");
    source.put("component", component);
    if (host != null) source.put("host", host);
    body.put("firstTimestamp", now);
    body.put("lastTimestamp", now);
    body.put("count", 1);
    body.put("reportingComponent", component);
    if (host != null) body.put("reportingInstance", host);
    String name = involved.metadata().name() + "." + key(ref, type, reason, message, component, host);
    return new KubeObject("v1", "Event", ObjectMeta.named(namespace, name).withCreation(UUID.randomUUID().toString(),
        now), body);
  }

  /**
   * What makes two events the same one, as Kubernetes' EventCorrelator keys them (the involved object, the
   * source, type, reason and message): 16 hex digits of its SHA-256, the event's name after the object's. The
   * same event again finds its name taken and counts up instead ({@link io.troupe.persistence.store.EventRecorder}).
   */
  private static String key(ObjectNode involved, String type, String reason, String message, String component,
      String host) {
    // the reference's fields joined as they are, not its JSON: writing a copy of it was most of an event's cost
    StringBuilder joined = new StringBuilder(256);
    for (var field = involved.fields(); field.hasNext(); ) {
      var e = field.next();
      // each change of the object has its own resourceVersion; the event is the same
      if (e.getKey().equals("resourceVersion")) continue;
      joined.append(e.getKey()).append('=').append(e.getValue().asText()).append('\u0000');
    }
    joined.append(type).append('\u0000').append(reason).append('\u0000').append(message).append('\u0000')
        .append(component).append('\u0000').append(host);
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(joined.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(hash, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
