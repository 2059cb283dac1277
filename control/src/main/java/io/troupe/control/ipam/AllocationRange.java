package io.troupe.control.ipam;

import io.troupe.persistence.model.Ipv4Cidr;

/**
 * What a {@link RangeAllocator} hands out, as bit positions of its bitmap: the addresses of a CIDR or the numbers of
 * a port range. Dynamic allocation picks as Kubernetes' allocators do: ClusterIPs and nodePorts at random, first
 * above a static band kept for values users ask for (kube-dns's 127.32.0.10 lies in it), then in the band; pod CIDRs
 * and load-balancer addresses in order.
 */
public sealed interface AllocationRange {

  /** How many values the range holds (bit positions 0..size-1). */
  int size();

  /** The value at a bit position. */
  String valueAt(int index);

  /** The bit position of a value; -1 when it is not a value of this range (or not a value at all). */
  int indexOf(String value);

  /** The range as users write it, for messages: {@code 127.32.0.0/16}, {@code 30000-32767}. */
  String describe();

  /** Values below this position are handed out dynamically only when the rest is full. */
  int staticBand();

  /** Whether dynamic allocation picks at random (else the lowest free position). */
  boolean random();

  /**
   * The addresses of a CIDR without its network and broadcast addresses, as Kubernetes' ipallocator (position 0 is
   * the first host address: 127.32.0.1 of 127.32.0.0/16).
   */
  record Addresses(Ipv4Cidr cidr, boolean random) implements AllocationRange {
    public Addresses {
      if (cidr.prefix() > 30) throw new IllegalArgumentException("a range of addresses needs /30 or wider: " + cidr);
      if (cidr.prefix() < 8) throw new IllegalArgumentException("a range of addresses must be /8 or narrower: " + cidr);
    }

    @Override
    public int size() {
      return (int) (cidr.size() - 2);
    }

    @Override
    public String valueAt(int index) {
      return cidr.address(index + 1L);
    }

    @Override
    public int indexOf(String value) {
      long offset = cidr.offsetOf(value);
      return offset < 1 || offset > size() ? -1 : (int) (offset - 1);
    }

    @Override
    public String describe() {
      return cidr.toString();
    }

    /** kube-apiserver's calculateRangeOffset: size/16, at least 16 and at most 256 (none below 16 addresses). */
    @Override
    public int staticBand() {
      return random ? band(size(), 16, 256, 16) : 0;
    }
  }

  /** The ports {@code first..last}, both included, as Kubernetes' portallocator. */
  record Ports(int first, int last) implements AllocationRange {
    public Ports {
      if (first < 1 || last > 65535 || first > last) {
        throw new IllegalArgumentException("not a port range: " + first + "-" + last);
      }
    }

    /** {@code 30000-32767}; a single port is a range of one. */
    public static Ports parse(String text) {
      String[] parts = text.trim().split("-", -1);
      try {
        if (parts.length == 1) return new Ports(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[0].trim()));
        if (parts.length == 2) return new Ports(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException("not a port range (first-last): " + text);
    }

    @Override
    public int size() {
      return last - first + 1;
    }

    @Override
    public String valueAt(int index) {
      return Integer.toString(first + index);
    }

    @Override
    public int indexOf(String value) {
      int port;
      try {
        port = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
      return port < first || port > last ? -1 : port - first;
    }

    @Override
    public String describe() {
      return first + "-" + last;
    }

    /** The portallocator's calculateRangeOffset: size/32, at least 16 and at most 128. */
    @Override
    public int staticBand() {
      return band(size(), 16, 128, 32);
    }

    @Override
    public boolean random() {
      return true;
    }
  }

  private static int band(int size, int min, int max, int step) {
    if (size < min) return 0;
    return Math.max(min, Math.min(max, size / step));
  }
}
