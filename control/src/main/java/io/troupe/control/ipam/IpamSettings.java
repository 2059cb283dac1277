package io.troupe.control.ipam;

import com.typesafe.config.Config;
import io.troupe.persistence.model.Ipv4Cidr;
import java.time.Duration;

/**
 * The ranges of {@code troupe.net}: ClusterIPs, nodePorts, load-balancer addresses, and the cluster range node pod
 * CIDRs are cut from.
 */
public record IpamSettings(
    Ipv4Cidr serviceCidr,
    AllocationRange.Ports nodePorts,
    Ipv4Cidr loadBalancerPool,
    Ipv4Cidr clusterCidr,
    int nodeCidrMaskSize,
    Duration repairInterval) {

  public IpamSettings {
    if (nodeCidrMaskSize < clusterCidr.prefix() || nodeCidrMaskSize > 30) {
      throw new IllegalArgumentException("troupe.net.node-cidr-mask-size must be between the cluster-cidr's prefix ("
          + clusterCidr.prefix() + ") and 30, got " + nodeCidrMaskSize);
    }
  }

  public static IpamSettings of(Config config) {
    Config net = config.getConfig("troupe.net");
    try {
      return new IpamSettings(
          Ipv4Cidr.parse(net.getString("service-cidr")),
          AllocationRange.Ports.parse(net.getString("node-port-range")),
          Ipv4Cidr.parse(net.getString("load-balancer-pool")),
          Ipv4Cidr.parse(net.getString("cluster-cidr")),
          net.getInt("node-cidr-mask-size"),
          net.getDuration("ipam.repair-interval"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("troupe.net: " + e.getMessage(), e);
    }
  }

  /** ClusterIPs: at random above the static band, as kube-apiserver. */
  public AllocationRange.Addresses clusterIps() {
    return new AllocationRange.Addresses(serviceCidr, true);
  }

  /** Load-balancer addresses: the lowest free one first. */
  public AllocationRange.Addresses loadBalancerIps() {
    return new AllocationRange.Addresses(loadBalancerPool, false);
  }

  /** The ClusterIP of {@code default/kubernetes}: the service range's first address (127.32.0.1). */
  public String kubernetesServiceIp() {
    return serviceCidr.address(1);
  }

  /** The ClusterIP of {@code kube-system/kube-dns}: the service range's 10th address (127.32.0.10). */
  public String dnsServiceIp() {
    return serviceCidr.address(10);
  }
}
