package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.key;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.selector.NameSyntax;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * ValidateSecret: base64 values under config keys, 1 MiB in all, and the keys each well-known type needs. No cause
 * ever shows a value (Kubernetes prints {@code <secret contents redacted>} where it would).
 *
 * <p>Runs after admission merged {@code stringData} into {@code data}; what is left of it is values that are not
 * strings.
 */
final class SecretValidation {
  /** MaxSecretSize: like ConfigMaps, Secrets are stored and watched whole. */
  static final int MAX_DATA_BYTES = 1024 * 1024;
  static final String REDACTED = "<secret contents redacted>";

  private SecretValidation() {
  }

  static void validateSecret(ObjectNode secret, List<Cause> causes) {
    Map<String, String> data = stringMap(secret, "data", "data", causes);
    stringMap(secret, "stringData", "stringData", causes);
    bool(secret, "immutable", "immutable", causes);
    long totalBytes = 0;
    for (Map.Entry<String, String> entry : data.entrySet()) {
      String at = key("data", entry.getKey());
      for (String message : NameSyntax.isConfigMapKey(entry.getKey())) {
        causes.add(Cause.invalid(at, entry.getKey(), message));
      }
      int corrupt = Base64Data.corruptAt(entry.getValue());
      if (corrupt >= 0) {
        causes.add(Cause.invalid(at, REDACTED, "illegal base64 data at input byte " + corrupt));
      } else {
        totalBytes += Base64Data.decodedLength(entry.getValue());
      }
    }
    if (totalBytes > MAX_DATA_BYTES) {
      causes.add(Cause.tooLong("data", MAX_DATA_BYTES));
    }
    String type = text(secret, "type", "type", causes);
    validateTypeKeys(type == null ? "" : type, secret, data, causes);
  }

  /** The keys (or annotation) without which a Secret of a well-known type is useless to its consumer. */
  private static void validateTypeKeys(String type, ObjectNode secret, Map<String, String> data,
      List<Cause> causes) {
    switch (type) {
      case "kubernetes.io/service-account-token" -> {
        String annotation = "kubernetes.io/service-account.name";
        if (secret.path("metadata").path("annotations").path(annotation).asText("").isEmpty()) {
          causes.add(Cause.required(key("metadata.annotations", annotation), ""));
        }
      }
      case "kubernetes.io/dockercfg" -> requireJsonObject(data, ".dockercfg", causes);
      case "kubernetes.io/dockerconfigjson" -> requireJsonObject(data, ".dockerconfigjson", causes);
      case "kubernetes.io/basic-auth" -> {
        // either may be empty, but one of them must be there
        if (!data.containsKey("username") && !data.containsKey("password")) {
          causes.add(Cause.required("data[username]", ""));
          causes.add(Cause.required("data[password]", ""));
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        if (data.getOrDefault("ssh-privatekey", "").isEmpty()) {
          causes.add(Cause.required("data[ssh-privatekey]", ""));
        }
      }
      case "kubernetes.io/tls" -> {
        for (String required : List.of("tls.crt", "tls.key")) {
          if (!data.containsKey(required)) {
            causes.add(Cause.required(key("data", required), ""));
          }
        }
      }
      default -> {
        // Opaque and types of other owners: any keys
      }
    }
  }

  /** A docker config key must be there and hold a JSON object, as the kubelet unmarshals it into a map. */
  private static void requireJsonObject(Map<String, String> data, String dataKey, List<Cause> causes) {
    String at = key("data", dataKey);
    String value = data.get(dataKey);
    if (value == null) {
      causes.add(Cause.required(at, ""));
      return;
    }
    if (Base64Data.corruptAt(value) >= 0) {
      return;
    }
    byte[] decoded = Base64.getMimeDecoder().decode(value);
    try {
      JsonNode config = Json.MAPPER.readTree(decoded);
      if (config == null || config.isMissingNode()) {
        causes.add(Cause.invalid(at, REDACTED, "unexpected end of JSON input"));
      } else if (!config.isObject() && !config.isNull()) {
        causes.add(Cause.invalid(at, REDACTED, "json: cannot unmarshal " + goJsonType(config)
            + " into Go value of type map[string]interface {}"));
      }
    } catch (JsonProcessingException e) {
      // the parser's own message may quote the content: only the position is given
      long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      causes.add(Cause.invalid(at, REDACTED, "invalid JSON" + (offset >= 0 ? " at byte " + offset : "")));
    } catch (java.io.IOException e) {
      causes.add(Cause.invalid(at, REDACTED, "invalid JSON"));
    }
  }

  private static String goJsonType(JsonNode node) {
    if (node.isArray()) {
      return "array";
    }
    if (node.isTextual()) {
      return "string";
    }
    return node.isBoolean() ? "bool" : "number";
  }
}
