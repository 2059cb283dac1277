package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * A Secret's {@code stringData} is write-only, as in Kubernetes (which merges it while converting from v1): each
 * string lands base64-encoded under the same key of {@code data}, replacing what was there, and the field is
 * removed. Values that are not strings stay behind for validation to refuse.
 */
final class SecretStringData {
  private SecretStringData() {}

  static void mergeIntoData(ObjectNode secret) {
    JsonNode stringData = secret.get("stringData");
    if (stringData == null || stringData.isNull()) {
      secret.remove("stringData");
      return;
    }
    JsonNode data = secret.get("data");
    if (!stringData.isObject() || (data != null && !data.isNull() && !data.isObject())) return;
    ObjectNode merged = data instanceof ObjectNode d ? d : secret.putObject("data");
    Iterator<Map.Entry<String, JsonNode>> entries = stringData.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      if (!entry.getValue().isTextual()) continue;
      byte[] bytes = entry.getValue().textValue().getBytes(StandardCharsets.UTF_8);
      merged.put(entry.getKey(), Base64.getEncoder().encodeToString(bytes));
      entries.remove();
    }
    if (stringData.isEmpty()) secret.remove("stringData");
  }
}
