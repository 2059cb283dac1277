package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.UpdateValidation.IMMUTABLE;
import static io.troupe.control.api.validation.UpdateValidation.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What may change in storage objects once created (ValidatePersistentVolumeUpdate,
 * ValidatePersistentVolumeClaimUpdate, ValidateStorageClassUpdate). Compared after defaulting, with zero values
 * equal to absent ones, as {@link UpdateValidation} does.
 */
final class StorageUpdateValidation {
  static final String CLAIM_SPEC_IMMUTABLE =
      "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

  private StorageUpdateValidation() {
  }

  /**
   * A claim's spec is what quota and binding were decided on: only a bound claim's size may change (and not below
   * what it has), the binder may set the volume name once, and a claim without a class may get one.
   */
  static void validatePersistentVolumeClaimUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    ObjectNode before = normalizedObject(old.path("spec"));
    ObjectNode after = normalizedObject(updated.path("spec"));
    if (!before.has("volumeName")) {
      copy(after, before, "volumeName");
    }
    JsonNode oldClass = old.path("spec").get("storageClassName");
    if ((oldClass == null || oldClass.isNull()) && updated.path("spec").hasNonNull("storageClassName")) {
      copy(after, before, "storageClassName");
    }
    JsonNode oldSize = old.path("spec").path("resources").path("requests").path("storage");
    JsonNode newSize = updated.path("spec").path("resources").path("requests").path("storage");
    if ("Bound".equals(old.path("status").path("phase").asText())) {
      // a bound claim's size is checked below, on its own
      ObjectNode resources = after.get("resources") instanceof ObjectNode r ? r : after.putObject("resources");
      ObjectNode requests = resources.get("requests") instanceof ObjectNode r ? r : resources.putObject("requests");
      copy(before.path("resources").path("requests"), requests, "storage");
    }
    if (!normalize(before).equals(normalize(after))) {
      List<String> diff = new ArrayList<>();
      UpdateValidation.difference("spec", normalize(before), normalize(after), diff);
      causes.add(Cause.forbidden("spec", CLAIM_SPEC_IMMUTABLE + "\n" + String.join("\n", diff)));
    }
    BigDecimal shrunkTo = bytes(newSize);
    if (shrunkTo != null && bytes(oldSize) != null && shrunkTo.compareTo(bytes(oldSize)) < 0) {
      // Kubernetes lets a claim shrink back towards what it has after a failed expansion, never below
      BigDecimal capacity = bytes(old.path("status").path("capacity").path("storage"));
      if (shrunkTo.compareTo(capacity == null ? BigDecimal.ZERO : capacity) <= 0) {
        causes.add(Cause.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
      }
    }
    immutable(old.path("spec"), updated.path("spec"), "volumeMode", "spec.volumeMode", causes);
  }

  /** A volume's data lives where its source says: moving it would strand the data and whoever mounts it. */
  static void validatePersistentVolumeUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    JsonNode oldSpec = old.path("spec");
    JsonNode newSpec = updated.path("spec");
    ObjectNode before = JsonNodeFactory.instance.objectNode();
    ObjectNode after = JsonNodeFactory.instance.objectNode();
    for (String source : PersistentVolumeValidation.SOURCES) {
      copy(oldSpec, before, source);
      copy(newSpec, after, source);
    }
    if (!normalize(before).equals(normalize(after))) {
      List<String> diff = new ArrayList<>();
      UpdateValidation.difference("spec", normalize(before), normalize(after), diff);
      causes.add(Cause.forbidden("spec.persistentvolumesource",
          "spec.persistentvolumesource is immutable after creation\n" + String.join("\n", diff)));
    }
    immutable(oldSpec, newSpec, "volumeMode", "spec.volumeMode", causes);
    // node affinity may be added to a volume without one, never changed: pods were placed by it
    if (!normalize(oldSpec.path("nodeAffinity")).isEmpty()) {
      immutable(oldSpec, newSpec, "nodeAffinity", "spec.nodeAffinity", causes);
    }
  }

  /** Volumes were provisioned and are reclaimed by what the class said; a change would apply to some only. */
  static void validateStorageClassUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    for (String field : List.of("parameters", "provisioner", "reclaimPolicy")) {
      if (!normalize(old.path(field)).equals(normalize(updated.path(field)))) {
        causes.add(Cause.forbidden(field, "updates to " + field + " are forbidden."));
      }
    }
    immutable(old, updated, "volumeBindingMode", "volumeBindingMode", causes);
  }

  private static void immutable(JsonNode old, JsonNode updated, String field, String path, List<Cause> causes) {
    JsonNode value = updated.path(field);
    if (!normalize(old.path(field)).equals(normalize(value))) {
      causes.add(Cause.invalid(path, value.isMissingNode() ? null : value, IMMUTABLE));
    }
  }

  private static ObjectNode normalizedObject(JsonNode node) {
    JsonNode normalized = normalize(node);
    return normalized.isObject() ? (ObjectNode) normalized : JsonNodeFactory.instance.objectNode();
  }

  private static void copy(JsonNode from, ObjectNode to, String field) {
    JsonNode value = from.get(field);
    if (value == null) {
      to.remove(field);
    } else {
      to.set(field, value.deepCopy());
    }
  }

  /** A quantity's exact value, or null when absent or not a quantity (validation of the spec says why). */
  private static BigDecimal bytes(JsonNode quantity) {
    if (quantity.isMissingNode() || quantity.isNull()) {
      return null;
    }
    try {
      return Quantity.parse(quantity).amount();
    } catch (QuantityFormatException e) {
      return null;
    }
  }
}
