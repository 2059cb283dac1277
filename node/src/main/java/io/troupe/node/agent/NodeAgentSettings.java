package io.troupe.node.agent;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of the node agents of one JVM, from {@code troupe.node}.
 *
 * @param capacityCpu empty for the host's processors
 * @param capacityMemory empty for the host's physical memory
 */
public record NodeAgentSettings(
    String nodeName,
    String zone,
    Map<String, String> labels,
    String runtime,
    String capacityCpu,
    String capacityMemory,
    int capacityPods,
    Duration heartbeatInterval,
    Duration statusReportInterval,
    String kubeletHost,
    int kubeletPort,
    String podCidr,
    Duration backOffInitial,
    Duration backOffMax,
    Duration backOffResetAfter,
    int simulatedNodes,
    Duration simulatedStartDelay,
    Duration volumeSyncPeriod) {

  public NodeAgentSettings {
    labels = Map.copyOf(labels);
  }

  public static NodeAgentSettings of(Config config) {
    Config c = config.getConfig("troupe.node");
    String name = c.getString("name");
    if (name.isBlank()) name = hostname();
    Map<String, String> labels = new HashMap<>();
    c.getConfig("labels").entrySet().forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    return new NodeAgentSettings(name.toLowerCase(java.util.Locale.ROOT), c.getString("zone"), labels,
        c.getString("runtime"), c.getString("capacity.cpu"), c.getString("capacity.memory"),
        c.getInt("capacity.pods"), c.getDuration("heartbeat-interval"), c.getDuration("status-report-interval"),
        c.getString("kubelet.host"),
        c.getInt("kubelet.port"), c.getString("pod-cidr"), c.getDuration("back-off.initial"),
        c.getDuration("back-off.max"), c.getDuration("back-off.reset-after"), c.getInt("simulated.nodes"),
        c.getDuration("simulated.start-delay"), c.getDuration("volume-sync-period"));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
