package io.troupe.control.api.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Valid objects of each kind, and path edits that make table rows out of them. */
final class Manifests {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final String CONTAINERS = """
      [{"name":"web","image":"nginx:1.27","ports":[{"name":"http","containerPort":80,"protocol":"TCP"}]}]""";

  private static final String TEMPLATE = """
      {"metadata":{"labels":{"app":"web","tier":"fe"}},
       "spec":{"containers":@CONTAINERS,"restartPolicy":"Always"}}""".replace("@CONTAINERS", CONTAINERS);

  private static final Map<String, String> VALID = Map.ofEntries(
      Map.entry("Pod", """
          {"apiVersion":"v1","kind":"Pod",
           "metadata":{"name":"web-1","namespace":"default","labels":{"app":"web"}},
           "spec":{"containers":@CONTAINERS,"restartPolicy":"Always"}}""".replace("@CONTAINERS", CONTAINERS)),
      Map.entry("ReplicaSet", """
          {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web","namespace":"default"},
           "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":@TEMPLATE}}""".replace("@TEMPLATE", TEMPLATE)),
      Map.entry("Deployment", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
           "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                   "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}},
                   "template":@TEMPLATE}}""".replace("@TEMPLATE", TEMPLATE)),
      Map.entry("DaemonSet", """
          {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"kube-system"},
           "spec":{"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},
                   "updateStrategy":{"type":"RollingUpdate"},"template":@TEMPLATE}}""".replace("@TEMPLATE", TEMPLATE)),
      Map.entry("Service", """
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},
           "spec":{"type":"ClusterIP","selector":{"app":"web"},
                   "ports":[{"port":80,"targetPort":8080,"protocol":"TCP"}]}}"""),
      Map.entry("ConfigMap", """
          {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web-config","namespace":"default"},
           "data":{"app.properties":"x=1","LOG_LEVEL":"info"}}"""),
      Map.entry("Secret", """
          {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},"type":"Opaque",
           "data":{"username":"YWRtaW4=","password":"czNjcjN0"}}"""),
      Map.entry("PersistentVolumeClaim", """
          {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"default"},
           "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},
                   "storageClassName":"local-path","volumeMode":"Filesystem"}}"""),
      Map.entry("PersistentVolume", """
          {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-1"},
           "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteOnce"],
                   "persistentVolumeReclaimPolicy":"Retain","storageClassName":"manual","volumeMode":"Filesystem",
                   "hostPath":{"path":"/srv/pv-1","type":"DirectoryOrCreate"}}}"""),
      Map.entry("StorageClass", """
          {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast"},
           "provisioner":"troupe.io/local-path","reclaimPolicy":"Delete","volumeBindingMode":"WaitForFirstConsumer",
           "parameters":{"tier":"ssd"},"allowVolumeExpansion":false}"""),
      Map.entry("Namespace", """
          {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}"""),
      Map.entry("Node", """
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1.example.com"}}"""),
      Map.entry("Endpoints", """
          {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"default"},
           "subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}"""),
      Map.entry("Event", """
          {"apiVersion":"v1","kind":"Event","metadata":{"name":"web-1.17c3","namespace":"default"},
           "involvedObject":{"kind":"Pod","name":"web-1"},"reason":"Scheduled"}"""),
      Map.entry("ResourceQuota", """
          {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"quota","namespace":"default"},
           "spec":{"hard":{"pods":"10"}}}"""),
      Map.entry("Ingress", """
          {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"default"},
           "spec":{"rules":[{"host":"web.example.com","http":{"paths":[
             {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}"""),
      Map.entry("NetworkPolicy", """
          {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
           "metadata":{"name":"web-policy","namespace":"default"},
           "spec":{"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"],
                   "ingress":[{"from":[{"podSelector":{}}],"ports":[{"protocol":"TCP","port":80}]}]}}"""),
      Map.entry("Role", """
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
           "metadata":{"name":"pod-reader","namespace":"default"},
           "rules":[{"apiGroups":[""],"resources":["pods","pods/log"],"verbs":["get","list","watch"]}]}"""),
      Map.entry("ClusterRole", """
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
           "metadata":{"name":"system:health-reader"},
           "rules":[{"apiGroups":["apps"],"resources":["deployments/scale"],"resourceNames":["web"],"verbs":["get"]},
                    {"nonResourceURLs":["/healthz","/livez/*"],"verbs":["get"]}]}"""),
      Map.entry("RoleBinding", """
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
           "metadata":{"name":"read-pods","namespace":"default"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
           "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},
                       {"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"},
                       {"kind":"ServiceAccount","name":"default"}]}"""),
      Map.entry("ClusterRoleBinding", """
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
           "metadata":{"name":"health"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:health-reader"},
           "subjects":[{"kind":"ServiceAccount","name":"monitor","namespace":"kube-system"}]}"""));

  private Manifests() {
  }

  static ObjectNode valid(String kind) {
    String json = VALID.get(kind);
    if (json == null) {
      throw new IllegalArgumentException("no manifest for " + kind);
    }
    return (ObjectNode) parse(json);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad JSON in test: " + json, e);
    }
  }

  /**
   * Sets the value at a path like {@code spec.containers[0].ports[0].name}, creating objects on the
   * way; a null value removes the field. Keys with dots are set by replacing their whole parent map.
   */
  static void edit(ObjectNode root, String path, String json) {
    String[] segments = path.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < segments.length - 1; i++) {
      parent = step(parent, segments[i], true);
    }
    String last = segments[segments.length - 1];
    int bracket = last.indexOf('[');
    if (bracket >= 0) {
      parent = step(parent, last.substring(0, bracket), true);
      String indexes = last.substring(bracket);
      while (indexes.indexOf('[', 1) > 0) {
        int close = indexes.indexOf(']');
        parent = parent.get(Integer.parseInt(indexes.substring(1, close)));
        indexes = indexes.substring(close + 1);
      }
      int index = Integer.parseInt(indexes.substring(1, indexes.length() - 1));
      ArrayNode array = (ArrayNode) parent;
      if (json == null) {
        array.remove(index);
      } else if (index == array.size()) {
        array.add(parse(json));
      } else {
        array.set(index, parse(json));
      }
      return;
    }
    if (json == null) {
      ((ObjectNode) parent).remove(last);
    } else {
      ((ObjectNode) parent).set(last, parse(json));
    }
  }

  private static JsonNode step(JsonNode node, String segment, boolean create) {
    int bracket = segment.indexOf('[');
    String name = bracket < 0 ? segment : segment.substring(0, bracket);
    JsonNode child = node.get(name);
    if (child == null && create) {
      child = ((ObjectNode) node).putObject(name);
    }
    while (bracket >= 0) {
      int close = segment.indexOf(']', bracket);
      child = child.get(Integer.parseInt(segment.substring(bracket + 1, close)));
      bracket = segment.indexOf('[', close);
    }
    return child;
  }
}
