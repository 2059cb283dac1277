package io.troupe.node.image;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code troupe.node.images} block.
 *
 * @param root where blobs, layers and the index live
 * @param insecureRegistries registries reached over plain HTTP: a host (any port), a host:port, or an IPv4 CIDR of
 *     registries addressed by IP ({@code 127.0.0.0/8})
 * @param connectTimeout to connect to a registry
 * @param requestTimeout for one registry request to answer (a blob's bytes may then take longer)
 * @param threads pulls and imports at once
 */
public record ImageStoreSettings(Path root, List<String> insecureRegistries, Duration connectTimeout,
    Duration requestTimeout, int threads) {
  public ImageStoreSettings {
    insecureRegistries = List.copyOf(insecureRegistries);
    if (threads < 1) throw new IllegalArgumentException("troupe.node.images.threads must be at least 1");
  }

  /** Defaults for a store at {@code root}: localhost and 127.0.0.0/8 over plain HTTP. */
  public static ImageStoreSettings of(Path root) {
    return new ImageStoreSettings(root, List.of("localhost", "127.0.0.0/8"), Duration.ofSeconds(10),
        Duration.ofSeconds(30), 4);
  }

  /**
   * From {@code troupe.node.images}; an empty {@code root} is {@code <data-dir>/node/<node>/images}, next to the
   * runtime's state of that node, and a relative one is resolved against the data dir.
   */
  public static ImageStoreSettings fromConfig(Config config, Path dataDir, String nodeName) {
    Config c = config.getConfig("troupe.node.images");
    String root = c.getString("root");
    Path path = root.isBlank() ? dataDir.resolve("node").resolve(nodeName).resolve("images") : dataDir.resolve(root);
    return new ImageStoreSettings(path.toAbsolutePath().normalize(), c.getStringList("insecure-registries"),
        c.getDuration("connect-timeout"), c.getDuration("request-timeout"), c.getInt("threads"));
  }

  public ImageStoreSettings withInsecureRegistries(List<String> registries) {
    return new ImageStoreSettings(root, registries, connectTimeout, requestTimeout, threads);
  }

  public ImageStoreSettings withRequestTimeout(Duration timeout) {
    return new ImageStoreSettings(root, insecureRegistries, connectTimeout, timeout, threads);
  }

  /** Whether {@code domain} (host[:port]) is spoken to over plain HTTP. */
  public boolean insecure(String domain) {
    String host = domain;
    if (host.startsWith("[")) {
      host = host.substring(1, host.indexOf(']'));
    } else if (host.contains(":")) {
      host = host.substring(0, host.lastIndexOf(':'));
    }
    for (String entry : insecureRegistries) {
      if (entry.equals(domain) || entry.equals(host)) return true;
      if (entry.contains("/") && host.matches("[0-9.]+") && inCidr(host, entry)) return true;
    }
    return false;
  }

  private static boolean inCidr(String ip, String cidr) {
    try {
      String[] parts = cidr.split("/");
      byte[] a = InetAddress.getByName(ip).getAddress();
      byte[] n = InetAddress.getByName(parts[0]).getAddress();
      if (a.length != 4 || n.length != 4) return false;
      int bits = Integer.parseInt(parts[1]);
      int ai = java.nio.ByteBuffer.wrap(a).getInt();
      int ni = java.nio.ByteBuffer.wrap(n).getInt();
      int mask = bits == 0 ? 0 : -1 << (32 - bits);
      return (ai & mask) == (ni & mask);
    } catch (UnknownHostException | RuntimeException e) {
      return false;
    }
  }
}
