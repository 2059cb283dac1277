package io.troupe.node.network;

import com.typesafe.config.Config;
import io.troupe.persistence.model.Ipv4Cidr;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How the pods of one node reach the network, from {@code troupe.net} and {@code troupe.node.bridge}.
 *
 * @param mode {@code loopback}: pods share the host's network namespace, each on its own 127.x address;
 *     {@code bridge}: each pod has a network namespace and a veth pair on the node's Linux bridge (needs root)
 * @param bridgeName the node's bridge (bridge mode)
 * @param clusterCidr the range of every node's pod CIDR: traffic from it to elsewhere is masqueraded (bridge mode)
 * @param serviceCidr the ClusterIPs: routed to the host itself (bridge mode), where the service proxy listens
 */
public record PodNetworkSettings(Mode mode, String bridgeName, Ipv4Cidr clusterCidr, Ipv4Cidr serviceCidr) {
  private static final Ipv4Cidr LOOPBACK = Ipv4Cidr.parse("127.0.0.0/8");

  /** Whether any of {@code cidr} is in 127.0.0.0/8, which never leaves a network namespace. */
  public static boolean isLoopback(Ipv4Cidr cidr) {
    return cidr.overlaps(LOOPBACK);
  }


  public enum Mode {
    LOOPBACK, BRIDGE;

    public static Mode parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("troupe.net.mode must be loopback or bridge, not " + value);
      }
    }
  }

  /** Linux keeps interface names under 16 bytes (IFNAMSIZ, with the terminating NUL). */
  static final int MAX_INTERFACE_NAME = 15;

  public PodNetworkSettings {
    if (!bridgeName.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")) {
      throw new IllegalArgumentException("troupe.node.bridge.name must be an interface name of at most "
          + MAX_INTERFACE_NAME + " letters, digits, '-', '_' or '.', got \"" + bridgeName + "\"");
    }
  }

  /**
   * From {@code config}: {@code troupe.net.mode} (loopback when absent), {@code troupe.net.cluster-cidr} and
   * {@code service-cidr}, {@code troupe.node.bridge.name} (empty: named after the node).
   */
  public static PodNetworkSettings fromConfig(Config config, String nodeName) {
    Mode mode = Mode.parse(string(config, "troupe.net.mode", "loopback"));
    String bridge = string(config, "troupe.node.bridge.name", "");
    return new PodNetworkSettings(mode, bridge.isBlank() ? bridgeName(nodeName) : bridge.trim(),
        Ipv4Cidr.parse(string(config, "troupe.net.cluster-cidr", "127.64.0.0/10")),
        Ipv4Cidr.parse(string(config, "troupe.net.service-cidr", "127.32.0.0/16")));
  }

  public boolean bridge() {
    return mode == Mode.BRIDGE;
  }

  /**
   * {@code trp-} and 8 hex digits of the SHA-256 of the node's name: each node of a host (several worker JVMs on one
   * host) gets its own bridge, under the 15 characters Linux allows.
   */
  public static String bridgeName(String nodeName) {
    return "trp-" + hash(nodeName);
  }

  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String string(Config config, String path, String fallback) {
    return config.hasPath(path) ? config.getString(path) : fallback;
  }
}
