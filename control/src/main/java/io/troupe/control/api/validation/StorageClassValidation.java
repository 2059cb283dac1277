package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** ValidateStorageClass (storage.k8s.io/v1): a provisioner, its parameters, and how its volumes bind and end. */
final class StorageClassValidation {
  static final List<String> RECLAIM_POLICIES = List.of("Delete", "Retain");
  static final List<String> VOLUME_BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
  /** maxProvisionerParameterLen and maxProvisionerParameterSize. */
  static final int MAX_PARAMETERS = 512;
  static final int MAX_PARAMETERS_BYTES = 256 * 1024;

  private StorageClassValidation() {
  }

  static void validateStorageClass(ObjectNode storageClass, List<Cause> causes) {
    String provisioner = text(storageClass, "provisioner", "provisioner", causes);
    if (provisioner == null || provisioner.isEmpty()) {
      causes.add(Cause.required("provisioner", ""));
    } else {
      String lower = provisioner.toLowerCase(Locale.ROOT);
      for (String message : NameSyntax.isQualifiedName(lower)) {
        causes.add(Cause.invalid("provisioner", lower, message));
      }
    }
    validateParameters(stringMap(storageClass, "parameters", "parameters", causes), causes);
    String policy = text(storageClass, "reclaimPolicy", "reclaimPolicy", causes);
    if (policy != null && !policy.isEmpty() && !RECLAIM_POLICIES.contains(policy)) {
      causes.add(Cause.notSupported("reclaimPolicy", policy, RECLAIM_POLICIES));
    }
    // absent, it is defaulted to Immediate
    String mode = text(storageClass, "volumeBindingMode", "volumeBindingMode", causes);
    if (mode != null && !VOLUME_BINDING_MODES.contains(mode)) {
      causes.add(Cause.notSupported("volumeBindingMode", mode, VOLUME_BINDING_MODES));
    }
    bool(storageClass, "allowVolumeExpansion", "allowVolumeExpansion", causes);
  }

  private static void validateParameters(Map<String, String> parameters, List<Cause> causes) {
    if (parameters.size() > MAX_PARAMETERS) {
      causes.add(Cause.tooMany("parameters", parameters.size(), MAX_PARAMETERS));
      return;
    }
    long totalBytes = 0;
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      if (parameter.getKey().isEmpty()) {
        causes.add(Cause.invalid("parameters", "", "field can not be empty."));
      }
      totalBytes += parameter.getKey().getBytes(StandardCharsets.UTF_8).length
          + parameter.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (totalBytes > MAX_PARAMETERS_BYTES) {
      causes.add(Cause.tooLong("parameters", MAX_PARAMETERS_BYTES));
    }
  }
}
