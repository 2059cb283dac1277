package io.troupe.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe drain NODE}: cordons the node, then deletes its pods (Troupe has no eviction subresource yet, so
 * no PodDisruptionBudget is consulted) and waits until they are gone. As kubectl: DaemonSet pods stop the drain
 * unless {@code --ignore-daemonsets} (then they stay), and so do pods no controller would recreate unless
 * {@code --force}.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, description = "Drain node in preparation for maintenance.")
public final class DrainCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "NODE")
  String node;

  @Option(names = "--ignore-daemonsets", description = "Ignore DaemonSet-managed pods.")
  boolean ignoreDaemonSets;

  @Option(names = "--force", description = "Continue even if there are pods not managed by a controller.")
  boolean force;

  @Option(names = "--timeout", defaultValue = "0s", description = "How long to wait before giving up, e.g. 60s "
      + "(0: forever).")
  String timeout;

  @Option(names = "--grace-period", defaultValue = "-1", description = "Seconds given to each pod to terminate "
      + "gracefully (-1: the pod's own).")
  int gracePeriod;

  @Override
  public Integer call() {
    String name = node.startsWith("node/") ? node.substring(5) : node;
    Schedulable.set(client(), name, false, out());
    JsonNode pods = client().get(KubeClient.query("/api/v1/pods", Map.of("fieldSelector", "spec.nodeName=" + name)));
    List<JsonNode> toDelete = new ArrayList<>();
    List<String> daemons = new ArrayList<>();
    List<String> unmanaged = new ArrayList<>();
    for (JsonNode pod : pods.path("items")) {
      String id = pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name").asText();
      JsonNode controller = null;
      for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
        if (ref.path("controller").asBoolean(false)) controller = ref;
      }
      String phase = pod.path("status").path("phase").asText();
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        toDelete.add(pod);
      } else if (controller != null && "DaemonSet".equals(controller.path("kind").asText())) {
        daemons.add(id);
      } else if (controller == null && !force) {
        unmanaged.add(id);
      } else {
        toDelete.add(pod);
      }
    }
    List<String> problems = new ArrayList<>();
    if (!unmanaged.isEmpty()) {
      problems.add("cannot delete Pods that declare no controller (use --force to override): "
          + String.join(", ", unmanaged));
    }
    if (!daemons.isEmpty() && !ignoreDaemonSets) {
      problems.add("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "
          + String.join(", ", daemons));
    }
    if (!problems.isEmpty()) {
      throw new CliException("error: unable to drain node \"" + name + "\" due to error: "
          + String.join(", ", problems) + ", continuing command...\nThere are pending nodes to be drained:\n "
          + name + "\n" + String.join("\n", problems));
    }
    if (!daemons.isEmpty()) err().println("Warning: ignoring DaemonSet-managed Pods: " + String.join(", ", daemons));
    err().flush();
    for (JsonNode pod : toDelete) {
      out().println("evicting pod " + pod.path("metadata").path("namespace").asText() + "/"
          + pod.path("metadata").path("name").asText());
      out().flush();
      delete(pod);
    }
    Duration limit = io.troupe.cli.rollout.Durations.parse(timeout);
    Instant deadline = limit.isZero() ? Instant.MAX : Instant.now().plus(limit);
    for (JsonNode pod : toDelete) {
      awaitGone(pod, deadline);
      out().println("pod/" + pod.path("metadata").path("name").asText() + " evicted");
      out().flush();
    }
    out().println("node/" + name + " drained");
    out().flush();
    return 0;
  }

  private String path(JsonNode pod) {
    return "/api/v1/namespaces/" + pod.path("metadata").path("namespace").asText() + "/pods/"
        + pod.path("metadata").path("name").asText();
  }

  private void delete(JsonNode pod) {
    try {
      client().delete(gracePeriod >= 0 ? path(pod) + "?gracePeriodSeconds=" + gracePeriod : path(pod));
    } catch (ApiError e) {
      if (!e.notFound()) throw e;
    }
  }

  /** Until the pod is gone, or replaced by another of the same name (another uid). */
  private void awaitGone(JsonNode pod, Instant deadline) {
    String uid = pod.path("metadata").path("uid").asText();
    while (true) {
      try {
        JsonNode now = client().get(path(pod));
        if (!uid.equals(now.path("metadata").path("uid").asText())) return;
      } catch (ApiError e) {
        if (e.notFound()) return;
        throw e;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException("error: unable to drain node \"" + node + "\": drain did not complete within "
            + timeout + ", pod " + pod.path("metadata").path("name").asText() + " is still there");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("error: interrupted");
      }
    }
  }
}
