package io.troupe.control.scheduler;

/**
 * The resources the scheduler counts: cpu in millicores, memory in bytes, and a number of pods. A node's
 * allocatable, what its pods request (with {@code pods} their number), or one pod's request (with {@code pods} 1).
 */
public record Resources(long milliCpu, long memory, long pods) {

  public static final Resources ZERO = new Resources(0, 0, 0);

  public Resources plus(Resources other) {
    return new Resources(milliCpu + other.milliCpu, memory + other.memory, pods + other.pods);
  }

  public Resources minus(Resources other) {
    return new Resources(milliCpu - other.milliCpu, memory - other.memory, pods - other.pods);
  }

  /** Per resource, the larger of the two (how init containers combine with the pod's containers). */
  public Resources max(Resources other) {
    return new Resources(Math.max(milliCpu, other.milliCpu), Math.max(memory, other.memory),
        Math.max(pods, other.pods));
  }
}
