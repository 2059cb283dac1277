package io.troupe.control.scheduler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.ActionRunner;
import io.troupe.control.controller.Informers;
import io.troupe.control.controller.volume.Claims;
import io.troupe.control.controller.volume.Volumes;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The scheduler, a cluster singleton: it follows nodes and pods in the watch cache into its own view of the
 * cluster (what every node has bound, plus what it has assumed onto nodes and not yet seen bound), decides for
 * each unbound pod in memory ({@link Scheduler}), and binds through the pod's entity without waiting for one bind
 * before the next decision. A bind that fails (the pod changed, was bound or deleted meanwhile) undoes its
 * assumption and the pod is tried again; an unschedulable pod gets {@code PodScheduled=False} with the reasons,
 * a FailedScheduling event, and is tried again with backoff or when nodes or pods change (or, for a pod with
 * PersistentVolumeClaims, when claims, volumes or storage classes change).
 *
 * <p>A pod with claims has them looked up in the watch cache once per attempt ({@link PodVolumes}); pods without
 * claims cost no lookup. When the chosen node is the first consumer of a claim that waited for one, the scheduler
 * writes {@code volume.kubernetes.io/selected-node} on the claim (conditional on the version it read) and binds the
 * pod only once that write succeeded; otherwise the pod goes back to the queue.
 */
public final class PodScheduler extends AbstractBehavior<PodScheduler.Command> {
  public static final String NAME = "default-scheduler";

  public sealed interface Command {}

  private record NodeChanged(WatchEvent event) implements Command {}

  private record PodChanged(WatchEvent event) implements Command {}

  /** A PersistentVolumeClaim, PersistentVolume or StorageClass changed. */
  private enum StorageChanged implements Command { INSTANCE }

  /** The storage changes queued before it have been seen: the pods with claims try again, once for all of them. */
  private enum RetryPodsWithClaims implements Command { INSTANCE }

  private enum ScheduleSome implements Command { INSTANCE }

  private record Retry(String key) implements Command {}

  /** The watch cache ended a watch of this incarnation (it fell too far behind). */
  private record WatchEnded(String kind) implements Command {}

  private record BindDone(PodInfo pod, KubeObject object, String node, boolean bound) implements Command {}

