package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.text;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.List;

/** networking.k8s.io/v1 Ingress: backends, hosts, paths, TLS. (NetworkPolicy: {@link NetworkPolicyValidation}.) */
final class NetworkingValidation {

  static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
  /** Exact and Prefix paths must not hold these (Kubernetes' invalidPathSequences): they defeat path matching. */
  static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
  static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");

  private NetworkingValidation() {
  }

  static void validateIngress(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    ObjectNode defaultBackend = object(spec, "defaultBackend", "spec.defaultBackend", causes);
    List<ObjectNode> rules = objects(spec, "rules", "spec.rules", causes);
    // With neither, the Ingress routes nothing anywhere.
    if (rules.isEmpty() && defaultBackend == null) {
      causes.add(Cause.invalid("spec", member(spec, "rules"),
          "either `defaultBackend` or `rules` must be specified"));
    }
    if (defaultBackend != null) {
      validateBackend(defaultBackend, "spec.defaultBackend", causes);
    }
    String className = text(spec, "ingressClassName", "spec.ingressClassName", causes);
    if (className != null) {
      for (String message : NameSyntax.isDns1123Subdomain(className)) {
        causes.add(Cause.invalid("spec.ingressClassName", className, message));
      }
    }
    validateTls(spec, causes);
    for (int i = 0; i < rules.size(); i++) {
      ObjectNode rule = rules.get(i);
      if (rule == null) {
        continue;
      }
      String at = index("spec.rules", i);
      String host = text(rule, "host", at + ".host", causes);
      if (host != null && !host.isEmpty()) {
        if (isIpAddress(host)) {
          causes.add(Cause.invalid(at + ".host", host, "must be a DNS name, not an IP address"));
        } else {
          validateHost(host, at + ".host", causes);
        }
      }
      ObjectNode http = object(rule, "http", at + ".http", causes);
      if (http != null) {
        validateHttpPaths(http, at + ".http.paths", causes);
      }
    }
  }

  /** A leading "*." is a wildcard over one DNS label; the rest must be a name. */
  private static void validateHost(String host, String path, List<Cause> causes) {
    String name = host.startsWith("*.") ? host.substring(2) : host;
    for (String message : NameSyntax.isDns1123Subdomain(name)) {
      causes.add(Cause.invalid(path, host, message));
    }
  }

