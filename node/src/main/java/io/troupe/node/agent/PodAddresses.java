package io.troupe.node.agent;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The pod IPs of one node, from its pod CIDR (IPv4): the network address and the first host address (a
 * gateway, by convention) are never handed out. Owned by one node agent actor; not thread-safe.
 *
 * <p>Written by hand: IPv4 arithmetic on one range is a few lines, and no library on the classpath does it.
 */
public final class PodAddresses {
  private final int network;
  private final int size;
  private final TreeSet<Integer> free = new TreeSet<>();
  private final Map<String, Integer> byPod = new HashMap<>();
  private int next;

  public PodAddresses(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("pod CIDR must be address/prefix, got " + cidr);
    int prefix = Integer.parseInt(cidr.substring(slash + 1));
    if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("pod CIDR prefix must be 8..30, got " + cidr);
    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
    this.network = toInt(cidr.substring(0, slash)) & mask;
    this.size = 1 << (32 - prefix);
    this.next = 2;
  }

  /** The address of {@code podUid}: the one it holds, else a free one; empty when the range is used up. */
  public Optional<String> allocate(String podUid) {
    Integer held = byPod.get(podUid);
    if (held != null) return Optional.of(toText(network + held));
    Integer offset = free.pollFirst();
    if (offset == null) {
      if (next >= size - 1) return Optional.empty();
      offset = next++;
    }
    byPod.put(podUid, offset);
    return Optional.of(toText(network + offset));
  }

  /** Records an address a pod already has (found in its status after a restart). False if not in range or taken. */
  public boolean reserve(String podUid, String address) {
    int offset = toInt(address) - network;
    if (offset < 2 || offset >= size - 1 || byPod.containsValue(offset)) return false;
    byPod.put(podUid, offset);
    free.remove(offset);
    while (next <= offset) {
      if (next != offset && !byPod.containsValue(next)) free.add(next);
      next++;
    }
    return true;
  }

  public void release(String podUid) {
    Integer offset = byPod.remove(podUid);
    if (offset != null) free.add(offset);
  }

  public int inUse() {
    return byPod.size();
  }

  static int toInt(String address) {
    String[] parts = address.trim().split("\\.");
    if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + address);
    int value = 0;
    for (String p : parts) {
      int octet = Integer.parseInt(p);
      if (octet < 0 || octet > 255) throw new IllegalArgumentException("not an IPv4 address: " + address);
      value = value << 8 | octet;
    }
    return value;
  }

  static String toText(int value) {
    return (value >>> 24) + "." + (value >>> 16 & 255) + "." + (value >>> 8 & 255) + "." + (value & 255);
  }
}
