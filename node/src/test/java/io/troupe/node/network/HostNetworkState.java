package io.troupe.node.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a bridge-mode test changes on the host, taken before it runs and put back after, even when it fails: the
 * pods' network namespaces and veths, the node's bridge, the masquerading table, the service CIDR's local route, and
 * ip_forward.
 */
public final class HostNetworkState {
  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
  private final String ipForward;
  private final boolean serviceRouteBefore;
  private final boolean natTableBefore;
  private final String serviceCidr;

  private HostNetworkState(String ipForward, boolean serviceRouteBefore, boolean natTableBefore,
      String serviceCidr) {
    this.ipForward = ipForward;
    this.serviceRouteBefore = serviceRouteBefore;
    this.natTableBefore = natTableBefore;
    this.serviceCidr = serviceCidr;
  }

  /** Why bridge-mode tests cannot run here; null when they can. */
  public static String whyNot() {
    if (!BridgeNetwork.root()) return "bridge mode needs root";
    for (String tool : List.of("ip", "nft", "unshare", "nsenter", "python3", "curl")) {
      if (HostCommand.find(tool).isEmpty() && !Files.isExecutable(Path.of("/usr/bin", tool))) {
        return "bridge mode tests need " + tool;
      }
    }
    return null;
  }

  public static HostNetworkState take(String serviceCidr) throws IOException {
    boolean route = ip("route", "show", "table", "local", serviceCidr).contains(serviceCidr);
    boolean nat = HostCommand.run(List.of(tool("nft"), "list", "table", "ip", BridgeNetwork.NAT_TABLE), null).ok();
    return new HostNetworkState(Files.readString(IP_FORWARD).trim(), route, nat, serviceCidr);
  }

  /** Puts the host back; {@code bridges} and the network namespaces of {@code podUids} are removed. */
  public void restore(List<String> bridges, List<String> podUids) throws IOException {
    for (String uid : podUids) {
      ip("netns", "delete", BridgeNetwork.netnsName(uid));
      if (Files.exists(Path.of("/sys/class/net", BridgeNetwork.vethName(uid)))) {
        ip("link", "delete", BridgeNetwork.vethName(uid));
      }
    }
    for (String bridge : bridges) {
      if (Files.exists(Path.of("/sys/class/net", bridge))) ip("link", "delete", bridge);
    }
    if (!serviceRouteBefore) ip("route", "delete", "local", serviceCidr, "dev", "lo");
    if (!natTableBefore) HostCommand.run(List.of(tool("nft"), "delete", "table", "ip", BridgeNetwork.NAT_TABLE), null);
    Files.writeString(IP_FORWARD, ipForward);
  }

  /** The veths on {@code bridge}. */
  public static List<String> ports(String bridge) {
    List<String> ports = new ArrayList<>();
    for (String line : ip("-o", "link", "show", "master", bridge).split("\n")) {
      String[] fields = line.split(":\\s+");
      if (fields.length > 1) ports.add(fields[1].replaceAll("@.*", ""));
    }
    return ports;
  }

  public static String ip(String... args) {
    List<String> argv = new ArrayList<>(List.of(tool("ip")));
    argv.addAll(List.of(args));
    return HostCommand.run(argv, null).output();
  }

  private static String tool(String name) {
    return HostCommand.find(name).orElseThrow().toString();
  }
}
