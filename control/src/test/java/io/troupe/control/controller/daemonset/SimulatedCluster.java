package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A store, a scheduler and kubelets in a few lines, for driving the reconciler over several rounds: each
 * {@link #step()} reconciles once and applies the actions at once. A created pod is bound to the node its
 * affinity pins it to and, when {@code podsReadyAtOnce}, is Running and Ready straight away; a deleted pod is gone.
 */
final class SimulatedCluster {
  final Map<String, KubeObject> nodes = new LinkedHashMap<>();
  final Map<String, KubeObject> pods = new LinkedHashMap<>();
  KubeObject daemonSet;
  boolean podsReadyAtOnce = true;
  Instant now = DaemonSetFixtures.NOW;

  private final DaemonSetReconciler reconciler = new DaemonSetReconciler(new Random(1));
  private int uids;

  SimulatedCluster(KubeObject daemonSet, List<KubeObject> nodes) {
    this.daemonSet = daemonSet;
    for (KubeObject node : nodes) this.nodes.put(node.metadata().name(), node);
  }

  List<Action> step() {
    now = now.plusSeconds(1);
    List<Action> actions =
        reconciler.reconcile(daemonSet, List.copyOf(nodes.values()), List.copyOf(pods.values()), now);
    for (Action action : actions) {
      if (action instanceof Action.Create create) {
        KubeObject pod = create.object();
        String uid = "uid-sim-" + (++uids);
        pod = pod.withMetadata(pod.metadata().withCreation(uid, Rfc3339.format(now)).withResourceVersion("1"));
        ObjectNode spec = ((ObjectNode) pod.spec()).deepCopy();
        spec.put("nodeName", DaemonPodTemplate.targetNode(spec));
        pod = pod.withField("spec", spec);
        if (podsReadyAtOnce) pod = ready(pod, true);
        pods.put(pod.metadata().name(), pod);
      } else if (action instanceof Action.Delete delete) {
        pods.values().removeIf(p -> p.key().equals(delete.key()) && p.metadata().uid().equals(delete.uid()));
      } else if (action instanceof Action.Update update) {
        pods.put(update.object().metadata().name(), update.object());
      } else if (action instanceof Action.UpdateStatus status) {
        daemonSet = status.object();
      }
    }
    return actions;
  }

  /** Steps until a round asks for nothing; fails after {@code max} rounds. */
  int converge(int max) {
    for (int i = 1; i <= max; i++) {
      if (step().isEmpty()) return i;
    }
    throw new AssertionError("no convergence in " + max + " rounds; pods " + pods.keySet());
  }

  /** {@code pod}, Running, with its Ready condition set (changing now). */
  KubeObject ready(KubeObject pod, boolean ready) {
    ObjectNode status = Json.object().put("phase", "Running");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False")
        .put("lastTransitionTime", Rfc3339.format(now));
    return pod.withField("status", status);
  }

  /** The names of nodes eligible per {@code eligibleNodes} without an available daemon pod. */
  List<String> nodesWithoutAvailablePod(List<String> eligibleNodes) {
    List<String> missing = new ArrayList<>();
    for (String node : eligibleNodes) {
      boolean available = false;
      for (KubeObject pod : pods.values()) {
        if (node.equals(PodReadiness.nodeName(pod)) && PodReadiness.isAvailable(pod, 0, now)) available = true;
      }
      if (!available) missing.add(node);
    }
    return missing;
  }

  /** The daemon pods' revision hashes by node. */
  Map<String, List<String>> hashesByNode() {
    Map<String, List<String>> out = new TreeMap<>();
    for (KubeObject pod : pods.values()) {
      out.computeIfAbsent(PodReadiness.nodeName(pod), n -> new ArrayList<>())
          .add(pod.metadata().labels().get(DaemonPodTemplate.HASH_LABEL));
    }
    return out;
  }

  void deletePod(String name) {
    pods.remove(name);
  }

  void editTemplate(Consumer<ObjectNode> change) {
    ObjectMeta keep = daemonSet.metadata();
    daemonSet = DaemonSetFixtures.editPodSpec(daemonSet, change);
    daemonSet = daemonSet.withMetadata(daemonSet.metadata().withResourceVersion(keep.resourceVersion()));
  }
}
