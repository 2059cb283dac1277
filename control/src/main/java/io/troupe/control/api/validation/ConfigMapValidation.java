package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.key;
import static io.troupe.control.api.validation.JsonFields.stringMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** ValidateConfigMap: keys become file names in volumes and variable names in envFrom. */
final class ConfigMapValidation {

  /** ConfigMaps are stored and watched whole; Kubernetes caps their data at 1 MiB. */
  static final int MAX_DATA_BYTES = 1024 * 1024;

  private ConfigMapValidation() {
  }

  static void validateConfigMap(ObjectNode object, List<Cause> causes) {
    Map<String, String> data = stringMap(object, "data", "data", causes);
    Map<String, String> binary = stringMap(object, "binaryData", "binaryData", causes);
    long totalBytes = 0;
    for (Map.Entry<String, String> entry : data.entrySet()) {
      String key = entry.getKey();
      for (String message : NameSyntax.isConfigMapKey(key)) {
        causes.add(Cause.invalid(key("data", key), key, message));
      }
      // Mounted, both maps land in one directory, so a key may not be in both.
      if (binary.containsKey(key)) {
        causes.add(Cause.invalid(key("data", key), key, "duplicate of key present in binaryData"));
      }
      totalBytes += entry.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    for (Map.Entry<String, String> entry : binary.entrySet()) {
      String key = entry.getKey();
      for (String message : NameSyntax.isConfigMapKey(key)) {
        causes.add(Cause.invalid(key("binaryData", key), key, message));
      }
      // binaryData holds base64 text; the limit is on the decoded bytes, three for every four chars.
      totalBytes += entry.getValue().length() / 4L * 3L;
    }
    if (totalBytes > MAX_DATA_BYTES) {
      causes.add(Cause.tooLong("data", MAX_DATA_BYTES));
    }
  }
}
