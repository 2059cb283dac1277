package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaults the Kubernetes API server fills in (SetDefaults_* in its sources) for the fields clients most
 * often leave out, so that what a client reads back looks like what Kubernetes would give it.
 */
final class Defaults {
  /** 0644, the mode of files in secret, configMap, downwardAPI and projected volumes when none is given. */
  static final int DEFAULT_FILE_MODE = 0644;

  private Defaults() {}

  /** Fills defaults in place on a tree that is the request's own copy. */
  static void apply(String kind, ObjectNode object) {
    switch (kind) {
      case "Pod" -> {
        ObjectNode spec = child(object, "spec");
        podSpec(spec);
        ServiceAccountAdmission.defaultName(spec);
      }
      case "ReplicaSet" -> {
        ObjectNode spec = child(object, "spec");
        spec.putIfAbsent("replicas", spec.numberNode(1));
        template(spec);
      }
      case "Deployment" -> {
        ObjectNode spec = child(object, "spec");
        spec.putIfAbsent("replicas", spec.numberNode(1));
        spec.putIfAbsent("revisionHistoryLimit", spec.numberNode(10));
        spec.putIfAbsent("progressDeadlineSeconds", spec.numberNode(600));
        ObjectNode strategy = child(spec, "strategy");
        strategy.putIfAbsent("type", strategy.textNode("RollingUpdate"));
        if (strategy.path("type").asText().equals("RollingUpdate")) {
          ObjectNode rolling = child(strategy, "rollingUpdate");
          rolling.putIfAbsent("maxUnavailable", rolling.textNode("25%"));
          rolling.putIfAbsent("maxSurge", rolling.textNode("25%"));
        }
        template(spec);
      }
      case "DaemonSet" -> {
        ObjectNode spec = child(object, "spec");
        spec.putIfAbsent("revisionHistoryLimit", spec.numberNode(10));
        ObjectNode strategy = child(spec, "updateStrategy");
        strategy.putIfAbsent("type", strategy.textNode("RollingUpdate"));
        if (strategy.path("type").asText().equals("RollingUpdate")) {
          ObjectNode rolling = child(strategy, "rollingUpdate");
          rolling.putIfAbsent("maxUnavailable", rolling.numberNode(1));
          rolling.putIfAbsent("maxSurge", rolling.numberNode(0));
        }
        template(spec);
      }
      case "Service" -> service(child(object, "spec"));
      case "RoleBinding", "ClusterRoleBinding" -> rbacBinding(object);
      case "PersistentVolumeClaim" -> child(object, "spec").putIfAbsent("volumeMode", object.textNode("Filesystem"));
      case "PersistentVolume" -> {
        ObjectNode spec = child(object, "spec");
        spec.putIfAbsent("persistentVolumeReclaimPolicy", spec.textNode("Retain"));
        spec.putIfAbsent("volumeMode", spec.textNode("Filesystem"));
        if (spec.get("hostPath") instanceof ObjectNode hostPath) hostPath.putIfAbsent("type", hostPath.textNode(""));
      }
      case "StorageClass" -> {
        object.putIfAbsent("reclaimPolicy", object.textNode("Delete"));
        object.putIfAbsent("volumeBindingMode", object.textNode("Immediate"));
      }
      case "Secret" -> {
        SecretStringData.mergeIntoData(object);
        defaultText(object, "type", "Opaque");
      }
      case "Namespace" -> {
        namespaceNameLabel(object);
        child(object, "status").putIfAbsent("phase", object.textNode("Active"));
        // the namespace controller removes it once everything in the namespace is gone
        child(object, "spec").putIfAbsent("finalizers", object.arrayNode().add("kubernetes"));
      }
      case "NetworkPolicy" -> networkPolicy(child(object, "spec"));
      default -> { }
    }
  }

