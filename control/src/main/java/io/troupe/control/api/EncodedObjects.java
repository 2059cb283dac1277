package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * The JSON of each object version the API sends, written once and reused by every get, list and watch event that
 * carries it, as kube-apiserver's watch cache keeps an object's serialization for all of its watchers (its
 * cachingObject). Before, a list of 1,000 ConfigMaps serialized every one again for each request (1.50 ms of the
 * server's CPU a list; 0.96 ms with the bytes kept, bench/results/session21) and 100 watchers serialized each change
 * 100 times.
 *
 * <p>Keyed by identity with weak keys (Caffeine's {@code weakKeys}): an entry lives at most as long as something
 * holds that object version (the watch cache, a response in flight), and a {@link KubeObject} is never mutated after
 * construction, so its bytes stay right. Only versions some client asked for are kept: nothing is written ahead.
 */
final class EncodedObjects {
  private static final byte[] EMPTY_ITEMS_END = "[]}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ITEMS_END = "]}".getBytes(StandardCharsets.UTF_8);

  /**
   * At most this much JSON is kept: held for every version that lives, it took 57 MiB more heap after a full GC with
   * 10,000 pods watched by the harness (bench/scale), and would grow with the cluster; the versions read least
   * recently and least often go first.
   */
  static final long MAX_BYTES = 64L << 20;

  private final Cache<KubeObject, byte[]> json = Caffeine.newBuilder().weakKeys()
      .maximumWeight(MAX_BYTES).weigher((KubeObject o, byte[] bytes) -> bytes.length).build();

  /**
   * The object's JSON, as {@link Json#bytes} writes it. Looked up first and put after a miss, not computed in the
   * map (Caffeine's {@code get} took a fifth of a list's CPU, JFR): two requests that miss the same version at once
   * both write it, and either's bytes do.
   */
  byte[] json(KubeObject object) {
    byte[] kept = json.getIfPresent(object);
    if (kept == null) {
      kept = Json.bytes(object);
      json.put(object, kept);
    }
    return kept;
  }

  /**
   * A list: {@code envelope} (kind, apiVersion, metadata) with {@code items} after them. The envelope is written by
   * Jackson with an empty items array, which the objects' kept JSON then fills: Jackson has no way to write bytes
   * that are already JSON as an array element (its raw values take chars or a String, encoded again every time).
   */
  ByteString list(ObjectNode envelope, List<KubeObject> items) {
    envelope.putArray("items");
    byte[] head = Json.bytes(envelope);
    int open = head.length - EMPTY_ITEMS_END.length;
    if (!endsWithEmptyItems(head, open)) {
      throw new IllegalStateException("a list's envelope did not end with its empty items: " + new String(head,
          StandardCharsets.UTF_8));
    }
    ByteStringBuilder b = ByteString.newBuilder();
    b.putBytes(head, 0, open + 1);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) b.putByte((byte) ',');
      b.putBytes(json(items.get(i)));
    }
    b.putBytes(ITEMS_END);
    return b.result();
  }

  /** A watch event, {@code {"type":…,"object":…}}; a BOOKMARK's object, made for one watcher, is not kept. */
  ByteString watchEvent(WatchEvent e) {
    byte[] object = e.type() == WatchEvent.Type.BOOKMARK ? Json.bytes(e.object()) : json(e.object());
    return ByteString.fromString("{\"type\":\"" + e.type().name() + "\",\"object\":")
        .concat(ByteString.fromArrayUnsafe(object))
        .concat(ByteString.fromString("}"));
  }

  private static boolean endsWithEmptyItems(byte[] head, int at) {
    if (at < 0) return false;
    for (int i = 0; i < EMPTY_ITEMS_END.length; i++) {
      if (head[at + i] != EMPTY_ITEMS_END[i]) return false;
    }
    return true;
  }
}
