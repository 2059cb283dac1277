package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The distinct InternalIPs of the Ready Nodes, in address order, kept from the Node watch's events: each event
 * costs the addresses of one Node, not a pass over every Node (at 5,000 nodes heartbeating, that pass on each
 * reconcile was a tenth of the server's CPU). Not thread-safe: owned by one actor.
 */
final class ReadyNodeAddresses {
  /** IPv4 addresses by their numbers (127.0.0.9 before 127.0.0.10), anything else after them as text. */
  static final Comparator<String> ADDRESS_ORDER = Comparator.comparing(ReadyNodeAddresses::ipv4Number)
      .thenComparing(Comparator.naturalOrder());

  /** The addresses each Ready Node contributes, by Node key (Nodes that contribute none are absent). */
  private final Map<String, List<String>> byNode = new HashMap<>();
  /** How many Ready Nodes have each address (several JVMs of one host share theirs). */
  private final TreeMap<String, Integer> counts = new TreeMap<>(ADDRESS_ORDER);
  private List<String> addresses = List.of();
  /** Whether an address came or went since the list above was made. */
  private boolean changed;

  /**
   * Applies an event the Node informer has applied (its current view is {@code nodes}): a BOOKMARK that completes a
   * (re)started watch's list reads them all again. True when the distinct addresses changed.
   */
  boolean apply(WatchEvent event, Iterable<KubeObject> nodes) {
    if (event.type() == WatchEvent.Type.BOOKMARK) {
      byNode.clear();
      counts.clear();
      changed = true;
      for (KubeObject node : nodes) put(node.key(), of(node));
    } else if (event.type() == WatchEvent.Type.DELETED) {
      put(event.object().key(), List.of());
    } else {
      put(event.object().key(), of(event.object()));
    }
    if (!changed) return false;
    changed = false;
    List<String> now = List.copyOf(counts.keySet());
    if (now.equals(addresses)) return false;
    addresses = now;
    return true;
  }

  /** The distinct InternalIPs of the Ready Nodes, in address order. */
  List<String> addresses() {
    return addresses;
  }

  private void put(String key, List<String> now) {
    List<String> before = now.isEmpty() ? byNode.remove(key) : byNode.put(key, now);
    if (now.equals(before)) return; // a heartbeat: the same addresses
    // the new ones counted before the old ones are uncounted, so that an address the Node keeps never drops to 0
    for (String a : now) {
      if (counts.merge(a, 1, Integer::sum) == 1) changed = true;
    }
    if (before != null) {
      for (String a : before) {
        if (counts.computeIfPresent(a, (k, n) -> n == 1 ? null : n - 1) == null) changed = true;
      }
    }
  }

  /** The distinct InternalIPs of one Node, none unless it is Ready. */
  static List<String> of(KubeObject node) {
    JsonNode status = node.status();
    if (status == null || !ready(status)) return List.of();
    List<String> out = new ArrayList<>(1);
    for (JsonNode a : status.path("addresses")) {
      String address = a.path("address").asText("");
      if ("InternalIP".equals(a.path("type").asText()) && !address.isEmpty() && !out.contains(address)) {
        out.add(address);
      }
    }
    return out.isEmpty() ? List.of() : List.copyOf(out);
  }

  private static boolean ready(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
    }
    return false;
  }

  private static long ipv4Number(String address) {
    String[] parts = address.split("\\.");
    if (parts.length != 4) return Long.MAX_VALUE;
    long n = 0;
    for (String p : parts) {
      try {
        int v = Integer.parseInt(p);
        if (v < 0 || v > 255) return Long.MAX_VALUE;
        n = n * 256 + v;
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }
}
