package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.persistence.model.GenerateName;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The DaemonSet control loop's decision, without I/O: given a DaemonSet, the nodes and the pods of its namespace,
 * the writes that put one daemon pod on every eligible node and none elsewhere, roll old pods over to the current
 * template, and describe the result in the status (Kubernetes' daemon controller: manage, rollingUpdate,
 * updateDaemonSetStatus).
 *
 * <p>A node is eligible when the template's node selector and required node affinity match it and the template,
 * with the daemon tolerations added (not-ready, unreachable, disk-, memory-, pid-pressure, unschedulable), tolerates
 * its NoSchedule and NoExecute taints; cordoned nodes are eligible, nodes being deleted are not. A pod is made
 * for its node by a required node affinity {@code matchFields metadata.name In [node]}, which the scheduler
 * honours, and is bound by the scheduler as in Kubernetes since 1.12; until bound it counts for that node.
 *
 * <p>Level-triggered, like the ReplicaSet reconciler: the controller's expectations (creates and deletes issued
 * and not yet seen) keep it from deciding again on a view that lags its own writes. The rolling update only runs
 * on a reconcile that has nothing to create or delete for the nodes, as Kubernetes runs it only once the
 * expectations of the core loop are met.
 */
public final class DaemonSetReconciler {
  /** At most this many creates, and as many deletes, per reconcile; the next one does the rest. */
  public static final int BURST_PODS = 500;

  /** Kubernetes' podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
  static final Comparator<KubeObject> OLDEST_FIRST = (a, b) -> {
    boolean aBound = PodReadiness.nodeName(a) != null;
    boolean bBound = PodReadiness.nodeName(b) != null;
    if (aBound != bBound) return aBound ? -1 : 1;
    Instant aCreated = Rfc3339.parse(a.metadata().creationTimestamp());
    Instant bCreated = Rfc3339.parse(b.metadata().creationTimestamp());
    if (aCreated != null && bCreated != null && !aCreated.equals(bCreated)) return aCreated.compareTo(bCreated);
    if ((aCreated == null) != (bCreated == null)) return aCreated == null ? -1 : 1; // a zero time is the oldest
    return String.valueOf(a.metadata().name()).compareTo(String.valueOf(b.metadata().name()));
  };


  private final RandomGenerator random;

  public DaemonSetReconciler() {
    this(new Random());
  }

  /** {@code random} picks the suffixes of the names the reconciler gives the pods it creates. */
  public DaemonSetReconciler(RandomGenerator random) {
    this.random = random;
  }

