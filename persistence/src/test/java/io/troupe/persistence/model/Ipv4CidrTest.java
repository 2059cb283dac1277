package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class Ipv4CidrTest {

  @Test
  void parsesAndClearsHostBits() {
    Ipv4Cidr cidr = Ipv4Cidr.parse("127.32.5.9/16");
    assertEquals("127.32.0.0/16", cidr.toString());
    assertEquals(65536, cidr.size());
    assertEquals("127.32.0.10", cidr.address(10));
    assertEquals(10, cidr.offsetOf("127.32.0.10"));
    assertEquals(-1, cidr.offsetOf("127.33.0.1"));
    assertEquals(-1, cidr.offsetOf("nonsense"));
  }

  @Test
  void containsAddressesAndRanges() {
    Ipv4Cidr cluster = Ipv4Cidr.parse("127.64.0.0/10");
    assertTrue(cluster.contains("127.127.255.255"));
    assertFalse(cluster.contains("127.128.0.0"));
    assertTrue(cluster.contains(Ipv4Cidr.parse("127.77.0.0/16")));
    assertFalse(cluster.contains(Ipv4Cidr.parse("127.0.0.0/8")));
    assertTrue(cluster.overlaps(Ipv4Cidr.parse("127.0.0.0/8")));
    assertFalse(cluster.overlaps(Ipv4Cidr.parse("127.32.0.0/16")));
  }

  @Test
  void cutsSubnets() {
    Ipv4Cidr cluster = Ipv4Cidr.parse("127.64.0.0/10");
    assertEquals(16384, cluster.subnetCount(24));
    assertEquals("127.64.0.0/24", cluster.subnet(24, 0).toString());
    assertEquals("127.65.1.0/24", cluster.subnet(24, 257).toString());
    assertEquals("127.127.255.0/24", cluster.subnet(24, 16383).toString());
    assertThrows(IllegalArgumentException.class, () -> cluster.subnet(24, 16384));
  }

  @Test
  void worksAboveTheSignBit() {
    Ipv4Cidr high = Ipv4Cidr.parse("192.168.0.0/16");
    assertEquals("192.168.1.2", high.address(258));
    assertEquals(258, high.offsetOf("192.168.1.2"));
    assertEquals("192.168.255.0/24", high.subnet(24, 255).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "300.0.0.0/8", "10.0.0/8", "a.b.c.d/8", "10.0.0.0/x", ""})
  void refusesWhatIsNotACidr(String text) {
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(text));
  }
}
