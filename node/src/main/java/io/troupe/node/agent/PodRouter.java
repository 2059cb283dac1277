package io.troupe.node.agent;

import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One watch on the pods bound to a node, for all the node agents of this JVM (one JVM may simulate thousands
 * of nodes: one watch routed by {@code spec.nodeName} costs the watch cache one watcher, not thousands). An
 * agent that registers gets the pods bound to its node at once, then every change. When the watch cache drops
 * the watch (this JVM fell too far behind), the router watches again and tells every agent which of its pods
 * still exist.
 */
public final class PodRouter extends AbstractBehavior<PodRouter.Command> {

  public sealed interface Command {}

  /** A node agent, to be told of the pods bound to {@code nodeName}. */
  public record Register(String nodeName, ActorRef<NodeAgent.Command> agent) implements Command {}

  private record Changed(WatchEvent event) implements Command {}

  private record WatchEnded(UniqueKillSwitch watch) implements Command {}

  public static Behavior<Command> create(WatchCache cache) {
    return Behaviors.setup(context -> new PodRouter(context, cache));
  }

  private final WatchCache cache;
  private final Map<String, ActorRef<NodeAgent.Command>> agents = new HashMap<>();
  private UniqueKillSwitch watch;

  private PodRouter(ActorContext<Command> context, WatchCache cache) {
    super(context);
    this.cache = cache;
    this.watch = startWatch();
  }

  /** Only the events the cache sends after now: current pods reach each agent as it registers or resyncs. */
  private UniqueKillSwitch startWatch() {
    ActorRef<Command> self = getContext().getSelf();
    var run = cache.watch(new WatchRequest("Pod", null, PodRouter::bound, cache.revision(), false, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(new Changed(e))), Keep.both())
        .run(getContext().getSystem());
    UniqueKillSwitch killSwitch = run.first();
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(killSwitch)));
    return killSwitch;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::onRegister)
        .onMessage(Changed.class, this::onChanged)
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
          watch.shutdown();
          return this;
        })
        .build();
  }

  private Behavior<Command> onRegister(Register r) {
    agents.put(r.nodeName(), r.agent());
    r.agent().tell(new NodeAgent.Synced(podsOn(r.nodeName())));
    return this;
  }

  private Behavior<Command> onChanged(Changed c) {
    if (c.event().type() == WatchEvent.Type.BOOKMARK) return this;
    KubeObject pod = c.event().object();
    ActorRef<NodeAgent.Command> agent = agents.get(Json.text(pod.body(), "spec.nodeName"));
    if (agent != null) agent.tell(new NodeAgent.PodChanged(pod, c.event().type() == WatchEvent.Type.DELETED));
    return this;
  }

  private Behavior<Command> onWatchEnded(WatchEnded ended) {
    if (ended.watch() != watch) return this;
    if (cache.stopping()) return Behaviors.stopped();
    getContext().getLog().info("the pod watch ended; watching again and resyncing {} node agents", agents.size());
    watch = startWatch();
    agents.forEach((node, agent) -> agent.tell(new NodeAgent.Synced(podsOn(node))));
    return this;
  }

  private List<KubeObject> podsOn(String nodeName) {
    return cache.podsOnNode(nodeName);
  }

  private static boolean bound(KubeObject pod) {
    String node = Json.text(pod.body(), "spec.nodeName");
    return node != null && !node.isEmpty();
  }
}
