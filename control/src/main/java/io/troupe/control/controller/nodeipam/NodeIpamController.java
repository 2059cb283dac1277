package io.troupe.control.controller.nodeipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.ActionRunner;
import io.troupe.control.controller.Informers;
import io.troupe.control.ipam.IpamSettings;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.WatchEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node-ipam controller (a cluster singleton; kube-controller-manager's range allocator): every Node without
 * {@code spec.podCIDR} gets a {@code /troupe.net.node-cidr-mask-size} of {@code troupe.net.cluster-cidr} in
 * {@code spec.podCIDR} and {@code spec.podCIDRs}, and loses the taint {@value #NETWORK_UNAVAILABLE} its agent
 * registered it with (kept off by the scheduler until then). As Kubernetes' allocator, it keeps the used CIDRs in
 * memory and rebuilds them from the Nodes at start (a Node that brought its own, configured on its agent, counts); a
 * deleted Node's CIDR is free again. The CIDR is chosen in memory and written to the Node conditionally on its
 * revision (a heartbeat in between: read again, try again), many Nodes at a time: thousands of simulated Nodes
 * registering at once get theirs in seconds.
 */
public final class NodeIpamController extends AbstractBehavior<NodeIpamController.Command> {
  public static final String NAME = "node-ipam-controller";

  public sealed interface Command {}

  private record NodeChanged(WatchEvent event) implements Command {}

  /** The write of {@code cidr} to a Node ended: {@code holds} is what the Node holds now (null: none or gone). */
  private record Assigned(String node, Ipv4Cidr cidr, Ipv4Cidr holds, boolean gone) implements Command {}

  private enum Resync implements Command { INSTANCE }

  /** A Node whose write failed is due again. */
  private record Retry(String node) implements Command {}

  private record WatchEnded() implements Command {}

  /** The taint node agents register a Node without a pod CIDR with (Kubernetes' TaintNodeNetworkUnavailable). */
  public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
  /**
   * Writes in flight at once: enough for the journal to batch them (5,000 Nodes in a few seconds), few enough that a
   * journal already busy with thousands of heartbeats is not swamped.
   */
  private static final int IN_FLIGHT = 64;
  private static final int WRITE_ATTEMPTS = 10;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration RESYNC = Duration.ofSeconds(30);

  public static Behavior<Command> create(Store store, IpamSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new NodeIpamController(context, timers, store, settings)));
  }

  private final Store store;
  private final CidrSet cidrs;
  private final ActionRunner events;
  private final Informers informers;
  /** The CIDR each Node is known to hold. */
  private final Map<String, Ipv4Cidr> byNode = new HashMap<>();
  private final LinkedHashSet<String> pending = new LinkedHashSet<>();
  private final Set<String> writing = new HashSet<>();
  /** Nodes told there is no CIDR left, so that the Event is not repeated on every resync. */
  private final Set<String> exhausted = new HashSet<>();
  /** Since when Nodes have been waiting for CIDRs without a pause (0: none waits), and how many got one. */
  private long burstStarted;
  private int burstAssigned;

  private final TimerScheduler<Command> timers;
  /** Failed writes in a row, by Node: how long its retry waits. */
  private final Map<String, Integer> failures = new HashMap<>();

  private NodeIpamController(ActorContext<Command> context, TimerScheduler<Command> timers, Store store,
      IpamSettings settings) {
    super(context);
    this.timers = timers;
    this.store = store.as(NAME);
    this.cidrs = new CidrSet(settings.clusterCidr(), settings.nodeCidrMaskSize());
    this.events = new ActionRunner(store, NAME);
    // the used set first, from every Node there is; then the watch, whose ADDED events bring the Nodes without one
    for (KubeObject node : store.cache().items("Node", null)) podCidr(node).ifPresent(c -> occupy(name(node), c));
    context.getLog().info("node-ipam: {} Nodes hold {} pod CIDRs of {}", byNode.size(), cidrs.usedCount(),
        settings.clusterCidr());
    this.informers = new Informers(context.getSystem(), store.cache());
    var self = context.getSelf();
    informers.follow("Node", e -> self.tell(new NodeChanged(e)), () -> self.tell(new WatchEnded()));
    timers.startTimerWithFixedDelay(Resync.INSTANCE, RESYNC);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(NodeChanged.class, this::onNodeChanged)
        .onMessage(Assigned.class, this::onAssigned)
        .onMessage(Retry.class, r -> {
          if (!writing.contains(r.node()) && store.cache().get(ObjectKey.of("Node", null, r.node()))
              .filter(n -> podCidr(n.object()).isEmpty()).isPresent()) {
            pending.add(r.node());
          }
          return assignPending();
        })
        .onMessageEquals(Resync.INSTANCE, this::onResync)
        .onMessage(WatchEnded.class, w -> {
          throw new IllegalStateException("the watch of Nodes ended (too far behind): starting over");
        })
        .onSignal(PostStop.class, s -> stop())
        .onSignal(PreRestart.class, s -> stop())
        .build();
  }

  private Behavior<Command> stop() {
    informers.stop();
    return this;
  }

  private Behavior<Command> onNodeChanged(NodeChanged c) {
    KubeObject node = c.event().object();
    String name = name(node);
    if (c.event().type() == WatchEvent.Type.BOOKMARK) return this;
    if (c.event().type() == WatchEvent.Type.DELETED) {
      pending.remove(name);
      exhausted.remove(name);
      failures.remove(name);
      Ipv4Cidr held = byNode.remove(name);
      if (held != null && !byNode.containsValue(held)) cidrs.release(held);
      return this;
    }
    Optional<Ipv4Cidr> cidr = podCidr(node);
    if (cidr.isPresent()) {
      pending.remove(name);
      failures.remove(name);
      occupy(name, cidr.get());
    } else if (!writing.contains(name) && !failures.containsKey(name) && !node.metadata().isDeleting()) {
      pending.add(name);
    }
    return assignPending();
  }

  private Behavior<Command> onResync() {
    for (KubeObject node : store.cache().items("Node", null)) {
      String name = name(node);
      if (podCidr(node).isEmpty() && !writing.contains(name) && !failures.containsKey(name)
          && !node.metadata().isDeleting()) {
        pending.add(name);
      }
    }
    exhausted.clear();
    return assignPending();
  }

  /** Starts writes for pending Nodes, up to {@link #IN_FLIGHT} at once. */
  private Behavior<Command> assignPending() {
    var it = pending.iterator();
    while (writing.size() < IN_FLIGHT && it.hasNext()) {
      String name = it.next();
      Optional<Ipv4Cidr> next = cidrs.allocateNext();
      if (next.isEmpty()) {
        if (exhausted.add(name)) noCidrLeft(name);
        continue;
      }
      it.remove();
      if (writing.isEmpty() && burstStarted == 0) burstStarted = System.nanoTime();
      writing.add(name);
      Ipv4Cidr cidr = next.get();
      getContext().pipeToSelf(assign(name, cidr, WRITE_ATTEMPTS), (holds, failure) -> new Assigned(name, cidr,
          failure == null && holds != null ? holds.orElse(null) : null, failure == null && holds == null));
    }
    return this;
  }

  private Behavior<Command> onAssigned(Assigned a) {
    writing.remove(a.node());
    if (!a.cidr().equals(a.holds())) {
      // not written (gone, conflicting too often, or it got one another way): the CIDR is free again
      if (!byNode.containsValue(a.cidr())) cidrs.release(a.cidr());
      if (a.holds() == null && !a.gone()) {
        // the store is slow or busy: not at once again (that only adds to its load), after a growing pause
        int n = failures.merge(a.node(), 1, Integer::sum);
        long delay = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(n - 1, 10));
        getContext().getLog().debug("node-ipam: {} did not get a pod CIDR; again in {} ms", a.node(), delay);
        if (n == 3) getContext().getLog().warn("node-ipam: {} did not get a pod CIDR 3 times; trying on", a.node());
        timers.startSingleTimer(new Retry(a.node()), Duration.ofMillis(delay));
      }
    } else {
      failures.remove(a.node());
    }
    if (a.gone()) failures.remove(a.node());
    if (a.holds() != null) occupy(a.node(), a.holds());
    if (a.cidr().equals(a.holds())) burstAssigned++;
    assignPending();
    if (writing.isEmpty() && pending.isEmpty() && burstStarted != 0) {
      long millis = (System.nanoTime() - burstStarted) / 1_000_000;
      if (burstAssigned > 100) {
        getContext().getLog().info("node-ipam: {} Nodes given pod CIDRs in {} ms", burstAssigned, millis);
      } else {
        getContext().getLog().debug("node-ipam: {} Nodes given pod CIDRs in {} ms", burstAssigned, millis);
      }
      burstStarted = 0;
      burstAssigned = 0;
    }
    return this;
  }

  /**
   * Writes {@code cidr} into the Node's spec unless it has one: what it holds afterwards; null when it is gone;
   * empty when the write failed.
   */
  private CompletionStage<Optional<Ipv4Cidr>> assign(String name, Ipv4Cidr cidr, int attemptsLeft) {
    String key = ObjectKey.of("Node", null, name);
    return store.current(key).thenCompose(current -> {
      if (current.isEmpty() || current.get().object().metadata().isDeleting()) {
        return CompletableFuture.completedFuture((Optional<Ipv4Cidr>) null);
      }
      KubeObject node = current.get().object();
      Optional<Ipv4Cidr> held = podCidr(node);
      if (held.isPresent()) return CompletableFuture.completedFuture(held);
      ObjectNode spec = node.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
      spec.put("podCIDR", cidr.toString());
      spec.putArray("podCIDRs").add(cidr.toString());
      // the agent registered the Node tainted until it has a pod CIDR: one write gives the CIDR and lifts the taint
      ArrayNode taints = Json.MAPPER.createArrayNode();
      for (JsonNode t : spec.path("taints")) if (!NETWORK_UNAVAILABLE.equals(t.path("key").asText())) taints.add(t);
      if (taints.isEmpty()) spec.remove("taints");
      else spec.set("taints", taints);
      return store.replace(node.withField("spec", spec), true, current.get().revision()).thenCompose(result -> {
        if (result instanceof StoreResult.Written) return CompletableFuture.completedFuture(Optional.of(cidr));
        StoreResult.Refused refused = (StoreResult.Refused) result;
        if (refused.reason() == ResourceEntity.Reason.NOT_FOUND) {
          return CompletableFuture.completedFuture((Optional<Ipv4Cidr>) null);
        }
        if (refused.reason() == ResourceEntity.Reason.CONFLICT && attemptsLeft > 1) {
          return assign(name, cidr, attemptsLeft - 1);
        }
        return CompletableFuture.completedFuture(Optional.<Ipv4Cidr>empty());
      });
    });
  }

  private void occupy(String name, Ipv4Cidr cidr) {
    Ipv4Cidr before = byNode.put(name, cidr);
    if (before != null && !before.equals(cidr) && !byNode.containsValue(before)) cidrs.release(before);
    cidrs.occupy(cidr);
  }

  private void noCidrLeft(String name) {
    getContext().getLog().warn("node-ipam: no pod CIDR left in the cluster range for Node {}", name);
    store.cache().get(ObjectKey.of("Node", null, name)).ifPresent(node -> events.run(List.of(new Action.RecordEvent(
        node.object(), "Normal", "CIDRNotAvailable", "Node " + name + " status is now: CIDRNotAvailable"))));
  }

  private static String name(KubeObject node) {
    return node.metadata().name();
  }

  /** The Node's {@code spec.podCIDR} (else the first of {@code spec.podCIDRs}), if it is an IPv4 CIDR. */
  static Optional<Ipv4Cidr> podCidr(KubeObject node) {
    String cidr = Json.text(node.body(), "spec.podCIDR");
    if (cidr == null || cidr.isEmpty()) {
      var list = node.body().path("spec").path("podCIDRs");
      cidr = list.isArray() && !list.isEmpty() ? list.get(0).asText("") : "";
    }
    if (cidr.isEmpty()) return Optional.empty();
    try {
      return Optional.of(Ipv4Cidr.parse(cidr));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
