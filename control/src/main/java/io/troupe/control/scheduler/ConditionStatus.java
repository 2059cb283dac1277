package io.troupe.control.scheduler;

/** The status of a node condition, as Kubernetes spells it: True, False or Unknown. */
public enum ConditionStatus {
  TRUE,
  FALSE,
  UNKNOWN;

  /** "True" and "False" as written; anything else, a missing condition included, is Unknown. */
  public static ConditionStatus of(String status) {
    if ("True".equals(status)) return TRUE;
    if ("False".equals(status)) return FALSE;
    return UNKNOWN;
  }
}