  /** Pods decided per message, so node and pod changes are seen between batches. */
  private static final int BATCH = 256;
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  public static Behavior<Command> create(Store store) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new PodScheduler(context, timers, store,
        context.getSystem().settings().config().getInt("troupe.scheduler.max-binds-in-flight"))));
  }

  private final Store store;
  private final TimerScheduler<Command> timers;
  private final ActionRunner events;
  private final Scheduler scheduler = Scheduler.withDefaultPlugins();
  private final SplittableRandom random = new SplittableRandom();
  private final Informers informers;
  private ClusterView view = ClusterView.of(List.of());
  /** Unbound pods waiting for a decision, by key, in arrival order. */
  private final LinkedHashMap<String, KubeObject> active = new LinkedHashMap<>();
  /** Unbound pods that fit nowhere last time, and how often. */
  private final Map<String, KubeObject> unschedulable = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  /** Pods decided and binding: what the view assumes. */
  private final Map<String, PodInfo> assumed = new HashMap<>();
  /** Where the view holds each bound pod. */
  private final Map<String, PodInfo> bound = new HashMap<>();
  private boolean scheduling;
  private boolean claimRetryQueued;
  /**
   * Binds sent and not answered yet, at most {@code maxBindsInFlight}: binds are pipelined (kube-scheduler's
   * asynchronous binding cycle) but bounded, so a burst of pods does not queue thousands of asks at the pod entities
   * and the journal (each with its own timeout) while decisions run ahead of what the journal confirms.
   */
  private int bindsInFlight;
  private final int maxBindsInFlight;

  private PodScheduler(ActorContext<Command> context, TimerScheduler<Command> timers, Store store,
      int maxBindsInFlight) {
    super(context);
    if (maxBindsInFlight < 1) throw new IllegalArgumentException("troupe.scheduler.max-binds-in-flight must be >= 1");
    this.maxBindsInFlight = maxBindsInFlight;
    this.store = store.as(NAME);
    this.timers = timers;
    this.events = new ActionRunner(store, NAME);
    this.informers = new Informers(context.getSystem(), store.cache());
    watch("Node", NodeChanged::new);
    watch("Pod", PodChanged::new);
    for (String kind : List.of(Claims.KIND, Volumes.KIND, "StorageClass")) watch(kind, e -> StorageChanged.INSTANCE);
    context.getLog().info("scheduler started");
  }

  private void watch(String kind, java.util.function.Function<WatchEvent, Command> message) {
    ActorRef<Command> self = getContext().getSelf();
    informers.follow(kind, e -> self.tell(message.apply(e)), () -> self.tell(new WatchEnded(kind)));
  }

  private Behavior<Command> stopInformers() {
    informers.stop();
    return this;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(NodeChanged.class, this::onNode)
        .onMessage(PodChanged.class, this::onPod)
        .onMessageEquals(StorageChanged.INSTANCE, this::onStorageChanged)
        .onMessageEquals(RetryPodsWithClaims.INSTANCE, this::retryUnschedulableWithClaims)
        .onMessageEquals(ScheduleSome.INSTANCE, this::scheduleSome)
        .onMessage(Retry.class, this::onRetry)
        .onMessage(BindDone.class, this::onBindDone)
        .onMessage(WatchEnded.class, w -> {
          throw new IllegalStateException("the watch of " + w.kind() + " ended (too far behind): starting over");
        })
        .onSignal(PostStop.class, s -> stopInformers())
        .onSignal(PreRestart.class, s -> stopInformers())
        .build();
  }

  // ---- the view ----

  private Behavior<PodScheduler.Command> onNode(NodeChanged changed) {
    KubeObject node = changed.event().object();
    String name = node.metadata().name();
    if (changed.event().type() == WatchEvent.Type.DELETED) {
      view = view.withoutNode(name);
    } else {
      NodeInfo current = view.node(name);
      try {
        NodeInfo updated = NodeInfo.from(node, current == null ? boundTo(name) : current.pods());
        // a heartbeat (status conditions' times, addresses, images) changes nothing a pod is placed by: the view
        // stays and no unschedulable pod is tried again for it (kube-scheduler's nodeSchedulingPropertiesChange)
        if (current != null && current.sameSchedulingProperties(updated)) return this;
        view = view.withNode(updated);
      } catch (RuntimeException e) {
        getContext().getLog().warn("node {} cannot be read: {}", name, e.getMessage());
        view = view.withoutNode(name);
      }
    }
    return retryUnschedulable();
  }

  /**
   * The running pods already bound to a node the view meets for the first time (pod events may have come
   * first): they take their share of its resources from the start.
   */
  private List<PodInfo> boundTo(String nodeName) {
    List<PodInfo> pods = new ArrayList<>();
    for (KubeObject pod : store.cache().podsOnNode(nodeName)) {
      if (PodInfo.isTerminal(pod)) continue;
      PodInfo info = readable(pod);
      if (info == null) continue;
      info = info.withNodeName(nodeName);
      PodInfo assumption = assumed.remove(pod.key());
      if (assumption != null) view = view.withoutPod(assumption);
      bound.put(pod.key(), info);
      pods.add(info);
    }
    return pods;
  }

  private Behavior<PodScheduler.Command> onPod(PodChanged changed) {
    KubeObject pod = changed.event().object();
    String key = pod.key();
    boolean gone = changed.event().type() == WatchEvent.Type.DELETED || PodInfo.isTerminal(pod);
    String nodeName = Json.text(pod.body(), "spec.nodeName");
    if (gone || (nodeName != null && !nodeName.isEmpty())) {
      active.remove(key);
      unschedulable.remove(key);
      attempts.remove(key);
      PodInfo before = bound.remove(key);
      if (before != null) view = view.withoutPod(before);
      PodInfo assumption = assumed.remove(key);
      if (assumption != null) view = view.withoutPod(assumption);
      if (!gone) {
        PodInfo info = readable(pod);
        if (info != null && view.node(nodeName) != null) {
          info = info.withNodeName(nodeName);
          view = view.withPod(nodeName, info);
          bound.put(key, info);
        }
      }
      return gone ? retryUnschedulable() : this;
    }
    // unbound
    String schedulerName = Json.text(pod.body(), "spec.schedulerName");
    if (pod.metadata().isDeleting() || (schedulerName != null && !schedulerName.equals(NAME))) return this;
    if (assumed.containsKey(key)) return this;
    if (unschedulable.containsKey(key)) {
      unschedulable.put(key, pod);
      return this;
    }
    active.put(key, pod);
    return startScheduling();
  }

  private Behavior<PodScheduler.Command> retryUnschedulable() {
    if (unschedulable.isEmpty()) return this;
    active.putAll(unschedulable);
    unschedulable.clear();
    return startScheduling();
  }

  private Behavior<PodScheduler.Command> onStorageChanged() {
    if (!claimRetryQueued && !unschedulable.isEmpty()) {
      claimRetryQueued = true;
      getContext().getSelf().tell(RetryPodsWithClaims.INSTANCE);
    }
    return this;
  }

  /** The unschedulable pods that use claims try again: what their claims demand may have changed. */
  private Behavior<PodScheduler.Command> retryUnschedulableWithClaims() {
    claimRetryQueued = false;
    var it = unschedulable.entrySet().iterator();
    while (it.hasNext()) {
      var entry = it.next();
      if (Claims.claimNames(entry.getValue()).isEmpty()) continue;
      active.put(entry.getKey(), entry.getValue());
      it.remove();
    }
    return startScheduling();
  }

  private Behavior<PodScheduler.Command> onRetry(Retry r) {
    KubeObject pod = unschedulable.remove(r.key());
    if (pod != null) active.put(r.key(), pod);
    return startScheduling();
  }

  // ---- deciding ----

  private Behavior<PodScheduler.Command> startScheduling() {
    if (!scheduling && !active.isEmpty() && bindsInFlight < maxBindsInFlight) {
      scheduling = true;
      getContext().getSelf().tell(ScheduleSome.INSTANCE);
    }
    return this;
  }

  private Behavior<PodScheduler.Command> scheduleSome() {
    scheduling = false;
    var it = active.entrySet().iterator();
    for (int n = 0; n < BATCH && bindsInFlight < maxBindsInFlight && it.hasNext(); n++) {
      var entry = it.next();
      it.remove();
      schedule(entry.getKey(), entry.getValue());
    }
    return startScheduling();
  }

  private void schedule(String key, KubeObject pod) {
    PodInfo info = readable(pod);
    if (info == null) {
      unschedulable(key, pod, "0/" + view.size() + " nodes are available: the pod's spec cannot be read.");
      return;
    }
    if (!info.claims().isEmpty()) info = info.withVolumes(PodVolumes.resolve(info, this::cached));
    Decision decision = scheduler.schedule(info, view, random);
    if (decision instanceof Decision.Assign assign) {
      String node = assign.nodeName();
      PodInfo placed = info.withNodeName(node);
      view = view.withPod(node, placed);
      assumed.put(key, placed);
      bindsInFlight++;
      CompletionStage<StoreResult> bound = placed.volumes() == null || placed.volumes().claimsToSelectNode().isEmpty()
          ? bind(key, node, pod)
          : selectNode(placed.volumes(), node).thenCompose(selected -> selected
              ? bind(key, node, pod) : CompletableFuture.completedFuture(null));
      getContext().pipeToSelf(bound, (result, failure) -> new BindDone(placed, pod, node,
          failure == null && result instanceof StoreResult.Written));
    } else {
      unschedulable(key, pod, ((Decision.Unschedulable) decision).message());
    }
  }

  /**
   * Writes {@code node} as the selected node of the claims that wait for their first consumer, each conditional on
   * the version it was decided on; true when every write succeeded.
   */
  private CompletionStage<Boolean> selectNode(PodVolumes volumes, String node) {
    List<Action> writes = new ArrayList<>();
    for (KubeObject claim : volumes.claimsToSelectNode()) {
      writes.add(new Action.Update(Volumes.withAnnotation(claim, Claims.SELECTED_NODE, node)));
    }
    return events.run(writes);
  }

  private CompletionStage<StoreResult> bind(String key, String node, KubeObject pod) {
    return store.bind(key, node, pod.metadata().uid(), ResourceEntity.ANY_REVISION, Admission.now());
  }

  private KubeObject cached(String key) {
    return store.cache().get(key).map(Stored::object).orElse(null);
  }

  private Behavior<PodScheduler.Command> onBindDone(BindDone done) {
    bindsInFlight--;
    String key = done.object().key();
    if (done.bound()) {
      attempts.remove(key);
      events.run(List.of(new Action.RecordEvent(done.object(), "Normal", "Scheduled",
          "Successfully assigned " + done.pod().key() + " to " + done.node())));
      return startScheduling();
    }
    // the pod changed, was bound elsewhere or deleted: forget the assumption; its next change brings it back
    PodInfo assumption = assumed.remove(key);
    if (assumption != null) view = view.withoutPod(assumption);
    store.get(key).ifPresent(s -> {
      String node = Json.text(s.object().body(), "spec.nodeName");
      if (node == null || node.isEmpty()) backoff(key, s.object());
    });
    return startScheduling();
  }

  private void unschedulable(String key, KubeObject pod, String message) {
    String previous = condition(pod);
    if (!message.equals(previous)) {
      events.run(List.of(
          new Action.UpdateStatus(withUnschedulableCondition(pod, message)),
          new Action.RecordEvent(pod, "Warning", "FailedScheduling", message)));
    }
    backoff(key, pod);
  }

  private void backoff(String key, KubeObject pod) {
    unschedulable.put(key, pod);
    int n = attempts.merge(key, 1, Integer::sum);
    long delay = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(n - 1, 16));
    timers.startSingleTimer(key, new Retry(key), Duration.ofMillis(delay));
  }

  private PodInfo readable(KubeObject pod) {
    try {
      return PodInfo.from(pod);
    } catch (RuntimeException e) {
      getContext().getLog().debug("pod {} cannot be read: {}", pod.key(), e.getMessage());
      return null;
    }
  }

  /** The message of the pod's PodScheduled=False condition, if it has one. */
  private static String condition(KubeObject pod) {
    for (var c : pod.body().path("status").path("conditions")) {
      if ("PodScheduled".equals(c.path("type").asText()) && "False".equals(c.path("status").asText())) {
        return c.path("message").asText();
      }
    }
    return null;
  }

  private static KubeObject withUnschedulableCondition(KubeObject pod, String message) {
    ObjectNode status = pod.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    ArrayNode conditions = Json.MAPPER.createArrayNode();
    status.path("conditions").forEach(c -> {
      if (!"PodScheduled".equals(c.path("type").asText())) conditions.add(c);
    });
    ObjectNode c = conditions.addObject();
    c.put("type", "PodScheduled");
    c.put("status", "False");
    c.putNull("lastProbeTime");
    c.put("lastTransitionTime", Admission.now());
    c.put("reason", "Unschedulable");
    c.put("message", message);
    status.set("conditions", conditions);
    status.put("phase", "Pending");
    return pod.withField("status", status);
  }
}
