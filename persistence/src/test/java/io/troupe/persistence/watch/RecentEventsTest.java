package io.troupe.persistence.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecentEventsTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theEventOfExactlyTheseBytesIsHandedOverOnce() {
    RecentEvents recent = new RecentEvents();
    Object event = new Object();
    recent.offer(bytes("{\"a\":1}"), event);
    assertNull(recent.take(bytes("{\"a\":2}")), "other bytes");
    assertSame(event, recent.take(bytes("{\"a\":1}")));
    assertNull(recent.take(bytes("{\"a\":1}")), "already taken");
    assertEquals(0, recent.size());
  }

  @Test
  void bytesWithTheSameHashAreNotMistakenForEachOther() {
    RecentEvents recent = new RecentEvents();
    // "Aa" and "BB" have the same String hash, and so the same Arrays.hashCode of their bytes
    Object first = new Object();
    recent.offer(bytes("Aa"), first);
    recent.offer(bytes("BB"), new Object());
    assertNull(recent.take(bytes("BB")), "the second waits for the first to be taken: it is read from the row");
    assertSame(first, recent.take(bytes("Aa")));
  }

  @Test
  void anEventNeverReadBackLeavesAfterItsTime() {
    RecentEvents recent = new RecentEvents();
    recent.offer(bytes("lost"), new Object());
    recent.sweep(System.nanoTime() + RecentEvents.MAX_AGE + 1);
    assertEquals(0, recent.size());
  }
}
