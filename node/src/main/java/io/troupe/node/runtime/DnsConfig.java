package io.troupe.node.runtime;

import java.util.List;

/**
 * A pod's DNS settings (CRI's {@code DNSConfig}), as the agent resolves them from its {@code dnsPolicy} and
 * {@code dnsConfig}: what the runtime puts in the pod's {@code /etc/resolv.conf}.
 */
public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {
  public DnsConfig {
    servers = List.copyOf(servers);
    searches = List.copyOf(searches);
    options = List.copyOf(options);
  }

  /** The file's text, as containerd writes it. */
  public String resolvConf() {
    StringBuilder out = new StringBuilder();
    if (!searches.isEmpty()) out.append("search ").append(String.join(" ", searches)).append('\n');
    for (String server : servers) out.append("nameserver ").append(server).append('\n');
    if (!options.isEmpty()) out.append("options ").append(String.join(" ", options)).append('\n');
    return out.toString();
  }
}
