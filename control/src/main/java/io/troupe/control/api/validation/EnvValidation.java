package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A container's {@code env}, as Kubernetes' ValidateEnv and validateEnvVarValueFrom check it: a name, and at most
 * one source of value (the Downward API's {@code fieldRef} and {@code resourceFieldRef}, or a key of a ConfigMap or
 * Secret), on an object whose defaults are filled ({@code fieldRef.apiVersion} v1).
 */
final class EnvValidation {
  /** The pod fields an environment variable may take (validEnvDownwardAPIFieldPathExpressions), sorted. */
  static final List<String> FIELD_PATHS = List.of("metadata.name", "metadata.namespace", "metadata.uid",
      "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
      "status.podIPs");
  /** What ConvertDownwardAPIFieldLabel knows at all (more than env allows). */
  private static final Set<String> KNOWN_FIELD_PATHS = Set.of("metadata.annotations", "metadata.labels",
      "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.restartPolicy",
      "spec.serviceAccountName", "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs",
      "status.podIP", "status.podIPs");
  /** validContainerResourceFieldPathExpressions, sorted; hugepages are accepted by prefix. */
  static final List<String> RESOURCES = List.of("limits.cpu", "limits.ephemeral-storage", "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory");
  private static final List<String> RESOURCE_PREFIXES = List.of("requests.hugepages-", "limits.hugepages-");
  private static final List<String> SOURCES = List.of("fieldRef", "resourceFieldRef", "configMapKeyRef",
      "secretKeyRef");

  private EnvValidation() {
  }

  static void validateEnv(ObjectNode container, String path, List<Cause> causes) {
    List<ObjectNode> env = objects(container, "env", path, causes);
    for (int i = 0; i < env.size(); i++) {
      ObjectNode var = env.get(i);
      if (var == null) {
        continue;
      }
      String at = index(path, i);
      if (textOrEmpty(var, "name", at + ".name", causes).isEmpty()) {
        causes.add(Cause.required(at + ".name", ""));
      }
      ObjectNode valueFrom = object(var, "valueFrom", at + ".valueFrom", causes);
      if (valueFrom != null) {
        validateValueFrom(valueFrom, textOrEmpty(var, "value", at + ".value", causes), at + ".valueFrom", causes);
      }
    }
  }

  private static void validateValueFrom(ObjectNode valueFrom, String value, String path, List<Cause> causes) {
    int sources = 0;
    for (String source : SOURCES) {
      String at = path + "." + source;
      ObjectNode selector = object(valueFrom, source, at, causes);
      if (selector == null) {
        continue;
      }
      sources++;
      switch (source) {
        case "fieldRef" -> validateFieldRef(selector, FIELD_PATHS, at, causes);
        case "resourceFieldRef" -> validateResourceFieldRef(selector, at, causes);
        default -> validateKeySelector(selector, at, causes);
      }
    }
    if (sources == 0) {
      causes.add(Cause.invalid(path, "",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    } else if (!value.isEmpty()) {
      causes.add(Cause.invalid(path, "", "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      causes.add(Cause.invalid(path, "", "may not have more than one field specified at a time"));
    }
  }

  /**
   * validateObjectFieldSelector, with ConvertDownwardAPIFieldLabel's messages: a pod field among {@code allowed}
   * (sorted), or a subscripted label or annotation.
   */
  static void validateFieldRef(ObjectNode ref, List<String> allowed, String path, List<Cause> causes) {
    String apiVersion = textOrEmpty(ref, "apiVersion", path + ".apiVersion", causes);
    String fieldPath = textOrEmpty(ref, "fieldPath", path + ".fieldPath", causes);
    if (fieldPath.isEmpty()) {
      causes.add(Cause.required(path + ".fieldPath", ""));
      return;
    }
    // an empty apiVersion is defaulted to v1
    if (!apiVersion.isEmpty() && !apiVersion.equals("v1")) {
      causes.add(Cause.invalid(path + ".fieldPath", fieldPath,
          "error converting fieldPath: unsupported pod version: " + apiVersion));
      return;
    }
    String[] subscripted = splitSubscript(fieldPath);
    if (subscripted != null) {
      String field = subscripted[0];
      String key = subscripted[1];
      if (field.equals("metadata.annotations")) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String message : NameSyntax.isQualifiedName(lower)) {
          causes.add(Cause.invalid(path, lower, message));
        }
      } else if (field.equals("metadata.labels")) {
        for (String message : NameSyntax.isQualifiedName(key)) {
          causes.add(Cause.invalid(path, key, message));
        }
      } else {
        causes.add(Cause.invalid(path + ".fieldPath", fieldPath,
            "error converting fieldPath: field label does not support subscript: " + fieldPath));
      }
      return;
    }
    String field = fieldPath.equals("spec.host") ? "spec.nodeName" : fieldPath;
    if (!KNOWN_FIELD_PATHS.contains(field)) {
      causes.add(Cause.invalid(path + ".fieldPath", fieldPath,
          "error converting fieldPath: field label not supported: " + fieldPath));
    } else if (!allowed.contains(field)) {
      causes.add(Cause.notSupported(path + ".fieldPath", field, allowed));
    }
  }

  /** fieldpath.SplitMaybeSubscriptedPath: {@code metadata.labels['app']} is {@code [metadata.labels, app]}. */
  private static String[] splitSubscript(String fieldPath) {
    if (!fieldPath.endsWith("']")) {
      return null;
    }
    String s = fieldPath.substring(0, fieldPath.length() - 2);
    int open = s.indexOf("['");
    if (open <= 0) {
      return null;
    }
    return new String[] {s.substring(0, open), s.substring(open + 2)};
  }

  private static void validateResourceFieldRef(ObjectNode ref, String path, List<Cause> causes) {
    String resource = textOrEmpty(ref, "resource", path + ".resource", causes);
    if (resource.isEmpty()) {
      causes.add(Cause.required(path + ".resource", ""));
    } else if (!RESOURCES.contains(resource) && RESOURCE_PREFIXES.stream().noneMatch(resource::startsWith)) {
      causes.add(Cause.notSupported(path + ".resource", resource, RESOURCES));
    }
  }

  /** validateConfigMapKeySelector and validateSecretKeySelector: a DNS subdomain name and a config key. */
  private static void validateKeySelector(ObjectNode ref, String path, List<Cause> causes) {
    String name = textOrEmpty(ref, "name", path + ".name", causes);
    for (String message : NameSyntax.isDns1123Subdomain(name)) {
      causes.add(Cause.invalid(path + ".name", name, message));
    }
    String key = textOrEmpty(ref, "key", path + ".key", causes);
    if (key.isEmpty()) {
      causes.add(Cause.required(path + ".key", ""));
    } else {
      for (String message : NameSyntax.isConfigMapKey(key)) {
        causes.add(Cause.invalid(path + ".key", key, message));
      }
    }
  }
}
