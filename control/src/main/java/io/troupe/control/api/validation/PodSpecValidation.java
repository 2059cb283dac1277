package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.array;
import static io.troupe.control.api.validation.JsonFields.child;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.selector.NameSyntax;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ValidatePodSpec, for pods and for the pod templates of workloads ({@code spec.template.spec}):
 * volumes ({@link VolumeValidation}), containers, init containers, their mounts ({@link VolumeMountValidation}),
 * ports, environment ({@link EnvValidation}), probes ({@link ProbeValidation}), restart policy, grace period, node selector and tolerations.
 */
final class PodSpecValidation {

  static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
  static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  static final List<String> TOLERATION_OPERATORS = List.of("Equal", "Exists");
  static final List<String> TAINT_EFFECTS = List.of("NoExecute", "NoSchedule", "PreferNoSchedule");
  static final long MAX_INT32 = Integer.MAX_VALUE;

  private PodSpecValidation() {
  }

  /** Validates the pod spec at {@code path}; a missing spec is validated as an empty one. */
  static void validatePodSpec(JsonNode spec, String path, List<Cause> causes) {
    Set<String> volumes = VolumeValidation.validateVolumes(spec, child(path, "volumes"), causes);
    String containersPath = child(path, "containers");
    ArrayNode containers = array(spec, "containers", containersPath, causes);
    if (containers == null || containers.isEmpty()) {
      causes.add(Cause.required(containersPath, ""));
    }
    // Container names are unique across init and regular containers: both are addressed by name
    // (logs, exec, status), so a shared name would be ambiguous.
    Set<String> names = new HashSet<>();
    validateContainers(spec, "containers", containersPath, names, volumes, causes);
    validateContainers(spec, "initContainers", child(path, "initContainers"), names, volumes, causes);

    String restartPolicyPath = child(path, "restartPolicy");
    String restartPolicy = text(spec, "restartPolicy", restartPolicyPath, causes);
    if (restartPolicy != null) {
      if (restartPolicy.isEmpty()) {
        causes.add(Cause.required(restartPolicyPath, ""));
      } else if (!RESTART_POLICIES.contains(restartPolicy)) {
        causes.add(Cause.notSupported(restartPolicyPath, restartPolicy, RESTART_POLICIES));
      }
    }
    String deadlinePath = child(path, "activeDeadlineSeconds");
    Long deadline = integer(spec, "activeDeadlineSeconds", deadlinePath, causes);
    if (deadline != null && (deadline < 1 || deadline > MAX_INT32)) {
      causes.add(Cause.invalid(deadlinePath, deadline, NameSyntax.inclusiveRangeError(1, MAX_INT32)));
    }
    String gracePath = child(path, "terminationGracePeriodSeconds");
    Long grace = integer(spec, "terminationGracePeriodSeconds", gracePath, causes);
    if (grace != null && grace < 0) {
      causes.add(Cause.invalid(gracePath, grace, "must be greater than or equal to 0"));
    }
    String nodeNamePath = child(path, "nodeName");
    String nodeName = text(spec, "nodeName", nodeNamePath, causes);
    if (nodeName != null && !nodeName.isEmpty()) {
      for (String message : NameSyntax.isDns1123Subdomain(nodeName)) {
        causes.add(Cause.invalid(nodeNamePath, nodeName, message));
      }
    }
    String nodeSelectorPath = child(path, "nodeSelector");
    MetadataValidation.validateLabels(stringMap(spec, "nodeSelector", nodeSelectorPath, causes),
        nodeSelectorPath, causes);
    validateTolerations(spec, child(path, "tolerations"), causes);
  }

  private static void validateContainers(JsonNode spec, String field, String path, Set<String> names,
      Set<String> volumes, List<Cause> causes) {
    List<ObjectNode> containers = objects(spec, field, path, causes);
    for (int i = 0; i < containers.size(); i++) {
      if (containers.get(i) != null) {
        validateContainer(containers.get(i), index(path, i), field.equals("initContainers"), names, volumes,
            causes);
      }
    }
  }

  private static void validateContainer(ObjectNode container, String path, boolean initContainer,
      Set<String> names, Set<String> volumes, List<Cause> causes) {
    String namePath = path + ".name";
    String name = text(container, "name", namePath, causes);
    if (name == null || name.isEmpty()) {
      causes.add(Cause.required(namePath, ""));
    } else {
      for (String message : NameSyntax.isDns1123Label(name)) {
        causes.add(Cause.invalid(namePath, name, message));
      }
      if (!names.add(name)) {
        causes.add(Cause.duplicate(namePath, name));
      }
    }
    String imagePath = path + ".image";
    String image = text(container, "image", imagePath, causes);
    if (image == null || image.isEmpty()) {
      causes.add(Cause.required(imagePath, ""));
    } else if (!image.strip().equals(image)) {
      causes.add(Cause.invalid(imagePath, image, "must not have leading or trailing whitespace"));
    }
    String pullPolicyPath = path + ".imagePullPolicy";
    String pullPolicy = text(container, "imagePullPolicy", pullPolicyPath, causes);
    if (pullPolicy != null && !PULL_POLICIES.contains(pullPolicy)) {
      causes.add(pullPolicy.isEmpty() ? Cause.required(pullPolicyPath, "")
          : Cause.notSupported(pullPolicyPath, pullPolicy, PULL_POLICIES));
    }
    validateContainerPorts(container, path + ".ports", causes);
    EnvValidation.validateEnv(container, path + ".env", causes);
    VolumeMountValidation.validateVolumeMounts(container, volumes, path, causes);
    validateContainerRestartPolicy(container, path + ".restartPolicy", initContainer, causes);
    ProbeValidation.validateProbes(container, path, initContainer, causes);
    validateResources(container, path + ".resources", causes);
  }