  /** The label every namespace carries (SetDefaults_Namespace), always its name: a namespaceSelector can name it. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private static void namespaceNameLabel(ObjectNode namespace) {
    ObjectNode metadata = child(namespace, "metadata");
    String name = metadata.path("name").asText("");
    if (!name.isEmpty()) child(metadata, "labels").put(NAMESPACE_NAME_LABEL, name);
  }

  /** SetDefaults_NetworkPolicy: policyTypes Ingress, and Egress when there are egress rules; ports TCP. */
  private static void networkPolicy(ObjectNode spec) {
    JsonNode types = spec.get("policyTypes");
    if (types == null || types.isNull() || (types.isArray() && types.isEmpty())) {
      var defaulted = spec.putArray("policyTypes").add("Ingress");
      if (spec.path("egress").isArray() && !spec.path("egress").isEmpty()) defaulted.add("Egress");
    }
    for (String direction : new String[] {"ingress", "egress"}) {
      for (JsonNode rule : spec.path(direction)) {
        for (JsonNode port : rule.path("ports")) {
          if (port instanceof ObjectNode p) defaultText(p, "protocol", "TCP");
        }
      }
    }
  }

  private static void template(ObjectNode workloadSpec) {
    JsonNode template = workloadSpec.get("template");
    if (template instanceof ObjectNode t && t.get("spec") instanceof ObjectNode podSpec) podSpec(podSpec);
  }

