package io.troupe.net.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Pods, Namespaces and NetworkPolicies for the translator's tables, written as JSON. */
final class PolicyObjects {
  private PolicyObjects() {}

  static KubeObject parse(String json) {
    try {
      return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"')));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A running pod; {@code ports} like {@code {'name':'http','containerPort':8080}} (JSON, ' for "). */
  static KubeObject pod(String namespace, String name, String ip, String labels, String... ports) {
    return parse("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'" + namespace
        + "','labels':" + labels + "},'spec':{'containers':[{'name':'main','ports':[" + String.join(",", ports)
        + "]}]},'status':{'phase':'Running','podIP':'" + ip + "'}}");
  }

  static KubeObject namespace(String name, String labels) {
    return parse("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'" + name + "','labels':" + labels
        + "}}");
  }

  static KubeObject policy(String namespace, String name, String spec) {
    return parse("{'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'" + name
        + "','namespace':'" + namespace + "'},'spec':" + spec + "}");
  }
}