  /**
   * The writes for one DaemonSet: adoptions and releases of pods, creates for eligible nodes without a pod,
   * deletes of surplus, misplaced, failed and (RollingUpdate) old pods, the status when it changed, and an Event
   * per pod created or deleted. A DaemonSet being deleted gets nothing.
   *
   * @param nodes every node of the cluster
   */
  public List<Action> reconcile(KubeObject daemonSet, List<KubeObject> nodes, List<KubeObject> podsInNamespace,
      Instant now) {
    if (daemonSet.metadata().isDeleting()) return List.of();
    JsonNode spec = daemonSet.spec() == null ? Json.object() : daemonSet.spec();
    JsonNode template = spec.path("template");
    LabelSelector selector;
    PodInfo daemonPod;
    try {
      selector = LabelSelector.fromJson(spec.get("selector"));
      daemonPod = PodInfo.from(new KubeObject("v1", "Pod",
          ObjectMeta.named(daemonSet.metadata().namespace(), daemonSet.metadata().name()),
          (ObjectNode) Json.object().set("spec", DaemonPodTemplate.specWithTolerations(template))));
    } catch (SelectorException | IllegalArgumentException e) {
      return List.of(); // validation keeps such objects out; nothing sensible can be decided for one
    }
    String hash = DaemonPodTemplate.hash(template);
    int minReadySeconds = spec.path("minReadySeconds").asInt(0);

    ControllerRefClaim claim = ControllerRefClaim.of(daemonSet, selector, podsInNamespace);
    List<Action> actions = new ArrayList<>();
    List<Action> events = new ArrayList<>();
    for (KubeObject pod : claim.adopted()) actions.add(new Action.Update(pod));
    for (KubeObject pod : claim.released()) actions.add(new Action.Update(pod));

    Map<String, List<KubeObject>> podsByNode = new TreeMap<>();
    for (KubeObject pod : claim.claimed()) {
      String node = DaemonPodTemplate.targetNode(pod.spec());
      if (node != null) podsByNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
    }
    Map<String, NodeEligibility> eligibility = new TreeMap<>();
    for (KubeObject node : nodes) eligibility.put(node.metadata().name(), NodeEligibility.of(daemonPod, node));

    List<String> needPods = new ArrayList<>();
    Map<KubeObject, String> doomed = new LinkedHashMap<>(); // pod to delete -> the Warning it deserves, or ""
    for (Map.Entry<String, NodeEligibility> entry : eligibility.entrySet()) {
      String node = entry.getKey();
      NodeEligibility eligible = entry.getValue();
      List<KubeObject> pods = podsByNode.getOrDefault(node, List.of());
      if (eligible.shouldRun() && pods.isEmpty()) {
        needPods.add(node);
      } else if (eligible.shouldContinueRunning()) {
        List<KubeObject> running = new ArrayList<>();
        for (KubeObject pod : pods) {
          if (pod.metadata().isDeleting()) continue;
          String phase = PodReadiness.phase(pod);
          if ("Failed".equals(phase)) {
            doomed.put(pod, "Found failed daemon pod " + pod.metadata().namespace() + "/" + pod.metadata().name()
                + " on node " + node + ", will try to kill it");
          } else if ("Succeeded".equals(phase)) {
            doomed.put(pod, "");
          } else {
            running.add(pod);
          }
        }
        running.sort(OLDEST_FIRST);
        for (KubeObject extra : running.subList(Math.min(1, running.size()), running.size())) doomed.put(extra, "");
      } else {
        for (KubeObject pod : pods) if (!pod.metadata().isDeleting()) doomed.put(pod, "");
      }
    }
    for (Map.Entry<String, List<KubeObject>> entry : podsByNode.entrySet()) {
      if (eligibility.containsKey(entry.getKey())) continue; // a node that is gone keeps no daemon pod
      for (KubeObject pod : entry.getValue()) if (!pod.metadata().isDeleting()) doomed.put(pod, "");
    }

    // A template whose pods the selector would not claim would make every reconcile create more.
    boolean canCreate = selector.matches(stringMap(template.path("metadata").path("labels")));
    int creates = canCreate ? Math.min(needPods.size(), BURST_PODS) : 0;
    if (creates > 0) {
      Set<String> taken = new HashSet<>();
      for (KubeObject pod : podsInNamespace) taken.add(pod.metadata().name());
      for (String node : needPods.subList(0, creates)) {
        KubeObject pod = newPod(daemonSet, template, hash, node, taken);
        actions.add(new Action.Create(pod));
        events.add(new Action.RecordEvent(daemonSet, "Normal", "SuccessfulCreate",
            "Created pod: " + pod.metadata().name()));
      }
    }
    if (creates == 0 && doomed.isEmpty() && DaemonSetRollingUpdate.isRollingUpdate(spec)) {
      int desired = 0;
      for (NodeEligibility e : eligibility.values()) if (e.shouldRun()) desired++;
      for (KubeObject pod : DaemonSetRollingUpdate.oldPodsToDelete(eligibility, podsByNode, hash,
          DaemonSetRollingUpdate.maxUnavailable(spec, desired), minReadySeconds, now)) {
        doomed.put(pod, "");
      }
    }
    int deletes = 0;
    for (Map.Entry<KubeObject, String> entry : doomed.entrySet()) {
      if (deletes++ == BURST_PODS) break;
      KubeObject pod = entry.getKey();
      if (!entry.getValue().isEmpty()) {
        events.add(new Action.RecordEvent(daemonSet, "Warning", "FailedDaemonPod", entry.getValue()));
      }
      actions.add(new Action.Delete(pod.key(), pod.metadata().uid()));
      events.add(new Action.RecordEvent(daemonSet, "Normal", "SuccessfulDelete",
          "Deleted pod: " + pod.metadata().name()));
    }

    Long generation = daemonSet.metadata().generation();
    DaemonSetStatus status = DaemonSetStatus.of(eligibility, podsByNode, hash, minReadySeconds,
        generation == null ? 0 : generation, now);
    if (!status.equals(DaemonSetStatus.observed(daemonSet.status()))) {
      actions.add(new Action.UpdateStatus(daemonSet.withField("status", status.writeInto(daemonSet.status()))));
    }
    actions.addAll(events);
    return List.copyOf(actions);
  }

  /** The current template's {@code controller-revision-hash}: new pods carry it, pods without it are old. */
  public static String templateHash(KubeObject daemonSet) {
    return DaemonPodTemplate.hash(daemonSet.spec() == null ? null : daemonSet.spec().get("template"));
  }

  /**
   * The daemon pod for {@code node}: the template's labels (plus the revision hash), annotations, finalizers and
   * spec (plus the daemon tolerations and the node affinity), controlled by the DaemonSet.
   */
  private KubeObject newPod(KubeObject daemonSet, JsonNode template, String hash, String node, Set<String> taken) {
    JsonNode templateMeta = template.path("metadata");
    String prefix = daemonSet.metadata().name() + "-";
    String name = uniqueName(prefix, taken);
    Map<String, String> labels = stringMap(templateMeta.path("labels"));
    labels.put(DaemonPodTemplate.HASH_LABEL, hash);
    List<String> finalizers = new ArrayList<>();
    for (JsonNode f : templateMeta.path("finalizers")) finalizers.add(f.asText());
    ObjectMeta meta = new ObjectMeta(name, prefix, daemonSet.metadata().namespace(), null, null, null, null,
        null, null, labels, stringMap(templateMeta.path("annotations")),
        List.of(ControllerRefClaim.controllerRefTo(daemonSet)), finalizers);
    ObjectNode body = Json.object();
    body.set("spec", DaemonPodTemplate.pinnedTo(DaemonPodTemplate.specWithTolerations(template), node));
    return new KubeObject("v1", "Pod", meta, body);
  }

  private String uniqueName(String prefix, Set<String> taken) {
    return GenerateName.unique(prefix, taken, random);
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node != null && node.isObject()) node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
