package io.troupe.node.agent;

import io.troupe.persistence.model.Ipv4Cidr;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The pod IPs of one node, from its pod CIDR (IPv4), as the host-local IPAM plugin of a kubenet node hands them
 * out: the network address, the first host address (the bridge's, by convention) and the broadcast address are
 * never given to a pod. Owned by one node agent actor; not thread-safe.
 *
 * <p>What survives a restart of the agent is what the pods' statuses show: the agent {@link #reserve}s those
 * first, then allocates for the pods without one.
 */
public final class PodAddresses {
  /** Offsets below this are the network and the gateway addresses. */
  private static final long FIRST = 2;

  private final Ipv4Cidr cidr;
  private final TreeSet<Long> free = new TreeSet<>();
  private final Map<String, Long> byPod = new HashMap<>();
  private final Map<Long, String> byOffset = new HashMap<>();
  /** Every offset below it has been handed out or is in {@link #free}. */
  private long next = FIRST;

  public PodAddresses(String cidr) {
    this.cidr = Ipv4Cidr.parse(cidr);
    if (this.cidr.prefix() < 8 || this.cidr.prefix() > 30) {
      throw new IllegalArgumentException("pod CIDR prefix must be 8..30, got " + cidr);
    }
  }

  public String cidr() {
    return cidr.toString();
  }

  /** The address of {@code podUid}: the one it holds, else a free one; empty when the range is used up. */
  public Optional<String> allocate(String podUid) {
    Long held = byPod.get(podUid);
    if (held != null) return Optional.of(cidr.address(held));
    Long offset = free.pollFirst();
    if (offset == null) {
      if (next >= cidr.size() - 1) return Optional.empty();
      offset = next++;
    }
    hold(podUid, offset);
    return Optional.of(cidr.address(offset));
  }

  /**
   * Records an address a pod already has (found in its status after a restart). True when the pod holds it now;
   * false when it is not a pod address of this range or another pod holds it.
   */
  public boolean reserve(String podUid, String address) {
    long offset = cidr.offsetOf(address);
    if (offset < FIRST || offset >= cidr.size() - 1) return false;
    String holder = byOffset.get(offset);
    if (holder != null) return holder.equals(podUid);
    Long before = byPod.get(podUid);
    if (before != null) release(podUid);
    free.remove(offset);
    for (; next <= offset; next++) {
      if (next != offset && !byOffset.containsKey(next)) free.add(next);
    }
    hold(podUid, offset);
    return true;
  }

  public void release(String podUid) {
    Long offset = byPod.remove(podUid);
    if (offset == null) return;
    byOffset.remove(offset);
    free.add(offset);
  }

  public int inUse() {
    return byPod.size();
  }

  private void hold(String podUid, long offset) {
    byPod.put(podUid, offset);
    byOffset.put(offset, podUid);
  }
}
