package io.troupe.node.network;

import io.troupe.persistence.model.Ipv4Cidr;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bridge} pod network of one node (the kubenet/cbr0 model): a Linux bridge holding the first address of
 * the node's pod CIDR, and per pod a network namespace ({@code /run/netns/troupe-<pod uid>}) joined to the bridge
 * by a veth pair: {@code veth<8 hex>} on the host, {@code eth0} with the pod's IP in the pod, whose default route
 * goes through the bridge. The nodes of one host reach each other's pods through the host's routes to their
 * bridges; the host forwards (ip_forward), bridged traffic passes its netfilter hooks (br_netfilter, for
 * NetworkPolicy), traffic from the pods to anywhere outside the cluster CIDR is masqueraded (table {@code ip
 * troupe-nat}), and the service CIDR is a local route of the host: a ClusterIP a pod connects to reaches the
 * service proxy listening on it there.
 *
 * <p>It drives {@code ip} and {@code nft} rather than netlink from Java: the JDK has no netlink, and the programs
 * are how an administrator would check what it did. Blocking; called on the runtime's threads.
 */
public final class BridgeNetwork {
  private static final Logger log = LoggerFactory.getLogger(BridgeNetwork.class);
  static final Path NETNS_DIR = Path.of("/run/netns");
  static final String NETNS_PREFIX = "troupe-";
  /** Owned by Troupe: the masquerading of pod traffic that leaves the cluster CIDR. */
  public static final String NAT_TABLE = "troupe-nat";
  private static final Path SYSCTL = Path.of("/proc/sys/net");

  private final PodNetworkSettings settings;
  private final String ip;
  /** The pod CIDR the bridge was set up for; null until the first pod. */
  private Ipv4Cidr bridged;

  private BridgeNetwork(PodNetworkSettings settings, String ip) {
    this.settings = settings;
    this.ip = ip;
  }

  /** What keeps bridge mode from working on this host with these settings; empty when nothing does. */
  public static List<String> problems(PodNetworkSettings settings) {
    List<String> problems = new ArrayList<>();
    if (!root()) {
      problems.add("it needs root (network namespaces, veth pairs, a bridge and nftables rules are the kernel's "
          + "to give)");
    }
    if (HostCommand.find("ip").isEmpty()) problems.add("it needs the ip program (iproute2) on the host");
    if (HostCommand.find("nft").isEmpty()) problems.add("it needs the nft program (nftables) on the host");
    if (PodNetworkSettings.isLoopback(settings.clusterCidr())) {
      problems.add("troupe.net.cluster-cidr " + settings.clusterCidr() + " is loopback, which never leaves a "
          + "network namespace: use another range, e.g. 10.244.0.0/16");
    }
    if (PodNetworkSettings.isLoopback(settings.serviceCidr())) {
      problems.add("troupe.net.service-cidr " + settings.serviceCidr() + " is loopback, which a pod's network "
          + "namespace keeps to itself: use another range, e.g. 10.96.0.0/12");
    }
    if (settings.clusterCidr().contains(settings.serviceCidr()) || settings.serviceCidr()
        .contains(settings.clusterCidr())) {
      problems.add("troupe.net.cluster-cidr " + settings.clusterCidr() + " and service-cidr "
          + settings.serviceCidr() + " overlap");
    }
    return problems;
  }

