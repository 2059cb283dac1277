package io.troupe.control.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.persistence.model.KubeObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Nodes and pods for scheduler tests, written as the YAML a user would apply and read through
 * {@link KubeObject#fromTree}, so that the tests exercise the same reading as the scheduler.
 */
public final class Manifests {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Manifests() {}

  /** An object of {@code kind} from YAML; apiVersion v1 and the kind are added when the YAML has none. */
  public static KubeObject object(String kind, String yaml) {
    try {
      JsonNode tree = YAML.readTree(yaml);
      ObjectNode object = tree.isObject() ? (ObjectNode) tree : YAML.createObjectNode();
      if (!object.has("apiVersion")) object.put("apiVersion", "v1");
      if (!object.has("kind")) object.put("kind", kind);
      return KubeObject.fromTree(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static PodInfo pod(String yaml) {
    return PodInfo.from(object("Pod", yaml));
  }

  public static NodeInfo node(String yaml, PodInfo... pods) {
    return NodeInfo.from(object("Node", yaml), List.of(pods));
  }

  /**
   * A Ready node with room for 110 pods, labelled with its hostname and {@code labels} ("key=value" each).
   */
  public static NodeInfo readyNode(String name, String cpu, String memory, String... labels) {
    StringBuilder yaml = new StringBuilder()
        .append("metadata:\n  name: ").append(name).append("\n  labels:\n")
        .append("    kubernetes.io/hostname: ").append(name).append('\n');
    for (String label : labels) {
      int equals = label.indexOf('=');
      yaml.append("    ").append(label, 0, equals).append(": \"").append(label.substring(equals + 1)).append("\"\n");
    }
    yaml.append("status:\n")
        .append("  allocatable: {cpu: \"").append(cpu).append("\", memory: \"").append(memory)
        .append("\", pods: \"110\"}\n")
        .append("  conditions: [{type: Ready, status: \"True\"}]\n");
    return node(yaml.toString());
  }

  /** A pod in namespace default with one container requesting {@code cpu} and {@code memory} (null: none). */
  public static PodInfo podRequesting(String name, String cpu, String memory) {
    StringBuilder requests = new StringBuilder();
    if (cpu != null) requests.append("cpu: \"").append(cpu).append('"');
    if (memory != null) {
      requests.append(requests.length() > 0 ? ", " : "").append("memory: \"").append(memory).append('"');
    }
    return pod("""
        metadata: {name: %s, namespace: default, uid: uid-%s}
        spec:
          containers: [{name: app, image: nginx, resources: {requests: {%s}}}]
        """.formatted(name, name, requests));
  }

  /**
   * A pod named {@code name} in namespace default, with labels ("key=value", comma separated, or "") and a spec
   * written as YAML (one container is added when the spec has none).
   */
  public static PodInfo pod(String name, String labels, String spec) {
    StringBuilder yaml = new StringBuilder("metadata:\n  name: ").append(name)
        .append("\n  namespace: default\n  uid: uid-").append(name).append("\n  labels: {");
    if (!labels.isEmpty()) {
      for (String label : labels.split(",")) {
        int equals = label.indexOf('=');
        yaml.append('"').append(label, 0, equals).append("\": \"").append(label.substring(equals + 1)).append("\", ");
      }
    }
    yaml.append("}\nspec:\n");
    if (!spec.isBlank() && !spec.strip().equals("{}")) yaml.append(spec.indent(2));
    if (!spec.contains("containers:")) yaml.append("  containers: [{name: app, image: nginx}]\n");
    return pod(yaml.toString());
  }

  public static ClusterView cluster(NodeInfo... nodes) {
    return ClusterView.of(List.of(nodes));
  }
}
