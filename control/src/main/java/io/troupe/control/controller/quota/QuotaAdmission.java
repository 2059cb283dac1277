package io.troupe.control.controller.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ResourceQuota admission check of a create (Kubernetes' resourcequota admission plugin), without I/O: does
 * creating {@code candidate} take a quota of its namespace over its {@code spec.hard}? The answer is the reason
 * the API server gives with 403 Forbidden, which the HTTP edge wraps as Kubernetes does:
 * {@code pods "web-1" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4}.
 *
 * <p>Usage is counted from the objects themselves rather than from {@code status.used}, so a quota is exact even
 * before its controller has caught up; concurrent creates may still both pass, as they may in Kubernetes
 * between two status updates.
 */
public final class QuotaAdmission {
  private QuotaAdmission() {}

  /**
   * @param quotasInNamespace the ResourceQuotas of the candidate's namespace
   * @param existing every object of the candidate's kind in its namespace (the candidate not among them)
   * @param candidate the object being created
   * @return empty when the create is allowed; else "exceeded quota: ..." or "failed quota: ...: must specify ..."
   * @throws io.troupe.persistence.model.QuantityFormatException for a malformed quantity in a pod or a quota
   */
  public static Optional<String> check(List<KubeObject> quotasInNamespace, List<KubeObject> existing,
      KubeObject candidate) {
    Map<String, QuotaQuantity> delta = QuotaUsage.of(candidate);
    if (delta.isEmpty()) return Optional.empty();
    List<KubeObject> quotas = new ArrayList<>(quotasInNamespace);
    quotas.sort(Comparator.comparing(q -> String.valueOf(q.metadata().name())));

    // Constraints first, as in Kubernetes: a pod under a compute quota states its requests and limits.
    for (KubeObject quota : quotas) {
      Optional<String> missing = QuotaUsage.missingCompute(candidate, hard(quota).keySet());
      if (missing.isPresent()) return Optional.of("failed quota: " + quota.metadata().name() + ": " + missing.get());
    }

    Map<String, QuotaQuantity> used = null;
    for (KubeObject quota : quotas) {
      Map<String, QuotaQuantity> hard = hard(quota);
      Map<String, QuotaQuantity> requested = mask(delta, hard.keySet());
      if (requested.isEmpty()) continue;
      if (used == null) used = usage(existing);
      List<String> exceeded = new ArrayList<>();
      for (Map.Entry<String, QuotaQuantity> r : requested.entrySet()) {
        QuotaQuantity after = used.getOrDefault(r.getKey(), QuotaQuantity.ZERO).plus(r.getValue());
        if (after.isGreaterThan(hard.get(r.getKey()))) exceeded.add(r.getKey());
      }
      if (exceeded.isEmpty()) continue;
      return Optional.of("exceeded quota: " + quota.metadata().name()
          + ", requested: " + print(requested, exceeded)
          + ", used: " + print(used, exceeded)
          + ", limited: " + print(hard, exceeded));
    }
    return Optional.empty();
  }

  /** The summed usage of {@code objects}, resource by resource (sorted by name). */
  static Map<String, QuotaQuantity> usage(List<KubeObject> objects) {
    Map<String, QuotaQuantity> sum = new TreeMap<>();
    for (KubeObject o : objects) QuotaUsage.of(o).forEach((r, q) -> sum.merge(r, q, QuotaQuantity::plus));
    return sum;
  }

  /** spec.hard, parsed, sorted by resource name. */
  static Map<String, QuotaQuantity> hard(KubeObject quota) {
    Map<String, QuotaQuantity> hard = new TreeMap<>();
    JsonNode spec = quota.spec();
    JsonNode node = spec == null ? null : spec.get("hard");
    if (node != null && node.isObject()) {
      node.properties().forEach(e -> hard.put(e.getKey(), QuotaQuantity.parse(e.getValue())));
    }
    return hard;
  }

  private static Map<String, QuotaQuantity> mask(Map<String, QuotaQuantity> list, Set<String> names) {
    Map<String, QuotaQuantity> out = new TreeMap<>();
    list.forEach((r, q) -> {
      if (names.contains(r)) out.put(r, q);
    });
    return out;
  }

  /** prettyPrint of the admission plugin: {@code a=1,b=2}, sorted by name; a missing value is 0. */
  private static String print(Map<String, QuotaQuantity> list, List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      if (out.length() > 0) out.append(',');
      out.append(name).append('=').append(list.getOrDefault(name, QuotaQuantity.ZERO));
    }
    return out.toString();
  }
}
