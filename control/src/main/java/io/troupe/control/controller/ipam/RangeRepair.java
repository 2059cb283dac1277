package io.troupe.control.controller.ipam;

import io.troupe.control.ipam.AllocationRange;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One pass of the repair over one range, as Kubernetes' ipallocator and portallocator repair controllers decide it:
 * values Services hold that the allocation lacks are marked; values the allocation holds that no Service holds are
 * suspects, freed when still suspects on the next pass (a create in flight holds a value before its Service is
 * written; kube-apiserver waits a few passes, Troupe one). Pure.
 *
 * @param mark values to mark taken
 * @param free leaked values to free
 * @param suspects values no Service held in this pass, not freed yet: the next pass's {@code suspectsBefore}
 * @param duplicates values more than one Service holds (the repair can only report them)
 */
public record RangeRepair(Set<String> mark, Set<String> free, Set<String> suspects,
    Map<String, List<String>> duplicates) {

  public RangeRepair {
    mark = Set.copyOf(mark);
    free = Set.copyOf(free);
    suspects = Set.copyOf(suspects);
    duplicates = Map.copyOf(duplicates);
  }

  /**
   * @param allocated the values the stored allocation holds
   * @param holders for each value some Service holds, the Services holding it
   * @param suspectsBefore the previous pass's suspects
   */
  public static RangeRepair of(AllocationRange range, Collection<String> allocated, Map<String, List<String>> holders,
      Set<String> suspectsBefore) {
    Set<String> mark = new TreeSet<>();
    Map<String, List<String>> duplicates = new java.util.TreeMap<>();
    for (Map.Entry<String, List<String>> held : holders.entrySet()) {
      if (range.indexOf(held.getKey()) < 0) continue;
      if (held.getValue().size() > 1) duplicates.put(held.getKey(), List.copyOf(held.getValue()));
      if (!allocated.contains(held.getKey())) mark.add(held.getKey());
    }
    Set<String> free = new TreeSet<>();
    Set<String> suspects = new TreeSet<>();
    for (String value : allocated) {
      if (holders.containsKey(value)) continue;
      if (suspectsBefore.contains(value)) free.add(value);
      else suspects.add(value);
    }
    return new RangeRepair(mark, free, suspects, duplicates);
  }

  public boolean changes() {
    return !mark.isEmpty() || !free.isEmpty();
  }
}
