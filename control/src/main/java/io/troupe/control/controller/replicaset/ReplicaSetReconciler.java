package io.troupe.control.controller.replicaset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.GenerateName;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The ReplicaSet control loop's decision, without I/O: given a ReplicaSet and the pods of its namespace, the
 * writes that move the pods towards {@code spec.replicas} and the status that describes them (Kubernetes'
 * syncReplicaSet, manageReplicas and calculateStatus).
 *
 * <p>Level-triggered: the answer depends only on what is observed, so running it twice on the same view asks for
 * the same pods twice. The controller keeps Kubernetes' "expectations" (the creates and deletes it has issued
 * and not yet seen in its cache) and does not reconcile a ReplicaSet again before they are met; counting the
 * {@link Action.Create} and {@link Action.Delete} of a reply gives them.
 */
public final class ReplicaSetReconciler {
  /** Kubernetes' burstReplicas: at most this many creates or deletes per reconcile; the next one does the rest. */
  public static final int BURST_REPLICAS = 500;




  private final RandomGenerator random;

  public ReplicaSetReconciler() {
    this(new Random());
  }

  /**
   * The reconciler names the pods it creates itself (as the API server would from generateName), so that its
   * SuccessfulCreate event can say which pod it created; {@code random} picks the suffixes.
   */
  public ReplicaSetReconciler(RandomGenerator random) {
    this.random = random;
  }

  /**
   * The writes for one ReplicaSet: adoptions and releases of pods, creates (at most {@link #BURST_REPLICAS}) or
   * deletes of pods, the status when it changed, and an Event per pod created or deleted. A ReplicaSet being
   * deleted gets nothing: the garbage collector owns its pods from then on.
   */
  public List<Action> reconcile(KubeObject replicaSet, List<KubeObject> podsInNamespace, Instant now) {
    if (replicaSet.metadata().isDeleting()) return List.of();
    JsonNode spec = replicaSet.spec() == null ? Json.object() : replicaSet.spec();
    LabelSelector selector;
    try {
      selector = LabelSelector.fromJson(spec.get("selector"));
    } catch (SelectorException e) {
      return List.of(); // validation keeps such objects out; nothing sensible can be decided for one
    }
    List<KubeObject> active = new ArrayList<>();
    for (KubeObject pod : podsInNamespace) {
      if (PodReadiness.isActive(pod)) active.add(pod);
    }
    ControllerRefClaim claim = ControllerRefClaim.of(replicaSet, selector, active);
    List<Action> actions = new ArrayList<>();
    List<Action> events = new ArrayList<>();
    for (KubeObject pod : claim.adopted()) actions.add(new Action.Update(pod));
    for (KubeObject pod : claim.released()) actions.add(new Action.Update(pod));

    List<KubeObject> owned = claim.claimed();
    int diff = owned.size() - replicas(spec);
    JsonNode template = spec.path("template");
    Map<String, String> templateLabels = stringMap(template.path("metadata").path("labels"));
    // A template whose pods the selector would not count would make every reconcile create more; validation
    // refuses such a ReplicaSet, and this keeps an invalid one from flooding the namespace.
    if (diff < 0 && selector.matches(templateLabels)) {
      Set<String> taken = new HashSet<>();
      for (KubeObject pod : podsInNamespace) taken.add(pod.metadata().name());
      for (int i = 0; i < Math.min(-diff, BURST_REPLICAS); i++) {
        KubeObject pod = newPod(replicaSet, template, taken);
        actions.add(new Action.Create(pod));
        events.add(new Action.RecordEvent(replicaSet, "Normal", "SuccessfulCreate",
            "Created pod: " + pod.metadata().name()));
      }
    } else if (diff > 0) {
      List<KubeObject> victims = new ArrayList<>(owned);
      victims.sort(PodDeletionOrder.INSTANCE);
      for (KubeObject pod : victims.subList(0, Math.min(diff, BURST_REPLICAS))) {
        actions.add(new Action.Delete(pod.key(), pod.metadata().uid()));
        events.add(new Action.RecordEvent(replicaSet, "Normal", "SuccessfulDelete",
            "Deleted pod: " + pod.metadata().name()));
      }
    }

    ReplicaSetStatus status = ReplicaSetStatus.of(owned, templateLabels, spec.path("minReadySeconds").asInt(0),
        generation(replicaSet), now);
    if (!status.equals(ReplicaSetStatus.observed(replicaSet.status()))) {
      actions.add(new Action.UpdateStatus(replicaSet.withField("status", status.writeInto(replicaSet.status()))));
    }
    actions.addAll(events);
    return List.copyOf(actions);
  }

  /**
   * When this ReplicaSet should be looked at again although nothing changes: the first moment one of its ready
   * pods becomes available (minReadySeconds after turning Ready), which no watch event announces. Kubernetes
   * re-queues the ReplicaSet after minReadySeconds for the same reason.
   */
  public static Optional<Instant> availabilityCheckAt(KubeObject replicaSet, List<KubeObject> podsInNamespace,
      Instant now) {
    int minReadySeconds = replicaSet.spec() == null ? 0 : replicaSet.spec().path("minReadySeconds").asInt(0);
    if (minReadySeconds <= 0 || replicaSet.metadata().isDeleting()) return Optional.empty();
    Instant earliest = null;
    for (KubeObject pod : podsInNamespace) {
      if (!PodReadiness.isActive(pod) || !PodReadiness.isReady(pod)) continue;
      if (!ControllerRefClaim.isControlledBy(pod, replicaSet.metadata().uid())) continue;
      if (PodReadiness.isAvailable(pod, minReadySeconds, now)) continue;
      Instant since = PodReadiness.readySince(pod);
      if (since == null) continue;
      Instant at = since.plusSeconds(minReadySeconds);
      if (earliest == null || at.isBefore(earliest)) earliest = at;
    }
    return Optional.ofNullable(earliest);
  }

  /** spec.replicas; a missing value is the API default, 1. */
  static int replicas(JsonNode spec) {
    JsonNode replicas = spec.get("replicas");
    return replicas == null || replicas.isNull() ? 1 : replicas.asInt(1);
  }

  private static long generation(KubeObject object) {
    Long generation = object.metadata().generation();
    return generation == null ? 0 : generation;
  }

  /** controller.GetPodFromTemplate: the template's labels, annotations, finalizers and spec, owned by the RS. */
  private KubeObject newPod(KubeObject replicaSet, JsonNode template, Set<String> taken) {
    JsonNode templateMeta = template.path("metadata");
    String prefix = replicaSet.metadata().name() + "-";
    String name = uniqueName(prefix, taken);
    List<String> finalizers = new ArrayList<>();
    for (JsonNode f : templateMeta.path("finalizers")) finalizers.add(f.asText());
    ObjectMeta meta = new ObjectMeta(name, prefix, replicaSet.metadata().namespace(), null, null, null, null,
        null, null, stringMap(templateMeta.path("labels")), stringMap(templateMeta.path("annotations")),
        List.of(ControllerRefClaim.controllerRefTo(replicaSet)), finalizers);
    ObjectNode body = Json.object();
    JsonNode podSpec = template.get("spec");
    body.set("spec", podSpec != null && podSpec.isObject() ? podSpec.deepCopy() : Json.object());
    return new KubeObject("v1", "Pod", meta, body);
  }

  private String uniqueName(String prefix, Set<String> taken) {
    return GenerateName.unique(prefix, taken, random);
  }

  static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node != null && node.isObject()) node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
