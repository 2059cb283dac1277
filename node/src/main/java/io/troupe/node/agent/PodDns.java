package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.troupe.node.runtime.DnsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's DNS settings, as the kubelet forms them ({@code dns.Configurer.GetPodDNS}) from its {@code dnsPolicy}:
 *
 * <ul>
 *   <li>{@code ClusterFirst} (the default; for a {@code hostNetwork} pod it means {@code Default}) and {@code
 *       ClusterFirstWithHostNet}: the cluster DNS server, searching {@code <ns>.svc.<domain>}, {@code
 *       svc.<domain>}, {@code <domain>} and then the node's search domains, {@code options ndots:5}; last (after
 *       {@code dnsConfig}'s), the node's own nameservers (unlike the kubelet, whose cluster DNS forwards other names upstream: Troupe's
 *       answers REFUSED outside the cluster domain, and the resolver then asks the next nameserver, so a pod
 *       still resolves names outside the cluster). While the cluster has no DNS Service with a ClusterIP,
 *       {@code Default} (the kubelet's {@code MissingClusterDNS}).
 *   <li>{@code Default}: the node's own {@code /etc/resolv.conf}.
 *   <li>{@code None}: nothing but the pod's {@code dnsConfig}.
 * </ul>
 *
 * Then {@code dnsConfig}'s nameservers, searches and options are added (duplicates dropped, an option given again
 * replaced), and the result cut to the resolver's limits (3 nameservers, 32 search domains of 2048 characters).
 */
final class PodDns {
  static final int MAX_NAMESERVERS = 3;
  static final int MAX_SEARCHES = 32;
  static final int MAX_SEARCH_CHARS = 2048;

  /**
   * What the node knows of the cluster's DNS (from {@code troupe.net.dns}, the kubelet's {@code --cluster-domain}
   * and {@code --resolv-conf}).
   *
   * @param host the node's own resolver settings
   */
  record Settings(String domain, int port, String serviceNamespace, String serviceName, DnsConfig host) {
    static Settings of(Config config) {
      String domain = config.hasPath("troupe.net.dns.domain") ? config.getString("troupe.net.dns.domain")
          : "cluster.local";
      int port = config.hasPath("troupe.net.dns.port") ? config.getInt("troupe.net.dns.port") : 53;
      String service = config.hasPath("troupe.net.dns.service") ? config.getString("troupe.net.dns.service")
          : "kube-system/kube-dns";
      int slash = Math.max(0, service.indexOf('/'));
      return new Settings(domain.replaceAll("^\\.+|\\.+$", ""), port, service.substring(0, slash),
          service.substring(slash + 1), hostResolvConf(Path.of("/etc/resolv.conf")));
    }
  }

  private PodDns() {}

  /**
   * The pod's DNS settings; null where they are the node's own (the runtime then leaves {@code /etc/resolv.conf}
   * alone).
   *
   * @param clusterDns the cluster DNS server's address, or null when the cluster has none
   */
  static DnsConfig of(JsonNode podSpec, String namespace, Settings settings, String clusterDns) {
    String policy = podSpec.path("dnsPolicy").asText("ClusterFirst");
    boolean hostNetwork = podSpec.path("hostNetwork").asBoolean(false);
    boolean cluster = policy.equals("ClusterFirstWithHostNet") || (!policy.equals("Default")
        && !policy.equals("None") && !hostNetwork);
    JsonNode asked = podSpec.path("dnsConfig");
    DnsConfig base;
    if (policy.equals("None")) {
      base = new DnsConfig(List.of(), List.of(), List.of());
    } else if (cluster && clusterDns != null) {
      List<String> searches = new ArrayList<>(List.of(namespace + ".svc." + settings.domain(),
          "svc." + settings.domain(), settings.domain()));
      searches.addAll(settings.host().searches());
      base = new DnsConfig(List.of(clusterDns), distinct(searches), List.of("ndots:5"));
    } else {
      if (!asked.isObject()) return null;
      base = settings.host();
    }
    if (asked.isObject()) base = append(base, asked);
    if (cluster && clusterDns != null) {
      // the node's nameservers last, after the pod's own: the ones outside the cluster domain are theirs
      List<String> servers = new ArrayList<>(base.servers());
      servers.addAll(settings.host().servers());
      base = new DnsConfig(distinct(servers), base.searches(), base.options());
    }
    return fitLimits(base);
  }

  private static DnsConfig append(DnsConfig base, JsonNode asked) {
    List<String> servers = new ArrayList<>(base.servers());
    asked.path("nameservers").forEach(n -> servers.add(n.asText()));
    List<String> searches = new ArrayList<>(base.searches());
    asked.path("searches").forEach(n -> searches.add(n.asText()));
    Map<String, String> options = new LinkedHashMap<>();
    for (String o : base.options()) {
      int colon = o.indexOf(':');
      options.put(colon < 0 ? o : o.substring(0, colon), colon < 0 ? "" : o.substring(colon + 1));
    }
    for (JsonNode o : asked.path("options")) {
      String name = o.path("name").asText("");
      if (!name.isEmpty()) options.put(name, o.path("value").asText(""));
    }
    List<String> merged = new ArrayList<>();
    options.forEach((k, v) -> merged.add(v.isEmpty() ? k : k + ":" + v));
    return new DnsConfig(distinct(servers), distinct(searches), merged);
  }

  private static DnsConfig fitLimits(DnsConfig c) {
    List<String> servers = c.servers().size() > MAX_NAMESERVERS ? c.servers().subList(0, MAX_NAMESERVERS)
        : c.servers();
    List<String> searches = new ArrayList<>();
    int chars = 0;
    for (String s : c.searches()) {
      String domain = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
      if (domain.isEmpty()) continue;
      if (searches.size() == MAX_SEARCHES || chars + domain.length() > MAX_SEARCH_CHARS) break;
      searches.add(domain);
      chars += domain.length() + 1;
    }
    return new DnsConfig(servers, searches, c.options());
  }

  private static List<String> distinct(List<String> values) {
    return new ArrayList<>(new LinkedHashSet<>(values));
  }

  /** A resolv.conf's nameservers, search domains (the last {@code search} or {@code domain} line) and options. */
  static DnsConfig parseResolvConf(String text) {
    List<String> servers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] words = line.replaceAll("[#;].*", "").trim().split("\\s+");
      if (words.length < 2) continue;
      List<String> rest = List.of(words).subList(1, words.length);
      switch (words[0]) {
        case "nameserver" -> servers.add(words[1]);
        case "search", "domain" -> {
          searches.clear();
          searches.addAll(rest);
        }
        case "options" -> options.addAll(rest);
        default -> { }
      }
    }
    return new DnsConfig(servers, searches, options);
  }

  private static DnsConfig hostResolvConf(Path file) {
    try {
      return parseResolvConf(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new DnsConfig(List.of(), List.of(), List.of());
    }
  }
}
