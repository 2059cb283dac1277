package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.List;

/**
 * ValidateRuntimeClass (node.k8s.io/v1): a {@code handler}, a DNS label naming a runtime of the nodes, which
 * never changes (ValidateRuntimeClassUpdate).
 */
final class RuntimeClassValidation {

  private RuntimeClassValidation() {
  }

  static void validateRuntimeClass(ObjectNode runtimeClass, List<Cause> causes) {
    var handler = runtimeClass.get("handler");
    if (handler == null || handler.isNull() || handler.asText("").isEmpty()) {
      causes.add(Cause.required("handler", ""));
      return;
    }
    if (!handler.isTextual()) {
      causes.add(Cause.invalid("handler", handler.toString(), "must be a string"));
      return;
    }
    for (String message : NameSyntax.isDns1123Label(handler.asText())) {
      causes.add(Cause.invalid("handler", handler.asText(), message));
    }
  }

  static void validateRuntimeClassUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    if (!old.path("handler").equals(updated.path("handler"))) {
      causes.add(Cause.invalid("handler", updated.path("handler").asText(null), "field is immutable"));
    }
  }
}
