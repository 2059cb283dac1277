package io.troupe.net.policy;

import java.util.Comparator;

/**
 * An IPv4 range of an {@code ipBlock} ({@code cidr} or an {@code except} entry), with its host bits cleared as
 * Kubernetes' parser does; and the order of addresses, so that a ruleset is written the same way each time.
 *
 * <p>Written by hand: a few lines of IPv4 arithmetic, which no library on the classpath offers without name
 * lookups ({@code InetAddress.getByName} resolves host names).
 */
record IpBlock(int network, int prefix) {

  /** Numeric order of dotted-quad addresses ({@code 10.0.0.9} before {@code 10.0.0.10}). */
  static final Comparator<String> ADDRESS_ORDER = Comparator.comparingLong(a -> Integer.toUnsignedLong(address(a)));

  IpBlock {
    network &= mask(prefix);
  }

  /** {@code a.b.c.d/n} (or a bare address, a /32); null for anything else, IPv6 included. */
  static IpBlock parse(String text) {
    if (text == null) return null;
    int slash = text.indexOf('/');
    try {
      int prefix = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1).trim());
      if (prefix < 0 || prefix > 32) return null;
      return new IpBlock(address(slash < 0 ? text : text.substring(0, slash)), prefix);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The address as an int; throws IllegalArgumentException unless it is a dotted quad of decimal numbers up to 255.
   * Scanned by hand rather than with {@code String.split}: it runs in every comparison of {@link #ADDRESS_ORDER}
   * (sorting every pod by IP), where the split's arrays and strings were a measured share of the CPU.
   */
  static int address(String text) {
    String t = text.trim();
    int value = 0;
    int parts = 0;
    int start = 0;
    while (true) {
      int dot = t.indexOf('.', start);
      int end = dot < 0 ? t.length() : dot;
      int length = end - start;
      if (length == 0 || length > 3 || ++parts > 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
      int part = 0;
      for (int i = start; i < end; i++) {
        int digit = Character.digit(t.charAt(i), 10);
        if (digit < 0) throw new IllegalArgumentException("not an IPv4 address: " + text);
        part = part * 10 + digit;
      }
      if (part > 255) throw new IllegalArgumentException("not an IPv4 address: " + text);
      value = value << 8 | part;
      if (dot < 0) break;
      start = dot + 1;
    }
    if (parts != 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
    return value;
  }

  /** Whether the address (as {@link #address(String)} reads it) is in this range. */
  boolean contains(int address) {
    return (address & mask(prefix)) == network;
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  @Override
  public String toString() {
    return (network >>> 24) + "." + (network >>> 16 & 255) + "." + (network >>> 8 & 255) + "." + (network & 255)
        + "/" + prefix;
  }
}
