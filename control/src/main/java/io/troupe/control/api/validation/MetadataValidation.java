package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** ObjectMeta rules (ValidateObjectMeta): name, generateName, namespace, labels, annotations, owners. */
final class MetadataValidation {

  /** Annotations are stored with the object; Kubernetes caps their total at 256 KiB. */
  static final int TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

  private MetadataValidation() {
  }

  /** Which syntax a kind's names follow. */
  enum NameRule {
    /** Most kinds: the name may appear in DNS as a subdomain. */
    DNS1123_SUBDOMAIN,
    /** Namespaces: the name is one DNS label of Service host names. */
    DNS1123_LABEL,
    /** Services: a DNS label that also starts with a letter, as it prefixes environment variables. */
    DNS1035_LABEL,
    /** RBAC kinds: any name that is one URL path segment, so "system:node" is allowed. */
    PATH_SEGMENT;

    /**
     * The errors for a name, or for a generateName prefix: a prefix may end in '-' because the
     * generated suffix will follow it, so that dash is checked as if it were a letter.
     */
    List<String> check(String name, boolean prefix) {
      String checked = prefix && name.length() > 1 && name.endsWith("-")
          ? name.substring(0, name.length() - 1) + "a"
          : name;
      switch (this) {
        case DNS1123_LABEL:
          return NameSyntax.isDns1123Label(checked);
        case DNS1035_LABEL:
          return NameSyntax.isDns1035Label(checked);
        case PATH_SEGMENT:
          return pathSegmentErrors(name, prefix);
        default:
          return NameSyntax.isDns1123Subdomain(checked);
      }
    }
  }

  /** IsValidPathSegmentName (or Prefix): the name must survive being put in a URL path as is. */
  private static List<String> pathSegmentErrors(String name, boolean prefix) {
    if (!prefix && (name.equals(".") || name.equals(".."))) {
      return List.of("may not be '" + name + "'");
    }
    List<String> errors = new ArrayList<>();
    for (String illegal : List.of("/", "%")) {
      if (name.contains(illegal)) {
        errors.add("may not contain '" + illegal + "'");
      }
    }
    return errors;
  }

  static void validateObjectMeta(ObjectNode object, NameRule rule, boolean namespaced, List<Cause> causes) {
    ObjectNode metadata = object(object, "metadata", "metadata", causes);
    String generateName = text(metadata, "generateName", "metadata.generateName", causes);
    boolean generated = generateName != null && !generateName.isEmpty();
    if (generated) {
      for (String message : rule.check(generateName, true)) {
        causes.add(Cause.invalid("metadata.generateName", generateName, message));
      }
    }
    String name = text(metadata, "name", "metadata.name", causes);
    if (name == null || name.isEmpty()) {
      // With generateName, the API server appends a random suffix to make the name after validation.
      if (!generated) {
        causes.add(Cause.required("metadata.name", "name or generateName is required"));
      }
    } else {
      for (String message : rule.check(name, false)) {
        causes.add(Cause.invalid("metadata.name", name, message));
      }
    }
    String namespace = text(metadata, "namespace", "metadata.namespace", causes);
    if (namespace != null && !namespace.isEmpty()) {
      // An absent namespace is filled from the request path before the object is stored.
      if (!namespaced) {
        causes.add(Cause.forbidden("metadata.namespace", "not allowed on this type"));
      } else {
        for (String message : NameRule.DNS1123_LABEL.check(namespace, false)) {
          causes.add(Cause.invalid("metadata.namespace", namespace, message));
        }
      }
    }
    validateLabelsAndAnnotations(metadata, "metadata", causes);
    validateOwnerReferences(metadata, causes);
    validateFinalizers(metadata, causes);
  }

  /** The labels and annotations of object or pod template metadata at {@code path}. */
  static void validateLabelsAndAnnotations(JsonNode metadata, String path, List<Cause> causes) {
    String labelsPath = path + ".labels";
    validateLabels(stringMap(metadata, "labels", labelsPath, causes), labelsPath, causes);
    String annotationsPath = path + ".annotations";
    validateAnnotations(stringMap(metadata, "annotations", annotationsPath, causes), annotationsPath, causes);
  }

