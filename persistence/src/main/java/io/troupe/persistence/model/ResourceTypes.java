package io.troupe.persistence.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Every kind Troupe serves, as Kubernetes names them. */
public final class ResourceTypes {
  public static final ResourceType NAMESPACE = core("Namespace", "namespaces", false, List.of("ns"), true, false);
  public static final ResourceType NODE = core("Node", "nodes", false, List.of("no"), true, false);
  public static final ResourceType POD = core("Pod", "pods", true, List.of("po"), true, false);
  public static final ResourceType SERVICE = core("Service", "services", true, List.of("svc"), true, false);
  public static final ResourceType ENDPOINTS = core("Endpoints", "endpoints", true, List.of("ep"), false, false);
  public static final ResourceType EVENT = core("Event", "events", true, List.of("ev"), false, false);
  public static final ResourceType CONFIG_MAP = core("ConfigMap", "configmaps", true, List.of("cm"), false, false);
  public static final ResourceType SECRET = core("Secret", "secrets", true, List.of(), false, false);
  public static final ResourceType SERVICE_ACCOUNT =
      core("ServiceAccount", "serviceaccounts", true, List.of("sa"), false, false);
  public static final ResourceType PERSISTENT_VOLUME =
      core("PersistentVolume", "persistentvolumes", false, List.of("pv"), true, false);
  public static final ResourceType PERSISTENT_VOLUME_CLAIM =
      core("PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), true, false);
  public static final ResourceType RESOURCE_QUOTA =
      core("ResourceQuota", "resourcequotas", true, List.of("quota"), true, false);
  public static final ResourceType REPLICA_SET =
      new ResourceType("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), true, true);
  public static final ResourceType DEPLOYMENT =
      new ResourceType("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), true, true);
  public static final ResourceType DAEMON_SET =
      new ResourceType("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), true, false);
  public static final ResourceType INGRESS =
      new ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing"), true, false);
  public static final ResourceType NETWORK_POLICY =
      new ResourceType("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol"),
          false, false);

  public static final ResourceType STORAGE_CLASS =
      new ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), false, false);

  /** A runtime a pod may ask for by {@code spec.runtimeClassName}: its {@code handler} names a node's runtime. */
  public static final ResourceType RUNTIME_CLASS =
      new ResourceType("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false, List.of(), false, false);

  /**
   * A lease (coordination.k8s.io/v1): a holder renews it to say it is alive; each node agent holds one in
   * {@code kube-node-lease}, and leader election in clients (client-go, fabric8) takes one.
   */
  public static final ResourceType LEASE =
      new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), false, false);

  public static final ResourceType ROLE = rbac("Role", "roles", true);
  public static final ResourceType CLUSTER_ROLE = rbac("ClusterRole", "clusterroles", false);
  public static final ResourceType ROLE_BINDING = rbac("RoleBinding", "rolebindings", true);
  public static final ResourceType CLUSTER_ROLE_BINDING = rbac("ClusterRoleBinding", "clusterrolebindings", false);

  public static final List<ResourceType> ALL = List.of(
      NAMESPACE, NODE, POD, SERVICE, ENDPOINTS, EVENT, CONFIG_MAP, SECRET, SERVICE_ACCOUNT, PERSISTENT_VOLUME,
      PERSISTENT_VOLUME_CLAIM, RESOURCE_QUOTA, REPLICA_SET, DEPLOYMENT, DAEMON_SET, INGRESS, NETWORK_POLICY, STORAGE_CLASS,
      RUNTIME_CLASS, LEASE, ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING);

  private static final Map<String, ResourceType> BY_KIND =
      ALL.stream().collect(Collectors.toUnmodifiableMap(ResourceType::kind, t -> t));

  private ResourceTypes() {}

  private static ResourceType core(
      String kind, String plural, boolean namespaced, List<String> shortNames, boolean status, boolean scale) {
    return new ResourceType("", "v1", kind, plural, namespaced, shortNames, status, scale);
  }

  /** rbac.authorization.k8s.io/v1: no status, no scale, no short names (kubectl knows none). */
  private static ResourceType rbac(String kind, String plural, boolean namespaced) {
    return new ResourceType("rbac.authorization.k8s.io", "v1", kind, plural, namespaced, List.of(), false, false);
  }

  public static Optional<ResourceType> byKind(String kind) {
    return Optional.ofNullable(BY_KIND.get(kind));
  }

  /** The type served at {@code group/version/plural}. */
  public static Optional<ResourceType> byPath(String group, String version, String plural) {
    for (ResourceType t : ALL) {
      if (t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural)) return Optional.of(t);
    }
    return Optional.empty();
  }

  /** Group-versions in the order discovery lists them; the core group ("") first. */
  public static Map<String, List<ResourceType>> byGroupVersion() {
    Map<String, List<ResourceType>> out = new LinkedHashMap<>();
    for (ResourceType t : ALL) {
      out.computeIfAbsent(t.apiVersion(), k -> new java.util.ArrayList<>()).add(t);
    }
    return out;
  }
}
