package io.troupe.control.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.Ipv4Cidr;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationBitmapTest {
  static final AllocationRange.Addresses SERVICES = new AllocationRange.Addresses(Ipv4Cidr.parse("127.32.0.0/16"), true);

  @Test
  void addressRangesSkipNetworkAndBroadcast() {
    assertEquals(65534, SERVICES.size());
    assertEquals("127.32.0.1", SERVICES.valueAt(0));
    assertEquals(9, SERVICES.indexOf("127.32.0.10"));
    assertEquals(-1, SERVICES.indexOf("127.32.0.0"));
    assertEquals(-1, SERVICES.indexOf("127.32.255.255"));
    assertEquals(256, SERVICES.staticBand(), "kube-apiserver's band: size/16, at most 256");
    var pool = new AllocationRange.Addresses(Ipv4Cidr.parse("127.48.0.0/24"), false);
    assertEquals(254, pool.size());
    assertEquals(0, pool.staticBand());
  }

  @Test
  void portRanges() {
    var ports = AllocationRange.Ports.parse("30000-32767");
    assertEquals(2768, ports.size());
    assertEquals("30000", ports.valueAt(0));
    assertEquals(80, ports.indexOf("30080"));
    assertEquals(-1, ports.indexOf("8080"));
    assertEquals(86, ports.staticBand(), "the portallocator's band: size/32, 16..128");
  }

  @Test
  void dynamicValuesAvoidTheStaticBandUntilTheRestIsFull() {
    var small = new AllocationRange.Addresses(Ipv4Cidr.parse("10.0.0.0/27"), true); // 30 addresses, band 16
    AllocationBitmap bitmap = new AllocationBitmap(small.size());
    Set<Integer> first = new HashSet<>();
    for (int i = 0; i < small.size() - 16; i++) {
      int next = bitmap.free(small).getAsInt();
      assertTrue(next >= 16, "above the band: " + next);
      bitmap.set(next);
      first.add(next);
    }
    assertEquals(14, first.size());
    int inBand = bitmap.free(small).getAsInt();
    assertTrue(inBand < 16);
    for (int i = 0; i < 16; i++) bitmap.set(i);
    assertFalse(bitmap.free(small).isPresent(), "full");
  }

  @Test
  void sequentialRangesHandOutTheLowestFree() {
    var pool = new AllocationRange.Addresses(Ipv4Cidr.parse("127.48.0.0/24"), false);
    AllocationBitmap bitmap = new AllocationBitmap(pool.size());
    bitmap.set(0);
    bitmap.set(2);
    assertEquals(1, bitmap.free(pool).getAsInt());
  }

  @Test
  void encodesCompactlyAndBack() {
    AllocationBitmap bitmap = new AllocationBitmap(SERVICES.size());
    for (int i = 0; i < 200; i++) bitmap.set(bitmap.free(SERVICES).getAsInt());
    bitmap.set(9);
    String data = bitmap.encode();
    assertTrue(data.length() < 2000, "deflated: " + data.length());
    AllocationBitmap back = AllocationBitmap.decode(SERVICES.size(), data);
    assertTrue(back.sameBitsAs(bitmap));
    assertEquals(201, back.count());
    assertEquals(0, AllocationBitmap.decode(10, "").count());
  }

  @Test
  void aStoredAllocationOfAnotherRangeKeepsTheValuesBothHold() {
    var old = new AllocationRange.Addresses(Ipv4Cidr.parse("127.32.0.0/24"), true);
    AllocationBitmap bits = new AllocationBitmap(old.size());
    bits.set(old.indexOf("127.32.0.10"));
    bits.set(old.indexOf("127.32.0.200"));
    var stored = RangeAllocation.empty("service-cluster-ips", old).toObject(bits);
    var wider = new AllocationRange.Addresses(Ipv4Cidr.parse("127.32.0.0/16"), true);
    RangeAllocation now = RangeAllocation.of(stored, 3, wider);
    assertTrue(now.bitmap().isSet(wider.indexOf("127.32.0.10")));
    assertTrue(now.bitmap().isSet(wider.indexOf("127.32.0.200")));
    assertEquals(2, now.bitmap().count());
    var narrower = new AllocationRange.Addresses(Ipv4Cidr.parse("127.32.0.0/25"), true);
    assertEquals(1, RangeAllocation.of(stored, 3, narrower).bitmap().count(), ".200 falls outside");
  }
}
