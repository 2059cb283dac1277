package io.troupe.node.agent;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Tells the node agents of this JVM that wait for the node-ipam controller the pod CIDR it gave their Node. One watch
 * on Nodes for all of them (one JVM may simulate thousands of nodes registering at once), open only while some agent
 * waits.
 */
public final class PodCidrWatch extends AbstractBehavior<PodCidrWatch.Command> {

  public sealed interface Command {}

  /** {@code agent} waits for {@code nodeName}'s {@code spec.podCIDR}; it gets a {@link NodeAgent.PodCidrAssigned}. */
  public record Await(String nodeName, ActorRef<NodeAgent.Command> agent) implements Command {}

  private record Changed(WatchEvent event) implements Command {}

  private record WatchEnded(UniqueKillSwitch watch) implements Command {}

  public static Behavior<Command> create(WatchCache cache) {
    return Behaviors.setup(context -> new PodCidrWatch(context, cache));
  }

  private final WatchCache cache;
  private final Map<String, ActorRef<NodeAgent.Command>> waiting = new HashMap<>();
  private UniqueKillSwitch watch;

  private PodCidrWatch(ActorContext<Command> context, WatchCache cache) {
    super(context);
    this.cache = cache;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Await.class, this::onAwait)
        .onMessage(Changed.class, c -> {
          if (c.event().type() != WatchEvent.Type.BOOKMARK && c.event().type() != WatchEvent.Type.DELETED) {
            check(c.event().object());
          }
          return stopWhenNoneWait();
        })
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onSignal(PostStop.class, s -> {
          if (watch != null) watch.shutdown();
          return this;
        })
        .build();
  }

  private Behavior<Command> onAwait(Await a) {
    waiting.put(a.nodeName(), a.agent());
    if (watch == null) watch = startWatch();
    // after the watch started: a CIDR written before it is in the cache, one written after comes as a change
    cache.get(ObjectKey.of("Node", null, a.nodeName())).map(Stored::object).ifPresent(this::check);
    return stopWhenNoneWait();
  }

  private Behavior<Command> onWatchEnded(WatchEnded ended) {
    if (ended.watch() != watch) return this;
    if (cache.stopping()) return Behaviors.stopped();
    watch = null;
    if (waiting.isEmpty()) return this;
    watch = startWatch();
    for (String node : Map.copyOf(waiting).keySet()) {
      cache.get(ObjectKey.of("Node", null, node)).map(Stored::object).ifPresent(this::check);
    }
    return stopWhenNoneWait();
  }

  private void check(KubeObject node) {
    String cidr = NodeStatus.podCidr(node);
    if (cidr == null) return;
    ActorRef<NodeAgent.Command> agent = waiting.remove(node.metadata().name());
    if (agent != null) agent.tell(new NodeAgent.PodCidrAssigned(cidr));
  }

  private Behavior<Command> stopWhenNoneWait() {
    if (waiting.isEmpty() && watch != null) {
      watch.shutdown();
      watch = null;
    }
    return this;
  }

  private UniqueKillSwitch startWatch() {
    ActorRef<Command> self = getContext().getSelf();
    var run = cache.watch(new WatchRequest("Node", null, n -> NodeStatus.podCidr(n) != null, cache.revision(), false,
            false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(new Changed(e))), Keep.both())
        .run(getContext().getSystem());
    UniqueKillSwitch killSwitch = run.first();
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(killSwitch)));
    return killSwitch;
  }
}
