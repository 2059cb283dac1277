package io.troupe.control.controller.nodeipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.Ipv4Cidr;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CidrSetTest {

  @Test
  void handsOutEachSubnetOnceInOrderAndNotAFreedOneNext() {
    CidrSet set = new CidrSet(Ipv4Cidr.parse("127.64.0.0/22"), 24);
    assertEquals("127.64.0.0/24", set.allocateNext().orElseThrow().toString());
    Ipv4Cidr second = set.allocateNext().orElseThrow();
    assertEquals("127.64.1.0/24", second.toString());
    set.release(second);
    assertEquals("127.64.2.0/24", set.allocateNext().orElseThrow().toString(), "not the one just freed");
    assertEquals("127.64.3.0/24", set.allocateNext().orElseThrow().toString());
    assertEquals("127.64.1.0/24", set.allocateNext().orElseThrow().toString(), "wraps to the freed one");
    assertTrue(set.allocateNext().isEmpty(), "full");
  }

  @Test
  void aNodesOwnCidrMarksEverySubnetItOverlaps() {
    CidrSet set = new CidrSet(Ipv4Cidr.parse("127.64.0.0/22"), 24);
    set.occupy(Ipv4Cidr.parse("127.64.0.0/23"));
    set.occupy(Ipv4Cidr.parse("127.64.3.128/25"));
    set.occupy(Ipv4Cidr.parse("10.0.0.0/8")); // outside: nothing
    assertEquals(3, set.usedCount());
    assertTrue(set.isUsed(Ipv4Cidr.parse("127.64.1.0/24")));
    assertEquals("127.64.2.0/24", set.allocateNext().orElseThrow().toString());
    assertTrue(set.allocateNext().isEmpty());
  }

  @Test
  void theDefaultClusterRangeHolds16384NodeCidrs() {
    CidrSet set = new CidrSet(Ipv4Cidr.parse("127.64.0.0/10"), 24);
    Set<Ipv4Cidr> seen = new HashSet<>();
    for (int i = 0; i < 16384; i++) assertTrue(seen.add(set.allocateNext().orElseThrow()));
    assertFalse(set.allocateNext().isPresent());
  }
}