  /** An IPv4 or IPv6 literal (a host rule must be a name: requests are matched by their Host header's name). */
  private static boolean isIpAddress(String host) {
    return host.contains(":") ? host.matches("[0-9a-fA-F:.]+") : host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  /** spec.tls: hosts as rule hosts are, and the Secret named as a Secret's name must be. */
  private static void validateTls(ObjectNode spec, List<Cause> causes) {
    List<ObjectNode> entries = objects(spec, "tls", "spec.tls", causes);
    for (int i = 0; i < entries.size(); i++) {
      ObjectNode entry = entries.get(i);
      if (entry == null) {
        continue;
      }
      String at = index("spec.tls", i);
      ArrayNode hosts = JsonFields.array(entry, "hosts", at + ".hosts", causes);
      if (hosts != null) {
        for (int j = 0; j < hosts.size(); j++) {
          JsonNode host = hosts.get(j);
          if (!host.isTextual()) {
            causes.add(Cause.invalid(index(at + ".hosts", j), host, "must be a string"));
          } else {
            validateHost(host.textValue(), index(at + ".hosts", j), causes);
          }
        }
      }
      String secretName = textOrEmpty(entry, "secretName", at + ".secretName", causes);
      if (!secretName.isEmpty()) {
        for (String message : NameSyntax.isDns1123Subdomain(secretName)) {
          causes.add(Cause.invalid(at + ".secretName", secretName, message));
        }
      }
    }
  }

  private static void validateHttpPaths(ObjectNode http, String path, List<Cause> causes) {
    List<ObjectNode> paths = objects(http, "paths", path, causes);
    if (paths.isEmpty()) {
      causes.add(Cause.required(path, ""));
    }
    for (int j = 0; j < paths.size(); j++) {
      ObjectNode httpPath = paths.get(j);
      if (httpPath == null) {
        continue;
      }
      String at = index(path, j);
      String pathType = text(httpPath, "pathType", at + ".pathType", causes);
      String value = textOrEmpty(httpPath, "path", at + ".path", causes);
      if (pathType == null) {
        causes.add(Cause.required(at + ".pathType", "pathType must be specified"));
      } else if (!PATH_TYPES.contains(pathType)) {
        causes.add(Cause.notSupported(at + ".pathType", pathType, PATH_TYPES));
      } else if (!value.startsWith("/") && (!pathType.equals("ImplementationSpecific") || !value.isEmpty())) {
        causes.add(Cause.invalid(at + ".path", value, "must be an absolute path"));
      } else if (!pathType.equals("ImplementationSpecific")) {
        for (String sequence : INVALID_PATH_SEQUENCES) {
          if (value.contains(sequence)) {
            causes.add(Cause.invalid(at + ".path", value, "must not contain '" + sequence + "'"));
          }
        }
        for (String suffix : INVALID_PATH_SUFFIXES) {
          if (value.endsWith(suffix)) {
            causes.add(Cause.invalid(at + ".path", value, "cannot end with '" + suffix + "'"));
          }
        }
      }
      ObjectNode backend = object(httpPath, "backend", at + ".backend", causes);
      if (backend == null) {
        if (member(httpPath, "backend") == null) {
          causes.add(Cause.required(at + ".backend", ""));
        }
      } else {
        validateBackend(backend, at + ".backend", causes);
      }
    }
  }

  /** A backend is exactly one of a Service port or a typed resource reference. */
  private static void validateBackend(ObjectNode backend, String path, List<Cause> causes) {
    ObjectNode service = object(backend, "service", path + ".service", causes);
    ObjectNode resource = object(backend, "resource", path + ".resource", causes);
    if (service != null && resource != null) {
      causes.add(Cause.invalid(path, "", "cannot set both resource and service backends"));
    } else if (resource != null) {
      if (textOrEmpty(resource, "kind", path + ".resource.kind", causes).isEmpty()) {
        causes.add(Cause.required(path + ".resource.kind", ""));
      }
      if (textOrEmpty(resource, "name", path + ".resource.name", causes).isEmpty()) {
        causes.add(Cause.required(path + ".resource.name", ""));
      }
    } else if (service != null) {
      String name = textOrEmpty(service, "name", path + ".service.name", causes);
      if (name.isEmpty()) {
        causes.add(Cause.required(path + ".service.name", ""));
      } else {
        for (String message : NameSyntax.isDns1035Label(name)) {
          causes.add(Cause.invalid(path + ".service.name", name, message));
        }
      }
      ObjectNode port = object(service, "port", path + ".service.port", causes);
      String portName = textOrEmpty(port, "name", path + ".service.port.name", causes);
      Long number = integer(port, "number", path + ".service.port.number", causes);
      boolean hasNumber = number != null && number != 0;
      if (!portName.isEmpty() && hasNumber) {
        causes.add(Cause.invalid(path, "", "cannot set both port name & port number"));
      } else if (!portName.isEmpty()) {
        for (String message : NameSyntax.isValidPortName(portName)) {
          causes.add(Cause.invalid(path + ".service.port.name", portName, message));
        }
      } else if (hasNumber) {
        for (String message : NameSyntax.isValidPortNumber(number)) {
          causes.add(Cause.invalid(path + ".service.port.number", number, message));
        }
      } else {
        causes.add(Cause.required(path, "port name or number is required"));
      }
    } else {
      causes.add(Cause.invalid(path, "", "resource or service backend is required"));
    }
  }
}
