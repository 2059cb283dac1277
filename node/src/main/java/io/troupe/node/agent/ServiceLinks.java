package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The variables the kubelet gives every container for the Services that exist when it starts ({@code
 * getServiceEnvVarMap} and {@code envvars.FromServices}): for each Service of the pod's namespace with a
 * ClusterIP (not headless, not ExternalName) when {@code spec.enableServiceLinks} is true (the default), and for
 * the master Service {@code kubernetes} of namespace {@code default} always, where it exists (one of the pod's
 * namespace by that name wins):
 *
 * <pre>
 * WEB_SERVICE_HOST=127.32.1.1        WEB_SERVICE_PORT=80        WEB_SERVICE_PORT_HTTP=80 (each named port)
 * WEB_PORT=tcp://127.32.1.1:80       (the first port, as Docker links)
 * WEB_PORT_80_TCP=tcp://127.32.1.1:80  WEB_PORT_80_TCP_PROTO=tcp  WEB_PORT_80_TCP_PORT=80
 * WEB_PORT_80_TCP_ADDR=127.32.1.1    (each port)
 * </pre>
 *
 * A Service named {@code my-web} gives {@code MY_WEB_...}. A container's own variables win over these.
 */
final class ServiceLinks {
  static final String MASTER_NAMESPACE = "default";
  static final String MASTER_SERVICE = "kubernetes";

  private ServiceLinks() {}

  /**
   * @param namespaceServices the Services of the pod's namespace
   * @param master the Service {@code default/kubernetes}, or null
   */
  static Map<String, String> of(KubeObject pod, List<KubeObject> namespaceServices, KubeObject master) {
    Map<String, KubeObject> byName = new TreeMap<>();
    if (master != null && hasClusterIp(master)) byName.put(MASTER_SERVICE, master);
    boolean links = pod.spec() == null || pod.spec().path("enableServiceLinks").asBoolean(true);
    if (links) {
      for (KubeObject s : namespaceServices) if (hasClusterIp(s)) byName.put(s.metadata().name(), s);
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (KubeObject s : byName.values()) add(s, env);
    return env;
  }

  /** {@code IsServiceIPSet}: a ClusterIP that is neither empty nor {@code None}. */
  private static boolean hasClusterIp(KubeObject service) {
    String ip = service.spec() == null ? "" : service.spec().path("clusterIP").asText("");
    return !ip.isEmpty() && !ip.equals("None");
  }

  private static void add(KubeObject service, Map<String, String> env) {
    String prefix = variableName(service.metadata().name());
    String ip = service.spec().path("clusterIP").asText();
    JsonNode ports = service.spec().path("ports");
    env.put(prefix + "_SERVICE_HOST", ip);
    if (ports.size() == 0) return;
    env.put(prefix + "_SERVICE_PORT", Integer.toString(ports.get(0).path("port").asInt()));
    for (JsonNode p : ports) {
      String name = p.path("name").asText("");
      if (!name.isEmpty()) {
        env.put(prefix + "_SERVICE_PORT_" + variableName(name), Integer.toString(p.path("port").asInt()));
      }
    }
    // Docker links
    String hostPort = (ip.contains(":") ? "[" + ip + "]" : ip) + ":";
    for (int i = 0; i < ports.size(); i++) {
      JsonNode p = ports.get(i);
      String protocol = p.path("protocol").asText("TCP");
      if (protocol.isEmpty()) protocol = "TCP";
      String lower = protocol.toLowerCase(Locale.ROOT);
      int port = p.path("port").asInt();
      String url = lower + "://" + hostPort + port;
      if (i == 0) env.put(prefix + "_PORT", url);
      String portPrefix = prefix + "_PORT_" + port + "_" + protocol.toUpperCase(Locale.ROOT);
      env.put(portPrefix, url);
      env.put(portPrefix + "_PROTO", lower);
      env.put(portPrefix + "_PORT", Integer.toString(port));
      env.put(portPrefix + "_ADDR", ip);
    }
  }

  /** {@code makeEnvVariableName}: upper case, dashes as underscores. */
  static String variableName(String name) {
    return name.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
