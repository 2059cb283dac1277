package io.troupe.net.dns;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import org.xbill.DNS.Rcode;

/** What the cluster DNS servers of this JVM count: answers by transport and rcode, their time, dropped packets. */
final class DnsMetrics {
  static final Counter QUERIES = Counter.builder()
      .name("troupe_dns_queries_total")
      .help("DNS queries answered by the cluster DNS server, by transport (udp, tcp) and rcode (NOERROR, NXDOMAIN...)")
      .labelNames("protocol", "rcode")
      .register();

  static final Counter DROPPED = Counter.builder()
      .name("troupe_dns_dropped_packets_total")
      .help("Packets the cluster DNS server did not answer: shorter than a DNS header, or responses")
      .labelNames("protocol")
      .register();

  static final Histogram DURATION = Histogram.builder()
      .name("troupe_dns_request_duration_seconds")
      .help("Time to answer a DNS query, from the packet read to the answer written")
      .labelNames("protocol")
      .classicOnly()
      .classicUpperBounds(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05)
      .register();

  private DnsMetrics() {}

  static void answered(String protocol, int rcode, long startedNanos) {
    QUERIES.labelValues(protocol, Rcode.string(rcode)).inc();
    DURATION.labelValues(protocol).observe((System.nanoTime() - startedNanos) / 1e9);
  }

  static void dropped(String protocol) {
    DROPPED.labelValues(protocol).inc();
  }
}
