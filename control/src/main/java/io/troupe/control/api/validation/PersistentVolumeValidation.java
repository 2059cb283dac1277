package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.array;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.key;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.quantity;
import static io.troupe.control.api.validation.JsonFields.text;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.selector.NameSyntax;
import java.util.List;

/**
 * ValidatePersistentVolume and ValidatePersistentVolumeClaim: access modes, a positive storage size, a class name,
 * and, for volumes, exactly one source of those a Troupe node can mount (a directory of the node: hostPath or
 * local). Raw block volumes and the Recycle reclaim policy are refused: nothing here could honour them.
 */
final class PersistentVolumeValidation {
  /** supportedAccessModes, sorted. */
  static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
      "ReadWriteOncePod");
  /** Kubernetes also has Recycle (deprecated, rm -rf by a pod); Troupe does not. */
  static final List<String> RECLAIM_POLICIES = List.of("Delete", "Retain");
  static final List<String> VOLUME_MODES = List.of("Filesystem");
  /** The sources of a PersistentVolume a Troupe node can mount. */
  static final List<String> SUPPORTED = List.of("hostPath", "local");
  /** Every source of Kubernetes' PersistentVolumeSource, in the order ValidatePersistentVolumeSpec checks them. */
  static final List<String> SOURCES = List.of("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs",
      "flocker", "nfs", "rbd", "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile",
      "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi");

  private PersistentVolumeValidation() {
  }

  static void validatePersistentVolume(ObjectNode volume, List<Cause> causes) {
    ObjectNode spec = object(volume, "spec", "spec", causes);
    validateAccessModes(spec, "spec.accessModes", "", causes);
    ObjectNode capacity = object(spec, "capacity", "spec.capacity", causes);
    if (capacity == null || capacity.isEmpty()) {
      causes.add(Cause.required("spec.capacity", ""));
    }
    if (capacity == null || member(capacity, "storage") == null || capacity.size() > 1) {
      causes.add(Cause.notSupported("spec.capacity", capacity == null ? JsonNodeFactory.instance.objectNode() : capacity,
          List.of("storage")));
    }
    if (capacity != null) {
      capacity.fieldNames().forEachRemaining(resource ->
          validatePositive(capacity, resource, key("spec.capacity", resource), causes));
    }
    String policy = text(spec, "persistentVolumeReclaimPolicy", "spec.persistentVolumeReclaimPolicy", causes);
    if (policy != null && !policy.isEmpty() && !RECLAIM_POLICIES.contains(policy)) {
      causes.add(Cause.notSupported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES));
    }
    ObjectNode nodeAffinity = object(spec, "nodeAffinity", "spec.nodeAffinity", causes);
    if (nodeAffinity != null) {
      ObjectNode required = object(nodeAffinity, "required", "spec.nodeAffinity.required", causes);
      if (required == null) {
        causes.add(Cause.required("spec.nodeAffinity.required", "must specify required node constraints"));
      } else {
        validateNodeSelector(required, "spec.nodeAffinity.required", causes);
      }
    }
    validateSource(spec, nodeAffinity != null, causes);
    validateClassName(spec, "spec.storageClassName", causes);
    validateVolumeMode(spec, "spec.volumeMode", causes);
    ObjectNode claimRef = object(spec, "claimRef", "spec.claimRef", causes);
    if (claimRef != null) {
      // a reservation for one claim: the binder must be able to find it
      for (String field : List.of("namespace", "name")) {
        if (textOrEmpty(claimRef, field, "spec.claimRef." + field, causes).isEmpty()) {
          causes.add(Cause.required("spec.claimRef." + field, ""));
        }
      }
    }
  }

  private static void validateSource(ObjectNode spec, boolean nodeAffinity, List<Cause> causes) {
    int sources = 0;
    for (String source : SOURCES) {
      if (member(spec, source) == null) {
        continue;
      }
      String at = "spec." + source;
      if (sources++ > 0) {
        causes.add(Cause.forbidden(at, VolumeValidation.MORE_THAN_ONE_TYPE));
        continue;
      }
      if (!SUPPORTED.contains(source)) {
        causes.add(Cause.forbidden(at, source + " volumes are not supported by Troupe; supported persistent "
            + "volume types: " + String.join(", ", SUPPORTED)));
        continue;
      }
      ObjectNode fields = object(spec, source, at, causes);
      if (fields == null) {
        continue;
      }
      if (source.equals("hostPath")) {
        VolumeValidation.validateHostPath(fields, at, true, causes);
        continue;
      }
      String path = textOrEmpty(fields, "path", at + ".path", causes);
      if (path.isEmpty()) {
        causes.add(Cause.required(at + ".path", ""));
      } else {
        if (!path.startsWith("/")) {
          causes.add(Cause.invalid(at + ".path", path, "must be an absolute path"));
        }
        VolumeValidation.validateNoBacksteps(path, at + ".path", causes);
      }
      if (!nodeAffinity) {
        // a local path means something on one node only
        causes.add(Cause.required("spec.nodeAffinity", "Local volume requires node affinity"));
      }
    }
    if (sources == 0) {
      causes.add(Cause.required("spec", "must specify a volume type"));
    }
  }

  static void validatePersistentVolumeClaim(ObjectNode claim, List<Cause> causes) {
    ObjectNode spec = object(claim, "spec", "spec", causes);
    validateAccessModes(spec, "spec.accessModes", "at least 1 access mode is required", causes);
    JsonNode selector = member(spec, "selector");
    if (selector != null) {
      LabelSelectorValidation.validate(selector, "spec.selector", causes);
    }
    ObjectNode resources = object(spec, "resources", "spec.resources", causes);
    ObjectNode requests = object(resources, "requests", "spec.resources.requests", causes);
    if (member(requests, "storage") == null) {
      causes.add(Cause.required("spec.resources[storage]", ""));
    } else {
      validatePositive(requests, "storage", "spec.resources[storage]", causes);
    }
    validateClassName(spec, "spec.storageClassName", causes);
    validateVolumeMode(spec, "spec.volumeMode", causes);
    for (String field : List.of("dataSource", "dataSourceRef")) {
      if (member(spec, field) != null) {
        causes.add(Cause.forbidden("spec." + field, "volume populators and clones are not supported by Troupe: "
            + "a claim's volume always starts empty"));
      }
    }
  }

  private static void validateAccessModes(ObjectNode spec, String path, String requiredDetail, List<Cause> causes) {
    ArrayNode modes = array(spec, "accessModes", path, causes);
    if (modes == null || modes.isEmpty()) {
      causes.add(Cause.required(path, requiredDetail));
      return;
    }
    boolean readWriteOncePod = false;
    boolean others = false;
    for (int i = 0; i < modes.size(); i++) {
      JsonNode mode = modes.get(i);
      if (!mode.isTextual()) {
        causes.add(Cause.invalid(index(path, i), mode, "must be a string"));
      } else if (!ACCESS_MODES.contains(mode.textValue())) {
        causes.add(Cause.notSupported(path, mode.textValue(), ACCESS_MODES));
      } else if (mode.textValue().equals("ReadWriteOncePod")) {
        readWriteOncePod = true;
      } else {
        others = true;
      }
    }
    if (readWriteOncePod && others) {
      causes.add(Cause.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
  }

  /** ValidatePositiveQuantityValue. */
  private static void validatePositive(ObjectNode resources, String resource, String path, List<Cause> causes) {
    Quantity value = quantity(resources, resource, path, causes);
    if (value != null && value.amount().signum() <= 0) {
      causes.add(Cause.invalid(path, resources.get(resource), "must be greater than zero"));
    }
  }

  /** ValidateClassName: a StorageClass is named like most objects, a DNS subdomain; "" means no class. */
  private static void validateClassName(ObjectNode spec, String path, List<Cause> causes) {
    String className = text(spec, "storageClassName", path, causes);
    if (className != null && !className.isEmpty()) {
      for (String message : NameSyntax.isDns1123Subdomain(className)) {
        causes.add(Cause.invalid(path, className, message));
      }
    }
  }

  private static void validateVolumeMode(ObjectNode spec, String path, List<Cause> causes) {
    String mode = text(spec, "volumeMode", path, causes);
    if ("Block".equals(mode)) {
      causes.add(Cause.forbidden(path, "Block volumes are not supported by Troupe: a node cannot provide raw block "
          + "devices"));
    } else if (mode != null && !VOLUME_MODES.contains(mode)) {
      causes.add(Cause.notSupported(path, mode, VOLUME_MODES));
    }
  }

  /** ValidateNodeSelector: at least one term, each of valid requirements on labels or on the node's name. */
  private static void validateNodeSelector(ObjectNode selector, String path, List<Cause> causes) {
    String termsPath = path + ".nodeSelectorTerms";
    List<ObjectNode> terms = JsonFields.objects(selector, "nodeSelectorTerms", termsPath, causes);
    if (terms.isEmpty()) {
      causes.add(Cause.required(termsPath, "must have at least one node selector term"));
      return;
    }
    for (int i = 0; i < terms.size(); i++) {
      if (terms.get(i) == null) {
        continue;
      }
      String at = index(termsPath, i);
      List<ObjectNode> expressions = JsonFields.objects(terms.get(i), "matchExpressions", at + ".matchExpressions",
          causes);
      for (int j = 0; j < expressions.size(); j++) {
        if (expressions.get(j) != null) {
          validateRequirement(expressions.get(j), index(at + ".matchExpressions", j), causes);
        }
      }
      List<ObjectNode> fields = JsonFields.objects(terms.get(i), "matchFields", at + ".matchFields", causes);
      for (int j = 0; j < fields.size(); j++) {
        if (fields.get(j) != null) {
          validateFieldRequirement(fields.get(j), index(at + ".matchFields", j), causes);
        }
      }
    }
  }

  private static void validateRequirement(ObjectNode requirement, String path, List<Cause> causes) {
    String operator = textOrEmpty(requirement, "operator", path + ".operator", causes);
    ArrayNode values = array(requirement, "values", path + ".values", causes);
    int count = values == null ? 0 : values.size();
    switch (operator) {
      case "In", "NotIn" -> {
        if (count == 0) {
          causes.add(Cause.required(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (count > 0) {
          causes.add(Cause.forbidden(path + ".values",
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      }
      case "Gt", "Lt" -> {
        if (count != 1) {
          causes.add(Cause.required(path + ".values",
              "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        }
      }
      default -> causes.add(Cause.invalid(path + ".operator", operator, "not a valid selector operator"));
    }
    String key = textOrEmpty(requirement, "key", path + ".key", causes);
    for (String message : NameSyntax.isQualifiedName(key)) {
      causes.add(Cause.invalid(path + ".key", key, message));
    }
  }

  private static void validateFieldRequirement(ObjectNode requirement, String path, List<Cause> causes) {
    String operator = textOrEmpty(requirement, "operator", path + ".operator", causes);
    ArrayNode values = array(requirement, "values", path + ".values", causes);
    if (!operator.equals("In") && !operator.equals("NotIn")) {
      causes.add(Cause.invalid(path + ".operator", operator, "not a valid selector operator"));
    } else if (values == null || values.size() != 1) {
      causes.add(Cause.required(path + ".values",
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
    String key = textOrEmpty(requirement, "key", path + ".key", causes);
    if (!key.equals("metadata.name")) {
      causes.add(Cause.invalid(path + ".key", key, "not a valid field selector key"));
    }
  }
}
