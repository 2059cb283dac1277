package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodAddressesTest {

  @Test
  void handsOutHostAddressesAfterTheGateway() {
    PodAddresses a = new PodAddresses("10.1.2.0/24");
    assertEquals(Optional.of("10.1.2.2"), a.allocate("a"));
    assertEquals(Optional.of("10.1.2.3"), a.allocate("b"));
    assertEquals(Optional.of("10.1.2.2"), a.allocate("a"), "a pod keeps its address");
    assertEquals(2, a.inUse());
  }

  @Test
  void aReleasedAddressIsHandedOutAgain() {
    PodAddresses a = new PodAddresses("10.1.2.0/24");
    a.allocate("a");
    a.allocate("b");
    a.release("a");
    assertEquals(Optional.of("10.1.2.2"), a.allocate("c"));
  }

  @Test
  void reservedAddressesFromBeforeARestartAreSkipped() {
    PodAddresses a = new PodAddresses("127.1.0.0/16");
    assertTrue(a.reserve("old", "127.1.0.5"));
    assertFalse(a.reserve("other", "127.1.0.5"), "taken");
    assertFalse(a.reserve("outside", "127.2.0.5"), "not in the range");
    assertEquals(Optional.of("127.1.0.2"), a.allocate("x"));
    assertEquals(Optional.of("127.1.0.3"), a.allocate("y"));
    assertEquals(Optional.of("127.1.0.4"), a.allocate("z"));
    assertEquals(Optional.of("127.1.0.6"), a.allocate("w"));
  }

  @Test
  void aFullRangeHandsOutNothing() {
    PodAddresses a = new PodAddresses("10.0.0.0/30");
    assertEquals(Optional.of("10.0.0.2"), a.allocate("a"));
    assertEquals(Optional.empty(), a.allocate("b"), "the broadcast address is not handed out");
  }

  @Test
  void aBadRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PodAddresses("10.0.0.0"));
    assertThrows(IllegalArgumentException.class, () -> new PodAddresses("10.0.0.0/31"));
    assertThrows(IllegalArgumentException.class, () -> new PodAddresses("300.0.0.0/24"));
  }
}
