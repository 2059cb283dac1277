package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.validation.MetadataValidation.NameRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validation of whole Kubernetes objects given as JSON trees, with Kubernetes' rules, field paths and
 * messages: the checks an API server makes on create and update before storing an object. An empty
 * list means valid; otherwise the API answers 422 Invalid with the causes and
 * {@link #invalidMessage}.
 *
 * <p>Expected to run after defaulting: an absent field that Kubernetes would default (a port's
 * protocol, a Service's type, a Deployment's strategy) is accepted as if it held its default, and an
 * absent {@code metadata.namespace} is taken as the one from the request path.
 */
public final class ObjectValidation {

  /** Kinds whose objects live outside namespaces. */
  static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "StorageClass", "RuntimeClass",
      "ClusterRole", "ClusterRoleBinding", "PriorityClass", "IngressClass", "CustomResourceDefinition");

  private ObjectValidation() {
  }

  /**
   * Validates an object for create (and, with {@link #validateUpdate}, for update): apiVersion and kind
   * present, the metadata rules, and the spec rules of its kind. Kinds without spec rules get the
   * metadata rules only.
   */
  public static List<Cause> validate(ObjectNode object) {
    Objects.requireNonNull(object, "object");
    List<Cause> causes = new ArrayList<>();
    String apiVersion = JsonFields.text(object, "apiVersion", "apiVersion", causes);
    if (apiVersion == null || apiVersion.isEmpty()) {
      causes.add(Cause.required("apiVersion", ""));
    }
    String kind = JsonFields.text(object, "kind", "kind", causes);
    if (kind == null || kind.isEmpty()) {
      causes.add(Cause.required("kind", ""));
      kind = "";
    }
    MetadataValidation.validateObjectMeta(object, nameRule(kind), !CLUSTER_SCOPED.contains(kind), causes);
    switch (kind) {
      case "Pod":
        PodSpecValidation.validatePodSpec(JsonFields.object(object, "spec", "spec", causes), "spec", causes);
        break;
      case "ReplicaSet":
        WorkloadValidation.validateReplicaSet(object, causes);
        break;
      case "Deployment":
        WorkloadValidation.validateDeployment(object, causes);
        break;
      case "DaemonSet":
        WorkloadValidation.validateDaemonSet(object, causes);
        break;
      case "Service":
        ServiceValidation.validateService(object, causes);
        break;
      case "ConfigMap":
        ConfigMapValidation.validateConfigMap(object, causes);
        break;
      case "Secret":
        SecretValidation.validateSecret(object, causes);
        break;
      case "PersistentVolume":
        PersistentVolumeValidation.validatePersistentVolume(object, causes);
        break;
      case "PersistentVolumeClaim":
        PersistentVolumeValidation.validatePersistentVolumeClaim(object, causes);
        break;
      case "StorageClass":
        StorageClassValidation.validateStorageClass(object, causes);
        break;
      case "RuntimeClass":
        RuntimeClassValidation.validateRuntimeClass(object, causes);
        break;
      case "Lease":
        LeaseValidation.validateLease(object, causes);
        break;
      case "Ingress":
        NetworkingValidation.validateIngress(object, causes);
        break;
      case "NetworkPolicy":
        NetworkPolicyValidation.validate(object, causes);
        break;
      case "Role":
        RbacValidation.validateRole(object, causes);
        break;
      case "ClusterRole":
        RbacValidation.validateClusterRole(object, causes);
        break;
      case "RoleBinding":
        RbacValidation.validateRoleBinding(object, causes);
        break;
      case "ClusterRoleBinding":
        RbacValidation.validateClusterRoleBinding(object, causes);
        break;
      default:
        // Namespace, Node, Endpoints, Event, ResourceQuota and others: metadata rules only.
        break;
    }
    return causes;
  }

  /**
   * The rules that compare an update with the stored object: metadata.name, namespace and uid never
   * change; a Pod's spec only in its images, deadline, tolerations (additions) and negative grace
   * period; an apps/v1 workload's selector never; a Service's assigned clusterIP never; an immutable
   * ConfigMap's or Secret's data never, a Secret's type never; a claim's spec only in its size and bound
   * volume, a volume's source never, a StorageClass's provisioner, parameters and policies never. Does not repeat {@link #validate}: an update needs both.
   */
  public static List<Cause> validateUpdate(ObjectNode oldObject, ObjectNode newObject) {
    Objects.requireNonNull(oldObject, "oldObject");
    Objects.requireNonNull(newObject, "newObject");
    List<Cause> causes = new ArrayList<>();
    UpdateValidation.validateMetadataUpdate(oldObject, newObject, causes);
    switch (newObject.path("kind").asText("")) {
      case "Pod":
        UpdateValidation.validatePodUpdate(oldObject, newObject, causes);
        break;
      case "ReplicaSet":
      case "Deployment":
      case "DaemonSet":
        UpdateValidation.validateSelectorUpdate(oldObject, newObject, causes);
        break;
      case "Service":
        UpdateValidation.validateServiceUpdate(oldObject, newObject, causes);
        break;
      case "Node":
        UpdateValidation.validateNodeUpdate(oldObject, newObject, causes);
        break;
      case "ConfigMap":
        UpdateValidation.validateConfigMapUpdate(oldObject, newObject, causes);
        break;
      case "Secret":
        UpdateValidation.validateSecretUpdate(oldObject, newObject, causes);
        break;
      case "PersistentVolume":
        StorageUpdateValidation.validatePersistentVolumeUpdate(oldObject, newObject, causes);
        break;
      case "PersistentVolumeClaim":
        StorageUpdateValidation.validatePersistentVolumeClaimUpdate(oldObject, newObject, causes);
        break;
      case "StorageClass":
        StorageUpdateValidation.validateStorageClassUpdate(oldObject, newObject, causes);
        break;
      case "RuntimeClass":
        RuntimeClassValidation.validateRuntimeClassUpdate(oldObject, newObject, causes);
        break;
      case "RoleBinding":
      case "ClusterRoleBinding":
        RbacValidation.validateBindingUpdate(oldObject, newObject, causes);
        break;
      default:
        break;
    }
    return causes;
  }

  /**
   * The message of the 422 status, as Kubernetes words it: {@code Deployment.apps "web" is invalid:
   * spec.replicas: Invalid value: -1: must be greater than or equal to 0}, with several errors in
   * brackets, comma-separated, repeated ones once.
   */
  public static String invalidMessage(ObjectNode object, List<Cause> causes) {
    String kind = object.path("kind").asText("");
    String apiVersion = object.path("apiVersion").asText("");
    int slash = apiVersion.indexOf('/');
    String qualifiedKind = slash < 0 ? kind : kind + "." + apiVersion.substring(0, slash);
    JsonNode name = object.path("metadata").path("name");
    String quotedName = Cause.goQuote(name.isTextual() ? name.textValue() : "");
    String head = qualifiedKind + " " + quotedName + " is invalid";
    Set<String> errors = new LinkedHashSet<>();
    for (Cause cause : causes) {
      errors.add(cause.toString());
    }
    if (errors.isEmpty()) {
      return head;
    }
    String joined = String.join(", ", errors);
    return head + ": " + (errors.size() == 1 ? joined : "[" + joined + "]");
  }

  private static NameRule nameRule(String kind) {
    switch (kind) {
      case "Namespace":
        return NameRule.DNS1123_LABEL;
      case "Service":
        return NameRule.DNS1035_LABEL;
      case "Role":
      case "ClusterRole":
      case "RoleBinding":
      case "ClusterRoleBinding":
        return NameRule.PATH_SEGMENT;
      default:
        return NameRule.DNS1123_SUBDOMAIN;
    }
  }
}
