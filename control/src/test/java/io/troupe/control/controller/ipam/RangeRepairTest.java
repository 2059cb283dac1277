package io.troupe.control.controller.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.troupe.control.ipam.AllocationRange;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RangeRepairTest {
  static final AllocationRange PORTS = AllocationRange.Ports.parse("30000-32767");

  @Test
  void marksWhatServicesHoldAndFreesALeakOnlyOnTheSecondPass() {
    Map<String, List<String>> holders = Map.of("30001", List.of("Service/a/x"), "30002", List.of("Service/a/y"));
    RangeRepair first = RangeRepair.of(PORTS, Set.of("30001", "30009"), holders, Set.of());
    assertEquals(Set.of("30002"), first.mark());
    assertEquals(Set.of(), first.free(), "a create in flight may hold 30009");
    assertEquals(Set.of("30009"), first.suspects());

    RangeRepair second = RangeRepair.of(PORTS, Set.of("30001", "30002", "30009"), holders, first.suspects());
    assertEquals(Set.of("30009"), second.free());
    assertEquals(Set.of(), second.suspects());
  }

  @Test
  void aSuspectThatGetsItsServiceIsKept() {
    RangeRepair first = RangeRepair.of(PORTS, Set.of("30009"), Map.of(), Set.of());
    RangeRepair second = RangeRepair.of(PORTS, Set.of("30009"), Map.of("30009", List.of("Service/a/z")),
        first.suspects());
    assertFalse(second.changes());
  }

  @Test
  void valuesOutsideTheRangeAreNotMarkedAndDuplicatesAreReported() {
    RangeRepair pass = RangeRepair.of(PORTS, Set.of("30005"), Map.of("8080", List.of("Service/a/old"),
        "30005", List.of("Service/a/p", "Service/a/q")), Set.of());
    assertEquals(Set.of(), pass.mark());
    assertEquals(Map.of("30005", List.of("Service/a/p", "Service/a/q")), pass.duplicates());
  }
}
