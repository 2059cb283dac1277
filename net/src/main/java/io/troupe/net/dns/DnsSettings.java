package io.troupe.net.dns;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/**
 * The DNS server's settings, from {@code troupe.net.dns}.
 *
 * @param domain the cluster domain, lower case, without the final dot ({@code cluster.local})
 * @param serviceNamespace namespace of the Service whose ClusterIP the server binds ({@code kube-system})
 * @param serviceName its name ({@code kube-dns})
 * @param ttlSeconds the TTL of every answer
 */
public record DnsSettings(int port, String domain, String serviceNamespace, String serviceName, long ttlSeconds,
    Duration tcpIdleTimeout) {

  public DnsSettings {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("troupe.net.dns.port: " + port);
    domain = domain.toLowerCase(Locale.ROOT).replaceAll("^\\.+|\\.+$", "");
    if (domain.isEmpty()) throw new IllegalArgumentException("troupe.net.dns.domain is empty");
  }

  /** Reads {@code troupe.net.dns} of the given (root) configuration. */
  public static DnsSettings of(Config config) {
    Config dns = config.getConfig("troupe.net.dns");
    String service = dns.getString("service");
    int slash = service.indexOf('/');
    if (slash <= 0 || slash == service.length() - 1) {
      throw new IllegalArgumentException("troupe.net.dns.service must be namespace/name: " + service);
    }
    return new DnsSettings(dns.getInt("port"), dns.getString("domain"), service.substring(0, slash),
        service.substring(slash + 1), dns.getDuration("ttl").toSeconds(), dns.getDuration("tcp-idle-timeout"));
  }
}
