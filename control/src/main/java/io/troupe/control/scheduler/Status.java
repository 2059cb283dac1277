package io.troupe.control.scheduler;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a filter for one node, as kube-scheduler's {@code framework.Status}: success, or why the pod
 * does not fit, in the words Kubernetes users know from {@code kubectl describe pod}. Plugins return statuses and
 * never throw; the failures they can foresee are built once, so the filter loop allocates nothing.
 *
 * @param reasons one reason, or several when a node falls short in several ways (cpu and memory)
 */
public record Status(Code code, List<String> reasons) {

  /** Kubernetes' status codes that matter to filtering. */
  public enum Code {
    SUCCESS,
    /** The node does not fit now; it might after other pods go (preemption could help). */
    UNSCHEDULABLE,
    /** The node does not fit whatever other pods do (its labels, taints or readiness rule it out). */
    UNSCHEDULABLE_AND_UNRESOLVABLE
  }

  public static final Status SUCCESS = new Status(Code.SUCCESS, List.of());

  public Status {
    Objects.requireNonNull(code, "code");
    reasons = List.copyOf(reasons);
    if ((code == Code.SUCCESS) != reasons.isEmpty()) {
      throw new IllegalArgumentException("a failure has reasons and a success has none");
    }
  }

  public static Status unschedulable(String... reasons) {
    return new Status(Code.UNSCHEDULABLE, List.of(reasons));
  }

  public static Status unresolvable(String... reasons) {
    return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons));
  }

  public boolean isSuccess() {
    return code == Code.SUCCESS;
  }
}
