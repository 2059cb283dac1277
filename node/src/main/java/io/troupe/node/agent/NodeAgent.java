package io.troupe.node.agent;

import io.troupe.node.image.ImageSummary;
import io.troupe.node.probe.Prober;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.volume.PodVolumes;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Heartbeats;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node agent (kubelet) of one node: registers the Node, renews its Lease every heartbeat and posts its status
 * when it changes ({@link NodeLease}), and runs a
 * {@link PodWorker} for every pod bound to it. At start it first asks the runtime for the containers it had
 * started before a restart, hands the live ones to their pods' workers, and cleans up those whose pods are
 * gone. Its pods' IPs come from its Node's {@code spec.podCIDR}: one configured ({@code troupe.node.pod-cidr}), or
 * the one the node-ipam controller assigns. Until the Node has one it is tainted network-unavailable (the scheduler
 * sends no pod there), reports NetworkUnavailable True, and the agent starts no pod.
 */
public final class NodeAgent {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeAgent.class);

  public sealed interface Command {}

  /** A pod bound to this node changed (or was deleted). */
  public record PodChanged(KubeObject pod, boolean deleted) implements Command {}

  /** Every pod bound to this node now: the others are gone. */
  public record Synced(List<KubeObject> pods) implements Command {}

  /** The Node got its pod CIDR (from {@link PodCidrWatch}). */
  public record PodCidrAssigned(String cidr) implements Command {}

  /** A container's attempts, for the kubelet endpoint (container logs); empty for a pod not running here. */
  public record FindContainer(String podUid, String name, ActorRef<Optional<PodWorker.Attempts>> replyTo)
      implements Command {}

  private record Recovered(List<RunningContainer> containers, Throwable failure) implements Command {}

  /** The Node is written; {@code podCidr}: the pod CIDR it holds (null: none yet). */
  private record Registered(String podCidr, Throwable failure) implements Command {}

  private record WorkerStopped(String podUid) implements Command {}

  private enum Heartbeat implements Command { INSTANCE }

  /**
   * What a node agent needs to start.
   *
   * @param images the images the node holds now, for {@code status.images}; null for none (simulated nodes)
   */
  public record Setup(NodeStatus.Facts facts, NodeAgentSettings settings, Store store, ContainerRuntime runtime,
      Prober prober, ActorRef<PodRouter.Command> router, ActorRef<PodCidrWatch.Command> podCidrs, PodVolumes volumes,
      CompletableFuture<Void> registered, java.util.function.Supplier<List<ImageSummary>> images) {}

  public static Behavior<Command> create(Setup setup) {
    // its writes (the Node, its pods' status, their final deletes, events) are the kubelet's of this node
    Setup kubelet = new Setup(setup.facts(), setup.settings(), setup.store().as("kubelet/" + setup.facts().name()),
        setup.runtime(), setup.prober(), setup.router(), setup.podCidrs(), setup.volumes(), setup.registered(),
        setup.images());
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(100_000, stash ->
        new NodeAgent(context, timers, stash, kubelet).starting(null, false))));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final Setup setup;
  private final PodWorkerContext workerContext;
  /** What this node reports; its pod CIDR is the Node's once known. */
  private NodeStatus.Facts facts;
  /** The pod IPs of the Node's pod CIDR; null until the Node has one. */
  private PodAddresses addresses;
  private final Map<String, ActorRef<PodWorker.Command>> workers = new HashMap<>();
  /** Containers found at start, by pod uid, until the pod's worker takes them or they are cleaned up. */
  private final Map<String, List<RunningContainer>> recovered = new HashMap<>();
  private boolean firstSync = true;
  /** When this agent last wrote the Node's status (registration included); null before. */
  private Instant statusPosted;

  private NodeAgent(ActorContext<Command> context, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      Setup setup) {
    this.context = context;
    this.timers = timers;
    this.stash = stash;
    this.setup = setup;
    this.facts = setup.facts();
    this.workerContext = new PodWorkerContext(setup.store(), setup.runtime(), setup.prober(),
        !"simulated".equals(setup.runtime().name()), setup.settings(), setup.facts().name(), setup.facts().address(),
        new ContainerSpecs(setup.store(), setup.facts().name(), setup.volumes(),
            PodDns.Settings.of(context.getSystem().settings().config())),
        new PodEvents(setup.store(), setup.facts().name()), setup.volumes());
    context.pipeToSelf(setup.runtime().recover(), Recovered::new);
    register();
  }

  private void register() {
    String key = ObjectKey.of("Node", null, setup.facts().name());
    var write = setup.store().current(key).thenCompose(current -> {
      KubeObject node = NodeStatus.registration(facts, current.map(Store.Current::object).orElse(null), now());
      return current.isPresent()
          ? setup.store().replace(node, false, current.get().revision())
          : setup.store().create(node);
    });
    context.pipeToSelf(write, (result, failure) -> new Registered(
        result instanceof StoreResult.Written w ? NodeStatus.podCidr(w.stored().object()) : null,
        failure != null ? failure
            : result instanceof StoreResult.Refused r ? new IllegalStateException(r.message()) : null));
  }

  /** Waiting for the runtime's recovered containers and the Node's registration; pod events wait meanwhile. */
  private Behavior<Command> starting(List<RunningContainer> containers, boolean registered) {
    return Behaviors.receive(Command.class)
        .onMessage(Recovered.class, r -> {
          if (r.failure() != null) {
            context.getLog().warn("node {}: could not recover containers: {}", name(), r.failure().getMessage());
          }
          List<RunningContainer> found = r.failure() == null ? r.containers() : List.of();
          return registered ? started(found) : starting(found, false);
        })
        .onMessage(Registered.class, r -> {
          if (r.failure() != null) {
            context.getLog().warn("node {}: registration failed, retrying: {}", name(), r.failure().getMessage());
            timers.startSingleTimer(Heartbeat.INSTANCE, setup.settings().heartbeatInterval());
            return Behaviors.same();
          }
          context.getLog().info("node {} registered", name());
          statusPosted = Instant.now();
          setup.registered().complete(null);
          if (r.podCidr() != null) usePodCidr(r.podCidr());
          return containers != null ? started(containers) : starting(null, true);
        })
        .onMessageEquals(Heartbeat.INSTANCE, () -> {
          register();
          return Behaviors.same();
        })
        .onMessage(Command.class, c -> {
          stash.stash(c);
          return Behaviors.same();
        })
        .build();
  }

  /** Registered and recovered: running once the Node has a pod CIDR. */
  private Behavior<Command> started(List<RunningContainer> containers) {
    return addresses != null ? running(containers) : awaitingPodCidr(containers);
  }

  /**
   * Waiting for the node-ipam controller to write the Node's pod CIDR: the Node is tainted network-unavailable, so
   * the scheduler binds nothing here; pods bound meanwhile (tolerating the taint, or bound by hand) wait.
   */
  private Behavior<Command> awaitingPodCidr(List<RunningContainer> containers) {
    context.getLog().debug("node {}: waiting for its pod CIDR (spec.podCIDR)", name());
    setup.podCidrs().tell(new PodCidrWatch.Await(name(), context.getSelf()));
    timers.startTimerWithFixedDelay(Heartbeat.INSTANCE, setup.settings().heartbeatInterval());
    return Behaviors.receive(Command.class)
        .onMessage(PodCidrAssigned.class, a -> {
          usePodCidr(a.cidr());
          // NetworkUnavailable turns False with the next heartbeat: the scheduler goes by the taint, already gone
          return addresses == null ? Behaviors.same() : running(containers);
        })
        .onMessageEquals(Heartbeat.INSTANCE, () -> {
          // in case the watch missed it: the cache has the Node as the controller wrote it
          String cidr = setup.store().get(ObjectKey.of("Node", null, name())).map(s -> NodeStatus.podCidr(s.object()))
              .orElse(null);
          if (cidr != null) context.getSelf().tell(new PodCidrAssigned(cidr));
          return onHeartbeat();
        })
        .onMessage(Registered.class, r -> Behaviors.same())
        .onMessage(Command.class, c -> {
          stash.stash(c);
          return Behaviors.same();
        })
        .build();
  }

  /** The Node's pod CIDR is {@code cidr}: pod IPs come from it (a configured one that differs gives way to it). */
  private void usePodCidr(String cidr) {
    if (addresses != null) return;
    if (facts.podCidr() != null && !facts.podCidr().equals(cidr)) {
      context.getLog().warn("node {}: troupe.node.pod-cidr is {} but the Node's spec.podCIDR is {}: using {}", name(),
          facts.podCidr(), cidr, cidr);
    }
    try {
      addresses = new PodAddresses(cidr);
      facts = facts.withPodCidr(cidr);
      context.getLog().debug("node {}: pod CIDR {}", name(), cidr);
    } catch (IllegalArgumentException e) {
      context.getLog().error("node {}: its pod CIDR {} is unusable ({}); no pod can start here", name(), cidr,
          e.getMessage());
    }
  }

  private Behavior<Command> running(List<RunningContainer> containers) {
    for (RunningContainer c : containers) recovered.computeIfAbsent(c.podUid(), u -> new ArrayList<>()).add(c);
    if (!containers.isEmpty()) {
      context.getLog().info("node {}: found {} containers of {} pods from before", name(), containers.size(),
          recovered.size());
    }
    timers.startTimerWithFixedDelay(Heartbeat.INSTANCE, setup.settings().heartbeatInterval());
    setup.router().tell(new PodRouter.Register(name(), context.getSelf()));
    Behavior<Command> running = Behaviors.receive(Command.class)
        .onMessage(PodChanged.class, this::onPodChanged)
        .onMessage(Synced.class, this::onSynced)
        .onMessage(FindContainer.class, this::onFind)
        .onMessage(WorkerStopped.class, this::onWorkerStopped)
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onMessage(Registered.class, r -> Behaviors.same())
        .onMessage(PodCidrAssigned.class, a -> Behaviors.same())
        .build();
    return stash.unstashAll(running);
  }

  private Behavior<Command> onPodChanged(PodChanged c) {
    String uid = c.pod().metadata().uid();
    ActorRef<PodWorker.Command> worker = workers.get(uid);
    if (c.deleted()) {
      if (worker != null) worker.tell(PodWorker.Gone.INSTANCE);
      else cleanUp(uid);
      return Behaviors.same();
    }
    if (worker == null) worker = startWorker(c.pod());
    if (worker != null) worker.tell(new PodWorker.Update(c.pod()));
    return Behaviors.same();
  }

  private Behavior<Command> onSynced(Synced s) {
    // every IP a pod's status shows is its own before any pod without one is given a free one (after a restart the
    // list is in name order: a pod started first must not take the IP a later one already has)
    for (KubeObject pod : s.pods()) {
      String shown = Json.text(pod.body(), "status.podIP");
      if (shown != null && !workers.containsKey(pod.metadata().uid()) && !hostNetwork(pod)) {
        addresses.reserve(pod.metadata().uid(), shown);
      }
    }
    Set<String> present = new HashSet<>();
    for (KubeObject pod : s.pods()) {
      present.add(pod.metadata().uid());
      onPodChanged(new PodChanged(pod, false));
    }
    workers.forEach((uid, worker) -> {
      if (!present.contains(uid)) worker.tell(PodWorker.Gone.INSTANCE);
    });
    if (firstSync) {
      firstSync = false;
      for (String uid : List.copyOf(recovered.keySet())) {
        if (!present.contains(uid)) cleanUp(uid);
      }
      if (setup.volumes() != null) {
        // the volumes of pods that went while the agent was away
        CompletableFuture.runAsync(() -> {
          try {
            setup.volumes().removeAllExcept(present);
          } catch (java.io.IOException e) {
            context.getLog().warn("node {}: could not remove the volumes of gone pods: {}", name(), e.getMessage());
          }
        }, context.getSystem().dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
      }
    }
    return Behaviors.same();
  }

  private ActorRef<PodWorker.Command> startWorker(KubeObject pod) {
    String uid = pod.metadata().uid();
    String ip = podIp(pod);
    if (ip == null) {
      context.getLog().warn("node {}: no pod IP left in {} for {}", name(), addresses.cidr(), pod.key());
      return null;
    }
    List<RunningContainer> adopted = recovered.getOrDefault(uid, List.of());
    recovered.remove(uid);
    ActorRef<PodWorker.Command> worker = context.spawn(PodWorker.create(workerContext, pod, ip,
        addresses.cidr(), adopted), "pod-" + uid);
    context.watchWith(worker, new WorkerStopped(uid));
    workers.put(uid, worker);
    return worker;
  }

  /** The pod's IP: the one its status shows (after a restart), else a free one; the node's own for hostNetwork. */
  private String podIp(KubeObject pod) {
    if (hostNetwork(pod)) return setup.facts().address();
    String uid = pod.metadata().uid();
    String shown = Json.text(pod.body(), "status.podIP");
    if (shown != null && addresses.reserve(uid, shown)) return shown;
    return addresses.allocate(uid).orElse(null);
  }

  private static boolean hostNetwork(KubeObject pod) {
    return pod.spec().path("hostNetwork").asBoolean(false);
  }

  /** Containers recorded for a pod that no longer exists: killed, and their sandbox and logs removed. */
  private void cleanUp(String podUid) {
    List<RunningContainer> left = recovered.remove(podUid);
    if (left == null) return;
    context.getLog().info("node {}: removing {} containers of pod {} (the pod is gone)", name(), left.size(), podUid);
    setup.runtime().removePodSandbox(podUid).thenCompose(v -> setup.runtime().removePodLogs(podUid));
  }

  private Behavior<Command> onFind(FindContainer f) {
    ActorRef<PodWorker.Command> worker = workers.get(f.podUid());
    if (worker == null) f.replyTo().tell(Optional.empty());
    else worker.tell(new PodWorker.FindContainer(f.name(), f.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onWorkerStopped(WorkerStopped s) {
    workers.remove(s.podUid());
    addresses.release(s.podUid());
    return Behaviors.same();
  }

  /**
   * Renews the node's Lease, and posts the Node's status when it changed (a condition, the images) or was last
   * posted {@code status-report-interval} ago, as the kubelet does.
   */
  private Behavior<Command> onHeartbeat() {
    String key = ObjectKey.of("Node", null, name());
    Optional<Stored> node = setup.store().get(key);
    if (node.isEmpty()) {
      // deleted by someone: register again, as the kubelet does
      register();
      return Behaviors.same();
    }
    KubeObject current = node.get().object();
    Instant now = Instant.now();
    renewLease(current, now);
    var status = NodeStatus.heartbeat(current.status(), PodStatusBuilder.timestamp(now), addresses != null);
    if (setup.images() != null) status.set("images", NodeStatus.images(setup.images().get()));
    if (Heartbeats.sameStatus(status, current.status()) && statusPosted != null
        && now.isBefore(statusPosted.plus(setup.settings().statusReportInterval()))) {
      return Behaviors.same();
    }
    statusPosted = now;
    setup.store().replaceStatus(current.withField("status", status), ResourceEntity.ANY_REVISION);
    return Behaviors.same();
  }

  private void renewLease(KubeObject node, Instant now) {
    Optional<Stored> lease = setup.store().get(ObjectKey.of("Lease", Heartbeats.NODE_LEASE_NAMESPACE, name()));
    KubeObject renewed = NodeLease.renewed(lease.map(Stored::object).orElse(null), name(), node.metadata().uid(),
        setup.settings().heartbeatInterval(), now);
    var write = lease.isPresent()
        ? setup.store().replace(renewed, false, ResourceEntity.ANY_REVISION)
        : setup.store().create(renewed);
    write.whenComplete((result, failure) -> {
      // the next heartbeat tries again; the node goes Unknown only if none succeeds within the grace period
      if (failure != null || result instanceof StoreResult.Refused) {
        log.debug("node {}: lease not renewed: {}", name(),
            failure != null ? failure.getMessage() : ((StoreResult.Refused) result).message());
      }
    });
  }

  private String name() {
    return setup.facts().name();
  }

  private static String now() {
    return PodStatusBuilder.timestamp(Instant.now());
  }
}
