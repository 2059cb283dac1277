package io.troupe.control.scheduler;

/**
 * A pod toleration ({@code spec.tolerations[]}).
 *
 * @param key "" with operator Exists tolerates every taint
 * @param operator "Equal" (the default, also for "") or "Exists"
 * @param effect "" tolerates every effect
 * @param tolerationSeconds how long a NoExecute taint is tolerated; null for ever (not used for scheduling)
 */
public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {

  public static final String EQUAL = "Equal";
  public static final String EXISTS = "Exists";

  public Toleration {
    key = key == null ? "" : key;
    operator = operator == null ? "" : operator;
    value = value == null ? "" : value;
    effect = effect == null ? "" : effect;
  }

  /** Kubernetes' {@code ToleratesTaint}: effect and key must agree (empty meaning any), then the operator. */
  public boolean tolerates(Taint taint) {
    if (!effect.isEmpty() && !effect.equals(taint.effect())) return false;
    if (!key.isEmpty() && !key.equals(taint.key())) return false;
    if (operator.isEmpty() || EQUAL.equals(operator)) return value.equals(taint.value());
    return EXISTS.equals(operator);
  }

  /** Whether any of the tolerations tolerates the taint. */
  public static boolean anyTolerates(java.util.List<Toleration> tolerations, Taint taint) {
    for (int i = 0, n = tolerations.size(); i < n; i++) {
      if (tolerations.get(i).tolerates(taint)) return true;
    }
    return false;
  }
}
