package io.troupe.persistence.model;

/**
 * An IPv4 range in CIDR notation ({@code 127.32.0.0/16}): the ranges of {@code troupe.net} (cluster, service,
 * load-balancer pool) and a node's {@code spec.podCIDR}. The network is kept with its host bits cleared, as Go's
 * {@code net.ParseCIDR} does.
 *
 * <p>Written by hand: IPv4 arithmetic is a few lines, and no library on the classpath does it without name
 * lookups ({@code InetAddress.getByName} resolves host names).
 *
 * @param network the first address, as an unsigned 32-bit number in an int
 * @param prefix the prefix length, 0..32
 */
public record Ipv4Cidr(int network, int prefix) {

  public Ipv4Cidr {
    if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix must be 0..32, got " + prefix);
    network &= mask(prefix);
  }

  /** Parses {@code a.b.c.d/n}; throws {@link IllegalArgumentException} with a message for anything else. */
  public static Ipv4Cidr parse(String text) {
    if (text == null) throw new IllegalArgumentException("not a CIDR: null");
    int slash = text.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("not a CIDR (address/prefix): " + text);
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR (address/prefix): " + text);
    }
    if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("CIDR prefix must be 0..32: " + text);
    return new Ipv4Cidr(parseAddress(text.substring(0, slash)), prefix);
  }

  /** Whether {@code text} is a dotted-quad IPv4 address. */
  public static boolean isAddress(String text) {
    try {
      parseAddress(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A dotted-quad address as an unsigned 32-bit number in an int; {@link IllegalArgumentException} otherwise. */
  public static int parseAddress(String text) {
    if (text == null) throw new IllegalArgumentException("not an IPv4 address: null");
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
    int value = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("not an IPv4 address: " + text);
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) throw new IllegalArgumentException("not an IPv4 address: " + text);
      value = value << 8 | octet;
    }
    return value;
  }

  public static String formatAddress(int value) {
    return (value >>> 24) + "." + (value >>> 16 & 255) + "." + (value >>> 8 & 255) + "." + (value & 255);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  /** How many addresses the range spans (network and broadcast included). */
  public long size() {
    return 1L << (32 - prefix);
  }

  public boolean contains(int address) {
    return (address & mask(prefix)) == network;
  }

  /** Whether {@code address} is an IPv4 address inside the range (false for anything unparseable). */
  public boolean contains(String address) {
    try {
      return contains(parseAddress(address));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether every address of {@code other} is in this range. */
  public boolean contains(Ipv4Cidr other) {
    return other.prefix >= prefix && contains(other.network);
  }

  /** Whether the two ranges share an address. */
  public boolean overlaps(Ipv4Cidr other) {
    return contains(other.network) || other.contains(network);
  }

  /** The address {@code n} places after the network address (0: the network address itself). */
  public String address(long n) {
    if (n < 0 || n >= size()) throw new IllegalArgumentException("address " + n + " is outside " + this);
    return formatAddress((int) (network + n));
  }

  /** Where {@code address} sits in the range (0 for the network address); -1 when it is not in it. */
  public long offsetOf(String address) {
    int value;
    try {
      value = parseAddress(address);
    } catch (IllegalArgumentException e) {
      return -1;
    }
    return contains(value) ? Integer.toUnsignedLong(value) - Integer.toUnsignedLong(network) : -1;
  }

  /** How many ranges of {@code subnetPrefix} this one holds (a /10 holds 16384 /24s). */
  public long subnetCount(int subnetPrefix) {
    if (subnetPrefix < prefix || subnetPrefix > 32) {
      throw new IllegalArgumentException("a /" + subnetPrefix + " does not fit in " + this);
    }
    return 1L << (subnetPrefix - prefix);
  }

  /** The {@code index}-th range of {@code subnetPrefix} in this one, in address order. */
  public Ipv4Cidr subnet(int subnetPrefix, long index) {
    if (index < 0 || index >= subnetCount(subnetPrefix)) {
      throw new IllegalArgumentException("subnet " + index + " of /" + subnetPrefix + " is outside " + this);
    }
    return new Ipv4Cidr((int) (network + (index << (32 - subnetPrefix))), subnetPrefix);
  }

  @Override
  public String toString() {
    return formatAddress(network) + "/" + prefix;
  }
}
