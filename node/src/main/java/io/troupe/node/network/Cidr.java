package io.troupe.node.network;

/**
 * An IPv4 range in CIDR notation, with its host bits cleared.
 *
 * <p>Written by hand: a few lines of IPv4 arithmetic, which no library on the node's classpath offers without name
 * lookups ({@code InetAddress.getByName} resolves host names).
 *
 * @param network the first address as an unsigned 32-bit number in an int
 */
public record Cidr(int network, int prefix) {
  private static final Cidr LOOPBACK = new Cidr(0x7f000000, 8);

  public Cidr {
    if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("a CIDR prefix is 0..32, got " + prefix);
    network &= mask(prefix);
  }

  /** {@code a.b.c.d/n}; {@link IllegalArgumentException} with a message otherwise. */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("not a CIDR (address/prefix): " + text);
    try {
      return new Cidr(address(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR (address/prefix): " + text);
    }
  }

  /** A dotted-quad address as an unsigned 32-bit number in an int. */
  public static int address(String text) {
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
    int value = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + text);
      }
      value = value << 8 | Integer.parseInt(p);
    }
    return value;
  }

  public static String text(int address) {
    return (address >>> 24) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "." + (address & 255);
  }

  /** The address {@code offset} places after the network address: 1 is the first host address (the gateway). */
  public String host(int offset) {
    return text(network + offset);
  }

  public boolean contains(String address) {
    return (address(address) & mask(prefix)) == network;
  }

  public boolean contains(Cidr other) {
    return other.prefix >= prefix && (other.network & mask(prefix)) == network;
  }

  /** Whether any of it is in 127.0.0.0/8, which never leaves a network namespace. */
  public boolean overlapsLoopback() {
    return contains(LOOPBACK) || LOOPBACK.contains(this);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  @Override
  public String toString() {
    return text(network) + "/" + prefix;
  }
}
