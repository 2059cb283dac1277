package io.troupe.control.controller.nodeipam;

import io.troupe.persistence.model.Ipv4Cidr;
import java.util.BitSet;
import java.util.Optional;

/**
 * The pod CIDRs of the cluster range, as Kubernetes' cidrset: the range cut into subnets of the node mask size, one
 * bit each. A new CIDR is the next free one after the last handed out (wrapping), so a CIDR freed by a deleted Node
 * is not the next one given. A CIDR a Node brought itself (configured on its agent) may be of any size: every subnet
 * it overlaps is marked. Owned by one actor; not thread-safe.
 */
public final class CidrSet {
  private final Ipv4Cidr cluster;
  private final int maskSize;
  private final int count;
  private final BitSet used = new BitSet();
  private int nextCandidate;

  public CidrSet(Ipv4Cidr cluster, int maskSize) {
    this.cluster = cluster;
    this.maskSize = maskSize;
    long subnets = cluster.subnetCount(maskSize);
    if (subnets > 1 << 24) throw new IllegalArgumentException("too many /" + maskSize + " subnets in " + cluster);
    this.count = (int) subnets;
  }

  /** The next free subnet, marked used; empty when every one is. */
  public Optional<Ipv4Cidr> allocateNext() {
    int i = used.nextClearBit(nextCandidate);
    if (i >= count) i = used.nextClearBit(0);
    if (i >= count) return Optional.empty();
    used.set(i);
    nextCandidate = (i + 1) % count;
    return Optional.of(cluster.subnet(maskSize, i));
  }

  /** Marks every subnet {@code cidr} overlaps (nothing when it lies outside the cluster range). */
  public void occupy(Ipv4Cidr cidr) {
    int[] range = indexes(cidr);
    if (range != null) used.set(range[0], range[1]);
  }

  public void release(Ipv4Cidr cidr) {
    int[] range = indexes(cidr);
    if (range != null) used.clear(range[0], range[1]);
  }

  public boolean isUsed(Ipv4Cidr cidr) {
    int[] range = indexes(cidr);
    return range != null && used.get(range[0], range[1]).cardinality() == range[1] - range[0];
  }

  public int usedCount() {
    return used.cardinality();
  }

  /** The subnet indexes {@code cidr} overlaps, [from, to); null when none. */
  private int[] indexes(Ipv4Cidr cidr) {
    if (!cluster.overlaps(cidr)) return null;
    long base = Integer.toUnsignedLong(cluster.network());
    long first = Math.max(Integer.toUnsignedLong(cidr.network()), base);
    long last = Math.min(Integer.toUnsignedLong(cidr.network()) + cidr.size(), base + cluster.size()) - 1;
    int shift = 32 - maskSize;
    return new int[] {(int) ((first - base) >> shift), (int) ((last - base) >> shift) + 1};
  }
}