  private static void podSpec(ObjectNode spec) {
    spec.putIfAbsent("restartPolicy", spec.textNode("Always"));
    spec.putIfAbsent("dnsPolicy", spec.textNode("ClusterFirst"));
    spec.putIfAbsent("schedulerName", spec.textNode("default-scheduler"));
    spec.putIfAbsent("terminationGracePeriodSeconds", spec.numberNode(30));
    spec.putIfAbsent("securityContext", spec.objectNode());
    volumes(spec);
    for (String list : new String[] {"initContainers", "containers"}) {
      JsonNode containers = spec.get(list);
      if (containers == null || !containers.isArray()) continue;
      for (JsonNode c : containers) {
        if (!(c instanceof ObjectNode container)) continue;
        String image = container.path("image").asText("");
        boolean latest = !image.contains(":") || image.endsWith(":latest");
        container.putIfAbsent("imagePullPolicy", container.textNode(latest ? "Always" : "IfNotPresent"));
        container.putIfAbsent("terminationMessagePath", container.textNode("/dev/termination-log"));
        container.putIfAbsent("terminationMessagePolicy", container.textNode("File"));
        JsonNode ports = container.get("ports");
        if (ports != null && ports.isArray()) {
          for (JsonNode p : ports) {
            if (p instanceof ObjectNode port) port.putIfAbsent("protocol", port.textNode("TCP"));
          }
        }
        for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
          if (container.get(probe) instanceof ObjectNode p) probe(p);
        }
        if (container.get("lifecycle") instanceof ObjectNode lifecycle) {
          for (String hook : new String[] {"postStart", "preStop"}) {
            if (lifecycle.get(hook) instanceof ObjectNode h && h.get("httpGet") instanceof ObjectNode get) {
              httpGet(get);
            }
          }
        }
        for (JsonNode env : container.path("env")) {
          // SetDefaults_ObjectFieldSelector
          if (env.path("valueFrom").get("fieldRef") instanceof ObjectNode fieldRef) {
            defaultText(fieldRef, "apiVersion", "v1");
          }
        }
      }
    }
  }

  /**
   * SetDefaults_Volume and its sources: a volume with nothing but a name is an emptyDir; files of secret,
   * configMap, downwardAPI and projected volumes get mode 0644; a downward API fieldRef gets apiVersion v1.
   */
  private static void volumes(ObjectNode spec) {
    for (JsonNode v : spec.path("volumes")) {
      if (!(v instanceof ObjectNode volume)) continue;
      if (volume.size() == 1 && volume.has("name")) volume.putObject("emptyDir");
      for (String source : new String[] {"secret", "configMap", "downwardAPI", "projected"}) {
        if (volume.get(source) instanceof ObjectNode s) s.putIfAbsent("defaultMode", s.numberNode(DEFAULT_FILE_MODE));
      }
      if (volume.get("hostPath") instanceof ObjectNode hostPath) hostPath.putIfAbsent("type", hostPath.textNode(""));
      downwardApiItems(volume.path("downwardAPI"));
      for (JsonNode source : volume.path("projected").path("sources")) downwardApiItems(source.path("downwardAPI"));
    }
  }

  private static void downwardApiItems(JsonNode downwardApi) {
    for (JsonNode item : downwardApi.path("items")) {
      if (item.get("fieldRef") instanceof ObjectNode fieldRef) defaultText(fieldRef, "apiVersion", "v1");
    }
  }

  /** SetDefaults_Probe: an unset (or zero) value takes Kubernetes' default. */
  private static void probe(ObjectNode probe) {
    defaultNumber(probe, "timeoutSeconds", 1);
    defaultNumber(probe, "periodSeconds", 10);
    defaultNumber(probe, "successThreshold", 1);
    defaultNumber(probe, "failureThreshold", 3);
    if (probe.get("httpGet") instanceof ObjectNode get) httpGet(get);
  }

  /** SetDefaults_HTTPGetAction. */
  private static void httpGet(ObjectNode action) {
    defaultText(action, "path", "/");
    defaultText(action, "scheme", "HTTP");
  }

  private static void defaultNumber(ObjectNode o, String field, int value) {
    JsonNode current = o.get(field);
    if (current == null || current.isNull() || (current.isNumber() && current.asLong() == 0)) o.put(field, value);
  }

  private static void defaultText(ObjectNode o, String field, String value) {
    JsonNode current = o.get(field);
    if (current == null || current.isNull() || (current.isTextual() && current.textValue().isEmpty())) {
      o.put(field, value);
    }
  }

  /** SetDefaults_Service. */
  private static void service(ObjectNode spec) {
    spec.putIfAbsent("type", spec.textNode("ClusterIP"));
    spec.putIfAbsent("sessionAffinity", spec.textNode("None"));
    String type = spec.path("type").asText();
    if (!type.equals("ExternalName")) spec.putIfAbsent("internalTrafficPolicy", spec.textNode("Cluster"));
    if (type.equals("NodePort") || type.equals("LoadBalancer")) defaultText(spec, "externalTrafficPolicy", "Cluster");
    if (type.equals("LoadBalancer")) spec.putIfAbsent("allocateLoadBalancerNodePorts", spec.booleanNode(true));
    JsonNode ports = spec.get("ports");
    if (ports == null || !ports.isArray()) return;
    for (JsonNode p : ports) {
      if (!(p instanceof ObjectNode port)) continue;
      port.putIfAbsent("protocol", port.textNode("TCP"));
      if (port.has("port")) port.putIfAbsent("targetPort", port.get("port"));
    }
  }

  /** The object at {@code name}, created when missing (a non-object there is left for validation to refuse). */
  private static ObjectNode child(ObjectNode parent, String name) {
    JsonNode n = parent.get(name);
    if (n instanceof ObjectNode o) return o;
    if (n != null && !n.isNull()) return parent.objectNode();
    return parent.putObject(name);
  }

  /** SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding and SetDefaults_Subject (rbac/v1). */
  private static void rbacBinding(ObjectNode binding) {
    ObjectNode roleRef = child(binding, "roleRef");
    if (roleRef.path("apiGroup").asText("").isEmpty()) roleRef.put("apiGroup", "rbac.authorization.k8s.io");
    if (!(binding.get("subjects") instanceof com.fasterxml.jackson.databind.node.ArrayNode subjects)) return;
    for (JsonNode subject : subjects) {
      if (!(subject instanceof ObjectNode s) || !s.path("apiGroup").asText("").isEmpty()) continue;
      String kind = s.path("kind").asText("");
      if (kind.equals("User") || kind.equals("Group")) s.put("apiGroup", "rbac.authorization.k8s.io");
    }
  }
}
