package io.troupe.node.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.troupe.persistence.model.Ipv4Cidr;
import org.junit.jupiter.api.Test;

class PodNetworkSettingsTest {

  @Test
  void loopbackUnlessTheConfigSaysBridge() {
    PodNetworkSettings settings = PodNetworkSettings.fromConfig(ConfigFactory.empty(), "node-1");
    assertEquals(PodNetworkSettings.Mode.LOOPBACK, settings.mode());
    assertFalse(settings.bridge());

    PodNetworkSettings bridge = PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.net { mode = bridge, cluster-cidr = \"10.244.0.0/16\", service-cidr = \"10.96.0.0/12\" }"),
        "node-1");
    assertTrue(bridge.bridge());
    assertEquals("10.244.0.0/16", bridge.clusterCidr().toString());
    assertEquals("10.96.0.0/12", bridge.serviceCidr().toString());
    assertThrows(IllegalArgumentException.class, () -> PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.net.mode = tunnel"), "node-1"));
  }

  @Test
  void eachNodeHasABridgeOfItsOwnWithAShortName() {
    String one = PodNetworkSettings.bridgeName("worker-1.example.com");
    String two = PodNetworkSettings.bridgeName("worker-2.example.com");
    assertTrue(one.matches("trp-[0-9a-f]{8}"), one);
    assertTrue(one.length() <= PodNetworkSettings.MAX_INTERFACE_NAME);
    assertFalse(one.equals(two));
    assertEquals("troupe0", PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.bridge.name = troupe0"), "n").bridgeName());
    assertThrows(IllegalArgumentException.class, () -> PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.bridge.name = a-name-far-too-long"), "n"));
    assertTrue(BridgeNetwork.vethName("6f1c9a8e-0b7d-4c55-9d0e-2f3a4b5c6d7e").matches("veth[0-9a-f]{8}"));
  }

  @Test
  void cidrArithmetic() {
    Ipv4Cidr cidr = Ipv4Cidr.parse("10.244.3.7/24");
    assertEquals("10.244.3.0/24", cidr.toString());
    assertEquals("10.244.3.1", cidr.address(1));
    assertTrue(cidr.contains("10.244.3.200"));
    assertFalse(cidr.contains("10.244.4.1"));
    assertTrue(Ipv4Cidr.parse("10.244.0.0/16").contains(cidr));
    assertFalse(cidr.contains(Ipv4Cidr.parse("10.244.0.0/16")));
    assertTrue(PodNetworkSettings.isLoopback(Ipv4Cidr.parse("127.64.0.0/10")));
    assertTrue(PodNetworkSettings.isLoopback(Ipv4Cidr.parse("0.0.0.0/0")));
    assertFalse(PodNetworkSettings.isLoopback(Ipv4Cidr.parse("10.96.0.0/12")));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0/8"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.0/33"));
  }

  @Test
  void bridgeModeNamesWhatIsMissing() {
    PodNetworkSettings loopbackRanges = PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.net.mode = bridge"), "n");
    var problems = BridgeNetwork.problems(loopbackRanges);
    assertTrue(problems.stream().anyMatch(p -> p.contains("cluster-cidr 127.64.0.0/10 is loopback")),
        problems::toString);
    assertTrue(problems.stream().anyMatch(p -> p.contains("service-cidr 127.32.0.0/16 is loopback")),
        problems::toString);
    PodNetworkSettings overlapping = PodNetworkSettings.fromConfig(ConfigFactory.parseString(
        "troupe.net { mode = bridge, cluster-cidr = \"10.0.0.0/8\", service-cidr = \"10.96.0.0/12\" }"), "n");
    assertTrue(BridgeNetwork.problems(overlapping).stream().anyMatch(p -> p.contains("overlap")));
  }
}
