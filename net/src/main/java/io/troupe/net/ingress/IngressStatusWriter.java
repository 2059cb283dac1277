package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * Writes {@code status.loadBalancer.ingress} of every served Ingress: the InternalIPs of the Ready Nodes (every
 * worker JVM runs an ingress proxy on its node's address, so each Ready node serves every Ingress), one entry per
 * distinct address, in address order.
 *
 * <p>One writer: every worker JVM runs this actor, but only the one whose node address is the first of those
 * addresses writes (JVMs sharing that address, several on one host, all do, harmlessly: see below). Writes are
 * level-triggered and fenced: made only when the stored status differs from the wanted one, conditional on the
 * version read (a stale view gets Conflict and looks again), so concurrent writers converge instead of fighting.
 * With no Ready node the status is left as it is (no writer can be told apart, and the proxies are still up).
 */
public final class IngressStatusWriter extends AbstractBehavior<IngressStatusWriter.Command> {
  static final String AUTHOR = "ingress-proxy";

  public sealed interface Command {}

  private record Changed(Informer informer, WatchEvent event) implements Command {}

  private record WatchEnded(Informer informer, UniqueKillSwitch watch) implements Command {}

  private record Restart(Informer informer) implements Command {}

  private record Written(String key, StoreResult result, Throwable failure) implements Command {}

  private enum Reconcile implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  public enum Stop implements Command { INSTANCE }

  static Behavior<Command> create(Store store, IngressSettings settings, String nodeAddress) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new IngressStatusWriter(context, timers, store.as(AUTHOR), settings, nodeAddress)));
  }

  private final TimerScheduler<Command> timers;
  private final Store store;
  private final IngressSettings settings;
  private final String nodeAddress;
  private final Informer ingresses = new Informer("Ingress", o -> true);
  private final Informer nodes = new Informer("Node", o -> true);
  /** Ingresses with a write in flight: at most one each. */
  private final Set<String> writing = new HashSet<>();
  /**
   * The Ready Nodes' addresses, kept up to date from the Node events: a reconcile no longer reads every Node (a
   * measured 10 % of the server's CPU at 5,000 nodes heartbeating), and a heartbeat that changes no address
   * schedules none.
   */
  private final ReadyNodeAddresses readyAddresses = new ReadyNodeAddresses();
  /** What the last look found, so that Node heartbeats that change no address cost no pass over the Ingresses. */
  private List<String> lastAddresses = List.of();
  private boolean ingressesChanged = true;

  private IngressStatusWriter(ActorContext<Command> context, TimerScheduler<Command> timers, Store store,
      IngressSettings settings, String nodeAddress) {
    super(context);
    this.timers = timers;
    this.store = store;
    this.settings = settings;
    this.nodeAddress = nodeAddress;
    start(ingresses);
    start(nodes);
    timers.startTimerWithFixedDelay(Resync.INSTANCE, Resync.INSTANCE, settings.statusResyncInterval());
  }

  private void start(Informer informer) {
    informer.start(getContext().getSystem(), store, getContext().getSelf(), e -> new Changed(informer, e),
        w -> new WatchEnded(informer, w));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, c -> {
          if (c.informer().apply(c.event())) {
            if (c.informer() == ingresses) {
              ingressesChanged = true;
              soon();
            } else if (readyAddresses.apply(c.event(), nodes.objects())) {
              soon();
            }
          }
          return this;
        })
        .onMessage(WatchEnded.class, w -> {
          if (store.cache().stopping()) return Behaviors.stopped();
          if (w.informer().isCurrent(w.watch())) {
            timers.startSingleTimer(w.informer(), new Restart(w.informer()), Duration.ofMillis(200));
          }
          return this;
        })
        .onMessage(Restart.class, r -> {
          start(r.informer());
          return this;
        })
        .onMessage(Written.class, this::onWritten)
        .onMessageEquals(Reconcile.INSTANCE, () -> reconcile(false))
        .onMessageEquals(Resync.INSTANCE, () -> reconcile(true))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          ingresses.stop();
          nodes.stop();
          return this;
        })
        .build();
  }

  private void soon() {
    if (!timers.isTimerActive(Reconcile.INSTANCE)) {
      timers.startSingleTimer(Reconcile.INSTANCE, Reconcile.INSTANCE, settings.applyDelay());
    }
  }

  private Behavior<Command> reconcile(boolean resync) {
    if (!ingresses.synced() || !nodes.synced()) return this;
    List<String> addresses = readyAddresses.addresses();
    if (!resync && !ingressesChanged && addresses.equals(lastAddresses)) return this;
    lastAddresses = addresses;
    ingressesChanged = false;
    if (addresses.isEmpty() || !addresses.get(0).equals(nodeAddress)) return this;
    ArrayNode wanted = loadBalancerIngress(addresses);
    for (KubeObject ingress : ingresses.objects()) {
      String key = ingress.key();
      if (writing.contains(key) || !IngressRoutes.served(ingress, settings.className())) continue;
      JsonNode status = ingress.status();
      if (status != null && wanted.equals(status.path("loadBalancer").path("ingress"))) continue;
      // the version the change is fenced on: the cache's, which the informer's object came from
      Stored stored = store.get(key).orElse(null);
      if (stored == null) continue;
      ObjectNode newStatus = status != null && status.isObject() ? ((ObjectNode) status).deepCopy() : Json.object();
      newStatus.putObject("loadBalancer").set("ingress", wanted);
      writing.add(key);
      getContext().pipeToSelf(store.replaceStatus(stored.object().withField("status", newStatus),
          stored.sequenceNr()), (result, failure) -> new Written(key, result, failure));
    }
    return this;
  }

  private Behavior<Command> onWritten(Written w) {
    writing.remove(w.key());
    if (w.failure() != null || w.result() instanceof StoreResult.Refused) {
      Object why = w.failure() != null ? w.failure().getMessage() : ((StoreResult.Refused) w.result()).message();
      getContext().getLog().debug("ingress proxy: status of {} not written ({}), looking again", w.key(), why);
      ingressesChanged = true;
      timers.startSingleTimer(Reconcile.INSTANCE, Reconcile.INSTANCE, Duration.ofSeconds(1));
    }
    return this;
  }

  static ArrayNode loadBalancerIngress(List<String> addresses) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (String a : addresses) out.addObject().put("ip", a);
    return out;
  }

}
