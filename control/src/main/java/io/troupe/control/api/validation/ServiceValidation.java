package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** ValidateService: type, ports, node ports, selector, external name, session affinity. */
final class ServiceValidation {

  static final List<String> SERVICE_TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  static final List<String> SESSION_AFFINITIES = List.of("ClientIP", "None");

  private ServiceValidation() {
  }

  static void validateService(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    String type = text(spec, "type", "spec.type", causes);
    if (type == null) {
      type = "ClusterIP"; // the default
    } else if (!SERVICE_TYPES.contains(type)) {
      causes.add(Cause.notSupported("spec.type", type, SERVICE_TYPES));
    }
    String clusterIp = text(spec, "clusterIP", "spec.clusterIP", causes);
    boolean headless = "None".equals(clusterIp);
    List<ObjectNode> ports = objects(spec, "ports", "spec.ports", causes);
    // A headless or ExternalName service is only a DNS record, so it needs no port to proxy.
    if (ports.isEmpty() && !headless && !type.equals("ExternalName")) {
      causes.add(Cause.required("spec.ports", ""));
    }
    if (type.equals("ExternalName")) {
      String externalName = text(spec, "externalName", "spec.externalName", causes);
      // The CNAME target may end with a dot to mark it fully qualified.
      String cname = externalName == null ? "" : externalName.endsWith(".")
          ? externalName.substring(0, externalName.length() - 1) : externalName;
      if (cname.isEmpty()) {
        causes.add(Cause.required("spec.externalName", ""));
      } else {
        for (String message : NameSyntax.isDns1123Subdomain(cname)) {
          causes.add(Cause.invalid("spec.externalName", cname, message));
        }
      }
    }
    validatePorts(ports, type, causes);
    MetadataValidation.validateLabels(stringMap(spec, "selector", "spec.selector", causes), "spec.selector",
        causes);
    String affinity = text(spec, "sessionAffinity", "spec.sessionAffinity", causes);
    if (affinity != null && !SESSION_AFFINITIES.contains(affinity)) {
      causes.add(Cause.notSupported("spec.sessionAffinity", affinity, SESSION_AFFINITIES));
    }
  }

  private static void validatePorts(List<ObjectNode> ports, String type, List<Cause> causes) {
    // With several ports, endpoints and SRV records tell them apart by name.
    boolean requireName = ports.size() > 1;
    Set<String> names = new HashSet<>();
    Set<String> protocolPorts = new HashSet<>();
    Set<String> protocolNodePorts = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      if (port == null) {
        continue;
      }
      String at = index("spec.ports", i);
      String name = text(port, "name", at + ".name", causes);
      if (name == null || name.isEmpty()) {
        if (requireName) {
          causes.add(Cause.required(at + ".name", ""));
        }
      } else {
        for (String message : NameSyntax.isDns1123Label(name)) {
          causes.add(Cause.invalid(at + ".name", name, message));
        }
        if (!names.add(name)) {
          causes.add(Cause.duplicate(at + ".name", name));
        }
      }
      Long number = integer(port, "port", at + ".port", causes);
      boolean typeError = number == null && member(port, "port") != null;
      if (!typeError) {
        long value = number == null ? 0 : number;
        for (String message : NameSyntax.isValidPortNumber(value)) {
          causes.add(Cause.invalid(at + ".port", value, message));
        }
      }
      PodSpecValidation.validateProtocol(port, at + ".protocol", causes);
      // Already reported by validateProtocol when not a string; duplicates are keyed on the default.
      String protocol = JsonFields.textOrEmpty(port, "protocol", at + ".protocol", new ArrayList<>());
      protocol = protocol.isEmpty() ? "TCP" : protocol;
      if (number != null && !protocolPorts.add(protocol + "/" + number)) {
        ObjectNode key = JsonNodeFactory.instance.objectNode().put("port", number).put("protocol", protocol);
        causes.add(Cause.duplicate(at, key));
      }
      validateTargetPort(member(port, "targetPort"), at + ".targetPort", causes);
      Long nodePort = integer(port, "nodePort", at + ".nodePort", causes);
      if (nodePort != null && nodePort != 0) {
        if (type.equals("ClusterIP")) {
          causes.add(Cause.forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
        } else {
          // the configured range (troupe.net.node-port-range) is the allocator's to enforce, as in Kubernetes
          for (String message : NameSyntax.isValidPortNumber(nodePort)) {
            causes.add(Cause.invalid(at + ".nodePort", nodePort, message));
          }
        }
        if (!protocolNodePorts.add(protocol + "/" + nodePort)) {
          causes.add(Cause.duplicate(at + ".nodePort", nodePort));
        }
      }
    }
  }

  /** targetPort is a number on the pod or the name of a container port; absent means "same as port". */
  private static void validateTargetPort(JsonNode targetPort, String path, List<Cause> causes) {
    if (targetPort == null) {
      return;
    }
    if (targetPort.isIntegralNumber()) {
      long value = targetPort.longValue();
      if (value != 0) {
        for (String message : NameSyntax.isValidPortNumber(value)) {
          causes.add(Cause.invalid(path, value, message));
        }
      }
    } else if (targetPort.isTextual()) {
      for (String message : NameSyntax.isValidPortName(targetPort.textValue())) {
        causes.add(Cause.invalid(path, targetPort.textValue(), message));
      }
    } else {
      causes.add(Cause.invalid(path, targetPort, "must be an integer or a string"));
    }
  }
}