  /**
   * Kubernetes bounds each label (a qualified key of at most 317 bytes, a value of at most 63) but not their
   * number. Troupe allows 256 per map (an object's labels, a selector): far more than real objects carry
   * (tens), and it caps a map at about 95 KiB, which every selector and watch-cache index entry walks.
   */
  static final int MAX_LABELS = 256;

  /** ValidateLabels: as in Kubernetes, each error names the map, not the key, as its field. */
  static void validateLabels(Map<String, String> labels, String path, List<Cause> causes) {
    if (labels.size() > MAX_LABELS) {
      causes.add(Cause.tooMany(path, labels.size(), MAX_LABELS));
      return;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      for (String message : NameSyntax.isQualifiedName(label.getKey())) {
        causes.add(Cause.invalid(path, label.getKey(), message));
      }
      for (String message : NameSyntax.isValidLabelValue(label.getValue())) {
        causes.add(Cause.invalid(path, label.getValue(), message));
      }
    }
  }

  /** Annotation keys are qualified names up to case; the values are free-form but limited in total. */
  static void validateAnnotations(Map<String, String> annotations, String path, List<Cause> causes) {
    long totalBytes = 0;
    for (Map.Entry<String, String> annotation : annotations.entrySet()) {
      String key = annotation.getKey();
      for (String message : NameSyntax.isQualifiedName(key.toLowerCase(Locale.ROOT))) {
        causes.add(Cause.invalid(path, key, message));
      }
      totalBytes += key.getBytes(StandardCharsets.UTF_8).length
          + annotation.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (totalBytes > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
      causes.add(Cause.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
    }
  }

  /**
   * Owner references drive garbage collection and adoption, so each must identify its owner fully,
   * and only one may claim to be the controller (which is the one that adopts and deletes).
   */
  private static void validateOwnerReferences(JsonNode metadata, List<Cause> causes) {
    String path = "metadata.ownerReferences";
    List<ObjectNode> references = objects(metadata, "ownerReferences", path, causes);
    String firstController = null;
    for (int i = 0; i < references.size(); i++) {
      ObjectNode reference = references.get(i);
      if (reference == null) {
        continue;
      }
      String at = index(path, i);
      String apiVersion = textOrEmpty(reference, "apiVersion", at + ".apiVersion", causes);
      String kind = textOrEmpty(reference, "kind", at + ".kind", causes);
      String name = textOrEmpty(reference, "name", at + ".name", causes);
      String uid = textOrEmpty(reference, "uid", at + ".uid", causes);
      String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
      if (version.isEmpty()) {
        causes.add(Cause.invalid(path + ".apiVersion", apiVersion, "version must not be empty"));
      }
      if (kind.isEmpty()) {
        causes.add(Cause.invalid(path + ".kind", kind, "must not be empty"));
      }
      if (name.isEmpty()) {
        causes.add(Cause.invalid(path + ".name", name, "must not be empty"));
      }
      if (uid.isEmpty()) {
        causes.add(Cause.invalid(path + ".uid", uid, "must not be empty"));
      }
      if (Boolean.TRUE.equals(bool(reference, "controller", at + ".controller", causes))) {
        String controller = kind + "/" + name;
        if (firstController == null) {
          firstController = controller;
        } else {
          causes.add(Cause.invalid(path, metadata.get("ownerReferences"),
              "Only one reference can have Controller set to true. Found \"true\" in references for "
                  + firstController + " and " + controller));
        }
      }
    }
  }

  private static void validateFinalizers(JsonNode metadata, List<Cause> causes) {
    String path = "metadata.finalizers";
    ArrayNode finalizers = JsonFields.array(metadata, "finalizers", path, causes);
    if (finalizers == null) {
      return;
    }
    for (int i = 0; i < finalizers.size(); i++) {
      JsonNode finalizer = finalizers.get(i);
      if (!finalizer.isTextual()) {
        causes.add(Cause.invalid(index(path, i), finalizer, "must be a string"));
        continue;
      }
      for (String message : NameSyntax.isQualifiedName(finalizer.textValue())) {
        causes.add(Cause.invalid(path, finalizer.textValue(), message));
      }
    }
  }
}
