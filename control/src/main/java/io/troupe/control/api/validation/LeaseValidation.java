package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * ValidateLease (coordination.k8s.io/v1): {@code leaseDurationSeconds} greater than 0 and {@code leaseTransitions}
 * not negative when given, {@code acquireTime} and {@code renewTime} RFC 3339 times (metav1.MicroTime: what
 * Kubernetes' decoder would refuse), and a {@code preferredHolder} only with a {@code strategy}.
 */
final class LeaseValidation {

  private LeaseValidation() {
  }

  static void validateLease(ObjectNode lease, List<Cause> causes) {
    ObjectNode spec = JsonFields.object(lease, "spec", "spec", causes);
    if (spec == null) return;
    JsonFields.text(spec, "holderIdentity", "spec.holderIdentity", causes);
    Long duration = JsonFields.integer(spec, "leaseDurationSeconds", "spec.leaseDurationSeconds", causes);
    if (duration != null && duration <= 0) {
      causes.add(Cause.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
    }
    Long transitions = JsonFields.integer(spec, "leaseTransitions", "spec.leaseTransitions", causes);
    if (transitions != null && transitions < 0) {
      causes.add(Cause.invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"));
    }
    for (String field : List.of("acquireTime", "renewTime")) {
      String time = JsonFields.text(spec, field, "spec." + field, causes);
      if (time == null || time.isEmpty()) continue;
      try {
        OffsetDateTime.parse(time);
      } catch (DateTimeParseException e) {
        causes.add(Cause.invalid("spec." + field, time,
            "must be an RFC 3339 time, such as 2006-01-02T15:04:05.000000Z"));
      }
    }
    String strategy = JsonFields.text(spec, "strategy", "spec.strategy", causes);
    String preferred = JsonFields.text(spec, "preferredHolder", "spec.preferredHolder", causes);
    if (preferred != null && !preferred.isEmpty() && (strategy == null || strategy.isEmpty())) {
      causes.add(Cause.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
    }
    if (strategy != null && !strategy.isEmpty() && !strategy.equals("OldestEmulationVersion")) {
      causes.add(Cause.notSupported("spec.strategy", strategy, List.of("OldestEmulationVersion")));
    }
  }
}
