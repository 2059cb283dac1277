package io.troupe.control.scheduler;

/** What the scheduler decided for one pod. */
public sealed interface Decision {

  /** Bind the pod to this node. */
  record Assign(String nodeName) implements Decision {}

  /**
   * No node fits. {@code message} is what Kubernetes puts in the PodScheduled condition and the FailedScheduling
   * event: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
   */
  record Unschedulable(String message) implements Decision {}
}
