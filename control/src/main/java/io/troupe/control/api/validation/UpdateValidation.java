package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The rules that compare an update with the stored object: what may never change once created.
 * Kubernetes defaults the new object before comparing, so callers must apply the same defaults to
 * the new object as were applied at creation, or unchanged fields that were defaulted will look
 * removed.
 */
final class UpdateValidation {

  static final String IMMUTABLE = "field is immutable";
  static final String POD_UPDATE_FORBIDDEN = "pod updates may not change fields other than "
      + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      + "`spec.tolerations` (only additions to existing tolerations),"
      + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
  static final String IMMUTABLE_CONFIG_MAP = "field is immutable when `immutable` is set";
  private static final int MAX_DIFF_LINES = 20;

  private UpdateValidation() {
  }

  /**
   * Name, namespace and uid identify the object in storage and in references to it. An update that
   * leaves the namespace or uid out keeps the stored one (the API fills them in), so only a different
   * non-empty value is a change.
   */
  static void validateMetadataUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    String oldName = metadataText(old, "name");
    String newName = metadataText(updated, "name");
    if (!oldName.equals(newName)) {
      causes.add(Cause.invalid("metadata.name", newName, IMMUTABLE));
    }
    for (String field : List.of("namespace", "uid")) {
      String oldValue = metadataText(old, field);
      String newValue = metadataText(updated, field);
      if (!newValue.isEmpty() && !newValue.equals(oldValue)) {
        causes.add(Cause.invalid("metadata." + field, newValue, IMMUTABLE));
      }
    }
  }

  /**
   * A running pod is a promise made to a node: only its images, its deadline (shortened), its
   * tolerations (added to) and a negative grace period may change; anything else needs a new pod.
   */
  static void validatePodUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    ObjectNode oldSpec = specOf(old);
    ObjectNode newSpec = specOf(updated);
    for (String field : List.of("containers", "initContainers")) {
      if (elements(oldSpec, field).size() != elements(newSpec, field).size()) {
        causes.add(Cause.forbidden("spec." + field, "pod updates may not add or remove containers"));
        return;
      }
    }
    JsonNode oldDeadline = JsonFields.member(oldSpec, "activeDeadlineSeconds");
    JsonNode newDeadline = JsonFields.member(newSpec, "activeDeadlineSeconds");
    if (newDeadline != null && newDeadline.isIntegralNumber()) {
      long value = newDeadline.longValue();
      if (value < 0 || value > PodSpecValidation.MAX_INT32) {
        causes.add(Cause.invalid("spec.activeDeadlineSeconds", value, "must be between 0 and "
            + PodSpecValidation.MAX_INT32 + ", inclusive"));
        return;
      }
      if (oldDeadline != null && oldDeadline.isIntegralNumber() && oldDeadline.longValue() < value) {
        causes.add(Cause.invalid("spec.activeDeadlineSeconds", value,
            "must be less than or equal to previous value"));
        return;
      }
    } else if (newDeadline == null && oldDeadline != null) {
      causes.add(Cause.invalid("spec.activeDeadlineSeconds", null,
          "must not update from a positive integer to nil value"));
    }
    validateOnlyAddedTolerations(elements(oldSpec, "tolerations"), elements(newSpec, "tolerations"), causes);

    ObjectNode munged = newSpec.deepCopy();
    for (String field : List.of("containers", "initContainers")) {
      List<JsonNode> oldContainers = elements(oldSpec, field);
      List<JsonNode> newContainers = elements(munged, field);
      for (int i = 0; i < newContainers.size(); i++) {
        if (newContainers.get(i).isObject()) {
          copyField(oldContainers.get(i), (ObjectNode) newContainers.get(i), "image");
        }
      }
    }
    copyField(oldSpec, munged, "activeDeadlineSeconds");
    copyField(oldSpec, munged, "tolerations");
    JsonNode oldGrace = JsonFields.member(oldSpec, "terminationGracePeriodSeconds");
    JsonNode newGrace = JsonFields.member(munged, "terminationGracePeriodSeconds");
    if (oldGrace != null && oldGrace.isIntegralNumber() && oldGrace.longValue() < 0
        && newGrace != null && newGrace.isIntegralNumber() && newGrace.longValue() == 1) {
      copyField(oldSpec, munged, "terminationGracePeriodSeconds");
    }
    JsonNode before = normalize(oldSpec);
    JsonNode after = normalize(munged);
    if (!before.equals(after)) {
      List<String> diff = new ArrayList<>();
      difference("spec", before, after, diff);
      causes.add(Cause.forbidden("spec", POD_UPDATE_FORBIDDEN + "\n" + String.join("\n", diff)));
    }
  }

  /** Removing or changing a toleration could leave a pod on a node whose taints now repel it. */
  private static void validateOnlyAddedTolerations(List<JsonNode> old, List<JsonNode> updated,
      List<Cause> causes) {
    for (JsonNode oldToleration : old) {
      JsonNode wanted = withoutTolerationSeconds(oldToleration);
      boolean found = false;
      for (JsonNode newToleration : updated) {
        found |= wanted.equals(withoutTolerationSeconds(newToleration));
      }
      if (!found) {
        causes.add(Cause.forbidden("spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds"));
        return;
      }
    }
  }

  private static JsonNode withoutTolerationSeconds(JsonNode toleration) {
    JsonNode copy = normalize(toleration);
    if (copy.isObject()) {
      ((ObjectNode) copy).remove("tolerationSeconds");
    }
    return copy;
  }

  /** apps/v1 made selectors immutable: a changed selector would orphan the pods already running. */
  static void validateSelectorUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    if (!"apps/v1".equals(updated.path("apiVersion").asText())) {
      return;
    }
    JsonNode oldSelector = normalize(specOf(old).path("selector"));
    JsonNode newSelector = specOf(updated).path("selector");
    if (!oldSelector.equals(normalize(newSelector))) {
      causes.add(Cause.invalid("spec.selector", newSelector, IMMUTABLE));
    }
  }

  /**
   * The cluster IP is what clients and DNS already point at. An update without one keeps the
   * allocated IP; switching to or from ExternalName releases or allocates one, so it is exempt.
   */
  static void validateServiceUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    ObjectNode oldSpec = specOf(old);
    ObjectNode newSpec = specOf(updated);
    if ("ExternalName".equals(oldSpec.path("type").asText())
        || "ExternalName".equals(newSpec.path("type").asText())) {
      return;
    }
    String oldIp = oldSpec.path("clusterIP").asText("");
    String newIp = newSpec.path("clusterIP").asText("");
    if (!oldIp.isEmpty() && !newIp.isEmpty() && !oldIp.equals(newIp)) {
      causes.add(Cause.invalid("spec.clusterIP", newIp, IMMUTABLE));
    }
  }

  /**
   * A Node's pod CIDR is what its pods' IPs come from: once set (by the node-ipam controller or the node's agent) it
   * never changes, as ValidateNodeUpdate has it.
   */
  static void validateNodeUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    JsonNode before = specOf(old).path("podCIDRs");
    if (before.isEmpty()) {
      before = specOf(old).path("podCIDR").asText("").isEmpty() ? before
          : JsonNodeFactory.instance.arrayNode().add(specOf(old).path("podCIDR").asText());
    }
    if (before.isEmpty()) {
      return;
    }
    JsonNode after = specOf(updated).path("podCIDRs");
    String single = specOf(updated).path("podCIDR").asText("");
    if (!before.equals(after) || (!single.isEmpty() && !single.equals(before.get(0).asText()))
        || (single.isEmpty() && specOf(updated).has("podCIDR"))) {
      causes.add(Cause.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
    }
  }

  /** An immutable ConfigMap lets kubelets stop watching it; that promise cannot be taken back. */
  static void validateConfigMapUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    if (!old.path("immutable").asBoolean(false)) {
      return;
    }
    if (!updated.path("immutable").asBoolean(false)) {
      causes.add(Cause.forbidden("immutable", IMMUTABLE_CONFIG_MAP));
    }
    for (String field : List.of("data", "binaryData")) {
      if (!normalize(old.path(field)).equals(normalize(updated.path(field)))) {
        causes.add(Cause.forbidden(field, IMMUTABLE_CONFIG_MAP));
      }
    }
  }

  /** A Secret's type says what its consumers read from it; an immutable Secret is as an immutable ConfigMap. */
  static void validateSecretUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    JsonNode newType = updated.path("type");
    if (!normalize(old.path("type")).equals(normalize(newType))) {
      causes.add(Cause.invalid("type", newType.isMissingNode() ? "" : newType, IMMUTABLE));
    }
    if (!old.path("immutable").asBoolean(false)) {
      return;
    }
    if (!updated.path("immutable").asBoolean(false)) {
      causes.add(Cause.forbidden("immutable", IMMUTABLE_CONFIG_MAP));
    }
    if (!normalize(old.path("data")).equals(normalize(updated.path("data")))) {
      causes.add(Cause.forbidden("data", IMMUTABLE_CONFIG_MAP));
    }
  }

  private static String metadataText(ObjectNode object, String field) {
    JsonNode value = object.path("metadata").path(field);
    return value.isTextual() ? value.textValue() : "";
  }

  private static ObjectNode specOf(ObjectNode object) {
    JsonNode spec = object.get("spec");
    return spec != null && spec.isObject() ? (ObjectNode) spec : JsonNodeFactory.instance.objectNode();
  }

  private static List<JsonNode> elements(JsonNode parent, String field) {
    List<JsonNode> elements = new ArrayList<>();
    JsonNode array = parent.path(field);
    if (array.isArray()) {
      array.forEach(elements::add);
    }
    return elements;
  }

  private static void copyField(JsonNode from, ObjectNode to, String field) {
    JsonNode value = from.get(field);
    if (value == null) {
      to.remove(field);
    } else {
      to.set(field, value.deepCopy());
    }
  }

  /**
   * A copy without null, "", false, empty arrays and empty objects: Go decodes all of those to the
   * same zero value as an absent field, and Kubernetes compares the decoded structs.
   */
  static JsonNode normalize(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        JsonNode value = normalize(entry.getValue());
        if (!isZero(value)) {
          copy.set(entry.getKey(), value);
        }
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> copy.add(normalize(element)));
      return copy;
    }
    return node.isMissingNode() ? JsonNodeFactory.instance.nullNode() : node;
  }

  private static boolean isZero(JsonNode value) {
    return value.isNull() || value.isMissingNode()
        || (value.isTextual() && value.textValue().isEmpty())
        || (value.isBoolean() && !value.booleanValue())
        || (value.isContainerNode() && value.isEmpty());
  }

  /** Lines naming each changed leaf, so a rejected update says what it tried to change. */
  static void difference(String path, JsonNode before, JsonNode after, List<String> out) {
    if (out.size() >= MAX_DIFF_LINES || before.equals(after)) {
      return;
    }
    if (before.isObject() && after.isObject()) {
      TreeSet<String> fields = new TreeSet<>();
      before.fieldNames().forEachRemaining(fields::add);
      after.fieldNames().forEachRemaining(fields::add);
      for (String field : fields) {
        difference(path + "." + field, before.path(field), after.path(field), out);
      }
    } else if (before.isArray() && after.isArray() && before.size() == after.size()) {
      for (int i = 0; i < before.size(); i++) {
        difference(path + "[" + i + "]", before.get(i), after.get(i), out);
      }
    } else {
      out.add("  " + path + ": " + shown(before) + " -> " + shown(after));
    }
  }

  private static String shown(JsonNode node) {
    return node.isMissingNode() ? "<unset>" : Cause.goValue(node);
  }
}