  /**
   * Checks the host and sets up what every node of it shares (forwarding, br_netfilter, the service CIDR's local
   * route, masquerading); idempotent. An {@link IllegalStateException} says why bridge mode cannot run here.
   */
  public static BridgeNetwork start(PodNetworkSettings settings) {
    List<String> problems = problems(settings);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("troupe.net.mode = bridge cannot run here: " + String.join("; ", problems));
    }
    String ip = HostCommand.find("ip").orElseThrow().toString();
    String nft = HostCommand.find("nft").orElseThrow().toString();
    sysctl("ipv4/ip_forward");
    Path bridgeFilter = SYSCTL.resolve("bridge/bridge-nf-call-iptables");
    if (!Files.exists(bridgeFilter)) {
      HostCommand.find("modprobe").ifPresent(m -> HostCommand.run(List.of(m.toString(), "br_netfilter"), null));
    }
    if (Files.exists(bridgeFilter)) {
      sysctl("bridge/bridge-nf-call-iptables");
    } else {
      log.warn("br_netfilter is not available: NetworkPolicy cannot act on traffic between two pods of one node");
    }
    HostCommand.require(List.of(ip, "route", "replace", "local", settings.serviceCidr().toString(), "dev", "lo"),
        null, "route the service CIDR " + settings.serviceCidr() + " to the host");
    HostCommand.require(List.of(nft, "-f", "-"), natTable(settings.clusterCidr()),
        "masquerade the traffic of the pods that leaves the cluster CIDR");
    log.info("bridge mode: pods on bridge {}, ClusterIPs of {} local to the host", settings.bridgeName(),
        settings.serviceCidr());
    return new BridgeNetwork(settings, ip);
  }

  /** The table, defined whole in one transaction (every worker JVM of the host writes the same one). */
  static String natTable(Ipv4Cidr clusterCidr) {
    return String.join("\n",
        "add table ip " + NAT_TABLE,
        "delete table ip " + NAT_TABLE,
        "table ip " + NAT_TABLE + " {",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        "    ip saddr " + clusterCidr + " ip daddr != " + clusterCidr + " masquerade",
        "  }",
        "}", "");
  }

  public PodNetworkSettings settings() {
    return settings;
  }

  public static String netnsName(String podUid) {
    return NETNS_PREFIX + podUid;
  }

  public static Path netnsPath(String podUid) {
    return NETNS_DIR.resolve(netnsName(podUid));
  }

  /** The host's end of the pod's veth pair: {@code veth} and 8 hex digits of the uid's hash. */
  public static String vethName(String podUid) {
    return "veth" + PodNetworkSettings.hash(podUid);
  }

  /**
   * The pod's network namespace, made new (what an earlier sandbox of the pod left is removed first): {@code eth0}
   * with {@code podIp} on the node's bridge, {@code lo} up, the default route through the bridge.
   *
   * @return the namespace's path, for {@code nsenter --net=}
   */
  public Path attach(String podUid, String podIp, String podCidr) {
    Ipv4Cidr cidr = podCidr(podCidr, podIp);
    ensureBridge(cidr);
    detach(podUid);
    String netns = netnsName(podUid);
    String veth = vethName(podUid);
    try {
      HostCommand.require(List.of(ip, "netns", "add", netns), null, "create the network namespace " + netns);
      HostCommand.require(List.of(ip, "-batch", "-"), String.join("\n",
          "link add " + veth + " type veth peer name eth0 netns " + netns,
          "link set " + veth + " master " + settings.bridgeName(),
          "link set " + veth + " up", ""), "attach " + netns + " to the bridge " + settings.bridgeName());
      HostCommand.require(List.of(ip, "-n", netns, "-batch", "-"), String.join("\n",
          "link set lo up",
          "addr add " + podIp + "/" + cidr.prefix() + " dev eth0",
          "link set eth0 up",
          "route add default via " + cidr.address(1), ""), "give " + netns + " the address " + podIp);
    } catch (IllegalStateException e) {
      detach(podUid);
      throw e;
    }
    log.debug("pod {}: {} on {} as {}", podUid, veth, settings.bridgeName(), podIp);
    return netnsPath(podUid);
  }

  /** Removes the pod's network namespace and veth pair, where they are; idempotent. */
  public void detach(String podUid) {
    String netns = netnsName(podUid);
    if (Files.exists(netnsPath(podUid))) {
      HostCommand result = HostCommand.run(List.of(ip, "netns", "delete", netns), null);
      if (!result.ok()) log.warn("cannot remove the network namespace {}: {}", netns, result.output());
    }
    // gone with the namespace (its peer eth0 was in it), unless the namespace was never made
    String veth = vethName(podUid);
    if (Files.exists(Path.of("/sys/class/net", veth))) {
      HostCommand result = HostCommand.run(List.of(ip, "link", "delete", veth), null);
      if (!result.ok() && Files.exists(Path.of("/sys/class/net", veth))) {
        log.warn("cannot remove {}: {}", veth, result.output());
      }
    }
  }

  /** The pod uids of this host's pod network namespaces (every node's of the host). */
  public static List<String> podsWithNamespaces() {
    List<String> uids = new ArrayList<>();
    if (!Files.isDirectory(NETNS_DIR)) return uids;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(NETNS_DIR, NETNS_PREFIX + "*")) {
      for (Path entry : entries) uids.add(entry.getFileName().toString().substring(NETNS_PREFIX.length()));
    } catch (IOException e) {
      log.warn("cannot list {}: {}", NETNS_DIR, e.toString());
    }
    return uids;
  }

  private Ipv4Cidr podCidr(String podCidr, String podIp) {
    if (podCidr == null || podCidr.isBlank()) {
      throw new IllegalStateException("the node has no pod CIDR: bridge mode gives a pod an address on the node's "
          + "bridge, whose network is the node's spec.podCIDR");
    }
    Ipv4Cidr cidr = Ipv4Cidr.parse(podCidr);
    if (PodNetworkSettings.isLoopback(cidr)) {
      throw new IllegalStateException("the node's pod CIDR " + cidr + " is loopback, which never leaves a network "
          + "namespace: set troupe.node.pod-cidr inside troupe.net.cluster-cidr " + settings.clusterCidr());
    }
    if (!settings.clusterCidr().contains(cidr)) {
      throw new IllegalStateException("the node's pod CIDR " + cidr + " is not inside troupe.net.cluster-cidr "
          + settings.clusterCidr());
    }
    if (cidr.prefix() > 30 || !cidr.contains(podIp) || podIp.equals(cidr.address(1))) {
      throw new IllegalStateException("the pod IP " + podIp + " is not a pod address of " + cidr);
    }
    return cidr;
  }

  /** The node's bridge with the first host address of its pod CIDR, up. */
  private synchronized void ensureBridge(Ipv4Cidr cidr) {
    if (cidr.equals(bridged)) return;
    String name = settings.bridgeName();
    if (!Files.exists(Path.of("/sys/class/net", name))) {
      HostCommand result = HostCommand.run(List.of(ip, "link", "add", "name", name, "type", "bridge"), null);
      if (!result.ok() && !Files.exists(Path.of("/sys/class/net", name))) {
        throw new IllegalStateException("cannot create the bridge " + name + ": " + result.output());
      }
    }
    HostCommand.require(List.of(ip, "addr", "replace", cidr.address(1) + "/" + cidr.prefix(), "dev", name), null,
        "give the bridge " + name + " the address " + cidr.address(1));
    HostCommand.require(List.of(ip, "link", "set", name, "up"), null, "bring the bridge " + name + " up");
    log.info("bridge {} is {}/{}, the gateway of pod CIDR {}", name, cidr.address(1), cidr.prefix(), cidr);
    bridged = cidr;
  }

  private static void sysctl(String key) {
    Path file = SYSCTL.resolve(key);
    try {
      if (!Files.readString(file).trim().equals("1")) Files.writeString(file, "1");
    } catch (IOException e) {
      throw new IllegalStateException("cannot set net." + key.replace('/', '.') + " = 1: " + e.getMessage());
    }
  }

  static boolean root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // the effective uid
      }
    } catch (IOException e) {
      // not Linux
    }
    return false;
  }

  /** Whether the pod's namespace exists. */
  public static Optional<Path> netns(String podUid) {
    Path path = netnsPath(podUid);
    return Files.exists(path) ? Optional.of(path) : Optional.empty();
  }
}