  /** ValidateResourceRequirements, in part: each request and limit is a quantity, and not negative. */
  private static void validateResources(ObjectNode container, String path, List<Cause> causes) {
    ObjectNode resources = JsonFields.object(container, "resources", path, causes);
    if (resources == null) return;
    for (String field : List.of("limits", "requests")) {
      ObjectNode amounts = JsonFields.object(resources, field, path + "." + field, causes);
      if (amounts == null) continue;
      amounts.fieldNames().forEachRemaining(resource -> {
        String at = path + "." + field + "[" + resource + "]";
        Quantity amount = JsonFields.quantity(amounts, resource, at, causes);
        if (amount != null && amount.amount().signum() < 0) {
          causes.add(Cause.invalid(at, amounts.get(resource), "must be greater than or equal to 0"));
        }
      });
    }
  }

  /** A container's own restartPolicy makes an init container a sidecar: Always only, and on init containers only. */
  private static void validateContainerRestartPolicy(ObjectNode container, String path, boolean initContainer,
      List<Cause> causes) {
    String policy = text(container, "restartPolicy", path, causes);
    if (policy == null) {
      return;
    }
    if (!initContainer) {
      causes.add(Cause.forbidden(path, "may not be set for non-init containers"));
    } else if (!policy.equals("Always")) {
      causes.add(Cause.notSupported(path, policy, List.of("Always")));
    }
  }

  private static void validateContainerPorts(ObjectNode container, String path, List<Cause> causes) {
    List<ObjectNode> ports = objects(container, "ports", path, causes);
    Set<String> portNames = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      if (port == null) {
        continue;
      }
      String at = index(path, i);
      String name = text(port, "name", at + ".name", causes);
      if (name != null && !name.isEmpty()) {
        List<String> messages = NameSyntax.isValidPortName(name);
        for (String message : messages) {
          causes.add(Cause.invalid(at + ".name", name, message));
        }
        if (messages.isEmpty() && !portNames.add(name)) {
          causes.add(Cause.duplicate(at + ".name", name));
        }
      }
      boolean portGiven = JsonFields.member(port, "containerPort") != null;
      Long containerPort = integer(port, "containerPort", at + ".containerPort", causes);
      if (!portGiven || (containerPort != null && containerPort == 0)) {
        causes.add(Cause.required(at + ".containerPort", ""));
      } else if (containerPort != null) {
        for (String message : NameSyntax.isValidPortNumber(containerPort)) {
          causes.add(Cause.invalid(at + ".containerPort", containerPort, message));
        }
      }
      Long hostPort = integer(port, "hostPort", at + ".hostPort", causes);
      if (hostPort != null && hostPort != 0) {
        for (String message : NameSyntax.isValidPortNumber(hostPort)) {
          causes.add(Cause.invalid(at + ".hostPort", hostPort, message));
        }
      }
      validateProtocol(port, at + ".protocol", causes);
    }
  }

  /** An absent protocol defaults to TCP; an explicit empty one is an error, as in Kubernetes. */
  static void validateProtocol(JsonNode port, String path, List<Cause> causes) {
    String protocol = text(port, "protocol", path, causes);
    if (protocol == null) {
      return;
    }
    if (protocol.isEmpty()) {
      causes.add(Cause.required(path, ""));
    } else if (!PROTOCOLS.contains(protocol)) {
      causes.add(Cause.notSupported(path, protocol, PROTOCOLS));
    }
  }

  private static void validateTolerations(JsonNode spec, String path, List<Cause> causes) {
    List<ObjectNode> tolerations = objects(spec, "tolerations", path, causes);
    for (int i = 0; i < tolerations.size(); i++) {
      ObjectNode toleration = tolerations.get(i);
      if (toleration == null) {
        continue;
      }
      String at = index(path, i);
      String key = JsonFields.textOrEmpty(toleration, "key", at + ".key", causes);
      String operator = JsonFields.textOrEmpty(toleration, "operator", at + ".operator", causes);
      String value = JsonFields.textOrEmpty(toleration, "value", at + ".value", causes);
      String effect = JsonFields.textOrEmpty(toleration, "effect", at + ".effect", causes);
      if (!key.isEmpty()) {
        for (String message : NameSyntax.isQualifiedName(key)) {
          causes.add(Cause.invalid(at + ".key", key, message));
        }
      } else if (!operator.equals("Exists")) {
        // An empty key matches every taint, which only makes sense without a value to compare.
        causes.add(Cause.invalid(at + ".operator", operator,
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
      }
      if (operator.equals("Exists")) {
        if (!value.isEmpty()) {
          causes.add(Cause.invalid(at + ".operator", toleration,
              "value must be empty when `operator` is 'Exists'"));
        }
      } else if (!operator.isEmpty() && !operator.equals("Equal")) {
        causes.add(Cause.notSupported(at + ".operator", operator, TOLERATION_OPERATORS));
      } else {
        for (String message : NameSyntax.isValidLabelValue(value)) {
          causes.add(Cause.invalid(at + ".value", value, message));
        }
      }
      if (!effect.isEmpty() && !TAINT_EFFECTS.contains(effect)) {
        causes.add(Cause.notSupported(at + ".effect", effect, TAINT_EFFECTS));
      }
    }
  }
}
