package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.NameSyntax;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The spec rules of the apps/v1 workloads, ReplicaSet, Deployment and DaemonSet: a selector that is
 * present, non-empty and matches the pod template's labels, a valid pod template whose pods restart
 * Always, and each kind's replica count and update strategy.
 */
final class WorkloadValidation {

  static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";
  static final List<String> DEPLOYMENT_STRATEGIES = List.of("Recreate", "RollingUpdate");
  static final List<String> DAEMON_SET_STRATEGIES = List.of("RollingUpdate", "OnDelete");
  private static final String NEGATIVE = "must be greater than or equal to 0";

  private WorkloadValidation() {
  }

  static void validateReplicaSet(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    validateNonNegative(spec, "replicas", causes);
    validateNonNegative(spec, "minReadySeconds", causes);
    // Kubernetes says "deployment" here for ReplicaSets too; kept so messages match.
    validateSelectorAndTemplate(spec, "deployment", "ReplicaSet", causes);
  }

  static void validateDeployment(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    validateNonNegative(spec, "replicas", causes);
    validateNonNegative(spec, "minReadySeconds", causes);
    validateNonNegative(spec, "revisionHistoryLimit", causes);
    validateSelectorAndTemplate(spec, "deployment", "ReplicaSet", causes);
    validateDeploymentStrategy(spec, causes);
  }

  static void validateDaemonSet(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    validateNonNegative(spec, "minReadySeconds", causes);
    validateSelectorAndTemplate(spec, "daemonset", "DaemonSet", causes);
    ObjectNode strategy = object(spec, "updateStrategy", "spec.updateStrategy", causes);
    String type = text(strategy, "type", "spec.updateStrategy.type", causes);
    if (type != null && !DAEMON_SET_STRATEGIES.contains(type)) {
      causes.add(Cause.notSupported("spec.updateStrategy.type", type, DAEMON_SET_STRATEGIES));
    }
  }

  /**
   * The selector is how a controller finds the pods it owns; an empty one would claim every pod in
   * the namespace, and one that misses the template's labels would create pods it never counts.
   */
  private static void validateSelectorAndTemplate(ObjectNode spec, String kindWord, String kindName,
      List<Cause> causes) {
    JsonNode selectorNode = member(spec, "selector");
    LabelSelector selector = null;
    if (selectorNode == null) {
      causes.add(Cause.required("spec.selector", ""));
    } else {
      selector = LabelSelectorValidation.validate(selectorNode, "spec.selector", causes);
      if (selector != null && selector.isEverything()) {
        causes.add(Cause.invalid("spec.selector", selectorNode, "empty selector is invalid for " + kindWord));
      }
    }
    ObjectNode template = object(spec, "template", "spec.template", causes);
    ObjectNode templateMetadata = object(template, "metadata", "spec.template.metadata", causes);
    if (selector != null && !selector.isEverything()) {
      // Type errors in the labels are reported once, by validateLabelsAndAnnotations below.
      Map<String, String> labels = stringMap(templateMetadata, "labels", "spec.template.metadata.labels",
          new ArrayList<>());
      if (!selector.matches(labels)) {
        causes.add(Cause.invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH));
      }
    }
    MetadataValidation.validateLabelsAndAnnotations(templateMetadata, "spec.template.metadata", causes);
    ObjectNode podSpec = object(template, "spec", "spec.template.spec", causes);
    PodSpecValidation.validatePodSpec(podSpec, "spec.template.spec", causes);
    // The controller replaces pods that exit; a pod that stops for good would be replaced forever.
    String restartPolicy = text(podSpec, "restartPolicy", "spec.template.spec.restartPolicy",
        new ArrayList<>());
    if (restartPolicy != null && !restartPolicy.equals("Always")) {
      causes.add(Cause.notSupported("spec.template.spec.restartPolicy", restartPolicy, List.of("Always")));
    }
    if (member(podSpec, "activeDeadlineSeconds") != null) {
      causes.add(Cause.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in " + kindName + " is not Supported"));
    }
  }

  private static void validateDeploymentStrategy(ObjectNode spec, List<Cause> causes) {
    ObjectNode strategy = object(spec, "strategy", "spec.strategy", causes);
    if (strategy == null) {
      return;
    }
    String type = text(strategy, "type", "spec.strategy.type", causes);
    ObjectNode rollingUpdate = object(strategy, "rollingUpdate", "spec.strategy.rollingUpdate", causes);
    if ("Recreate".equals(type)) {
      if (rollingUpdate != null) {
        causes.add(Cause.forbidden("spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'"));
      }
    } else if (type == null || type.equals("RollingUpdate")) {
      // An absent type defaults to RollingUpdate.
      if (rollingUpdate != null) {
        validateRollingUpdate(rollingUpdate, "spec.strategy.rollingUpdate", causes);
      }
    } else {
      causes.add(Cause.notSupported("spec.strategy.type", type, DEPLOYMENT_STRATEGIES));
    }
  }

  /**
   * maxUnavailable and maxSurge are each a count or a percentage. Both zero would leave a rollout
   * unable to take a pod down or bring one up, so it could never progress.
   */
  private static void validateRollingUpdate(ObjectNode rollingUpdate, String path, List<Cause> causes) {
    JsonNode maxUnavailable = member(rollingUpdate, "maxUnavailable");
    JsonNode maxSurge = member(rollingUpdate, "maxSurge");
    BigInteger unavailable = intOrPercent(maxUnavailable, path + ".maxUnavailable", causes);
    BigInteger surge = intOrPercent(maxSurge, path + ".maxSurge", causes);
    if (unavailable != null && surge != null && unavailable.signum() == 0 && surge.signum() == 0) {
      causes.add(Cause.invalid(path + ".maxUnavailable", maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    }
    boolean percent = maxUnavailable != null && maxUnavailable.isTextual();
    if (unavailable != null && percent && unavailable.compareTo(BigInteger.valueOf(100)) > 0) {
      causes.add(Cause.invalid(path + ".maxUnavailable", maxUnavailable, "must not be greater than 100%"));
    }
  }

  /** The number or percentage of an IntOrString, or null when absent or invalid (with a cause). */
  private static BigInteger intOrPercent(JsonNode value, String path, List<Cause> causes) {
    if (value == null) {
      return null;
    }
    if (value.isIntegralNumber()) {
      if (value.bigIntegerValue().signum() < 0) {
        causes.add(Cause.invalid(path, value, NEGATIVE));
        return null;
      }
      return value.bigIntegerValue();
    }
    if (value.isTextual() && value.textValue().matches("[0-9]+%")) {
      String text = value.textValue();
      return new BigInteger(text.substring(0, text.length() - 1));
    }
    causes.add(Cause.invalid(path, value, NameSyntax.regexError(
        "a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%")));
    return null;
  }

  private static void validateNonNegative(ObjectNode spec, String field, List<Cause> causes) {
    String path = "spec." + field;
    Long value = integer(spec, field, path, causes);
    if (value != null && value < 0) {
      causes.add(Cause.invalid(path, value, NEGATIVE));
    }
  }
}
