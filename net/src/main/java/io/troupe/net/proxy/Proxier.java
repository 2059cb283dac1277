package io.troupe.net.proxy;

import io.troupe.net.policy.PolicyVerdicts;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The service proxy of one worker JVM (kube-proxy's proxier): watches Services and Endpoints in the local watch
 * cache and keeps one {@link ProxySocket} listening on every address a Service port with a ready endpoint asks
 * for, pointed at that port's {@link Balancer}. A Service port with no ready endpoint has no listener, so its
 * clients are refused (RST to their SYN) at once, as kube-proxy's REJECT rule does. Endpoints changes reach the
 * balancers as soon as the watch delivers them; new connections never go to an endpoint that is gone or not
 * ready, while connections already forwarded carry on.
 *
 * <p>Two Services asking for the same address (no IPAM stops it yet): the first Service port in
 * namespace/name/port order gets it; the conflict is logged once.
 */
final class Proxier extends AbstractBehavior<Proxier.Command> {
  static final String SERVICE = "Service";
  static final String ENDPOINTS = "Endpoints";

  public sealed interface Command {}

  private record Changed(String kind, WatchEvent event) implements Command {}

  private record WatchEnded(String kind, UniqueKillSwitch watch) implements Command {}

  private record Rewatch(String kind) implements Command {}

  private record Bound(ProxySocket socket, Throwable failure) implements Command {}

  private record ListenerEnded(ProxySocket.Ended ended) implements Command {}

  private record Rebind(Frontend frontend) implements Command {}

  private enum Sweep implements Command { INSTANCE }

  /** Stops listening everywhere, then the proxier; {@code replyTo} hears once every socket is unbound. */
  record Close(ActorRef<Done> replyTo) implements Command {}

  private record Closed(ActorRef<Done> replyTo) implements Command {}

  /** One Service's rules as this proxier holds them in {@link ProxyMetrics}. */
  private record Holder(long proxier, String service) {}

  private static final AtomicLong IDS = new AtomicLong();

  static Behavior<Command> create(Store store, ProxySettings settings, String nodeAddress, AtomicLong accepted,
      Supplier<PolicyVerdicts> policies) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Proxier(context, timers, store, settings, nodeAddress, accepted, policies)));
  }

  private final TimerScheduler<Command> timers;
  private final Store store;
  private final ProxySettings settings;
  private final String nodeAddress;
  private final AtomicLong accepted;
  private final Supplier<PolicyVerdicts> policies;
  private final long id = IDS.incrementAndGet();

  private final Map<String, KubeObject> services = new HashMap<>();
  private final Map<String, KubeObject> endpoints = new HashMap<>();
  /** Per kind, the keys its watch delivered since it (re)started, until its initial events end. */
  private final Map<String, Set<String>> resync = new HashMap<>();
  private final Map<String, UniqueKillSwitch> watches = new HashMap<>();
  private final Map<String, List<ProxyRules.PortRule>> rules = new HashMap<>();
  private final Map<ServicePort, Balancer> balancers = new HashMap<>();
  /** The Service ports that ask for each address; the first one gets it. */
  private final Map<Frontend, TreeSet<ServicePort>> claims = new HashMap<>();
  private final Map<Frontend, ProxySocket> sockets = new HashMap<>();
  /** Addresses whose bind failure was logged (once, until they bind or are no longer wanted). */
  private final Set<Frontend> bindFailureLogged = new HashSet<>();
  private final Set<Frontend> conflictLogged = new HashSet<>();

  private Proxier(ActorContext<Command> context, TimerScheduler<Command> timers, Store store, ProxySettings settings,
      String nodeAddress, AtomicLong accepted, Supplier<PolicyVerdicts> policies) {
    super(context);
    this.policies = policies;
    this.timers = timers;
    this.store = store;
    this.settings = settings;
    this.nodeAddress = nodeAddress;
    this.accepted = accepted;
    watch(SERVICE);
    watch(ENDPOINTS);
    timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.affinitySweepInterval());
  }

  /** From the current objects on (ADDED, then the end of the initial events, then changes). */
  private void watch(String kind) {
    resync.put(kind, new HashSet<>());
    var self = getContext().getSelf();
    var run = store.cache().watch(new WatchRequest(kind, null, o -> true, null, true, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(new Changed(kind, e))), Keep.both())
        .run(getContext().getSystem());
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(kind, run.first())));
    watches.put(kind, run.first());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onMessage(Rewatch.class, r -> {
          watch(r.kind());
          return this;
        })
        .onMessage(Bound.class, this::onBound)
        .onMessage(ListenerEnded.class, this::onListenerEnded)
        .onMessage(Rebind.class, this::onRebind)
        .onMessage(Sweep.class, s -> {
          long now = System.nanoTime();
          balancers.values().forEach(b -> b.sweep(now));
          return this;
        })
        .onMessage(Close.class, this::onClose)
        .build();
  }

  private Behavior<Command> onChanged(Changed c) {
    KubeObject object = c.event().object();
    Map<String, KubeObject> objects = SERVICE.equals(c.kind()) ? services : endpoints;
    if (c.event().type() == WatchEvent.Type.BOOKMARK) {
      if ("true".equals(object.metadata().annotations().get("k8s.io/initial-events-end"))) {
        Set<String> seen = resync.remove(c.kind());
        // after a restarted watch: what was deleted while it was down is gone now
        if (seen != null) {
          for (String key : new ArrayList<>(objects.keySet())) {
            if (!seen.contains(key)) {
              objects.remove(key);
              sync(key);
            }
          }
        }
      }
      return this;
    }
    String key = object.metadata().namespace() + "/" + object.metadata().name();
    if (c.event().type() == WatchEvent.Type.DELETED) {
      objects.remove(key);
    } else {
      objects.put(key, object);
      Set<String> seen = resync.get(c.kind());
      if (seen != null) seen.add(key);
    }
    sync(key);
    return this;
  }

  private Behavior<Command> onWatchEnded(WatchEnded w) {
    if (store.cache().stopping()) return Behaviors.stopped();
    if (watches.get(w.kind()) == w.watch()) {
      getContext().getLog().debug("the {} watch ended; watching again", w.kind());
      timers.startSingleTimer(new Rewatch(w.kind()), Duration.ofMillis(200));
    }
    return this;
  }

  /** Brings one Service's balancers, claims and sockets to what its Service and Endpoints say now. */
  private void sync(String key) {
    List<ProxyRules.PortRule> before = rules.getOrDefault(key, List.of());
    List<ProxyRules.PortRule> after = ProxyRules.of(services.get(key), endpoints.get(key), nodeAddress);
    if (after.isEmpty()) rules.remove(key);
    else rules.put(key, after);
    Set<Frontend> touched = new HashSet<>();
    Set<ServicePort> ports = new HashSet<>();
    Set<Endpoint.Pod> pods = new HashSet<>();
    for (ProxyRules.PortRule r : after) {
      ports.add(r.servicePort());
      pods.addAll(r.pods());
    }
    for (ProxyRules.PortRule r : before) {
      for (Frontend f : r.frontends()) {
        TreeSet<ServicePort> claimants = claims.get(f);
        if (claimants != null) claimants.remove(r.servicePort());
        touched.add(f);
      }
      if (!ports.contains(r.servicePort())) {
        Balancer gone = balancers.remove(r.servicePort());
        if (gone != null) gone.update(List.of(), ProxyRules.Affinity.NONE);
      }
    }
    for (ProxyRules.PortRule r : after) {
      balancers.computeIfAbsent(r.servicePort(), Balancer::new).update(r.ready(), r.affinity());
      for (Frontend f : r.frontends()) {
        claims.computeIfAbsent(f, x -> new TreeSet<>()).add(r.servicePort());
        touched.add(f);
      }
    }
    touched.forEach(this::syncSocket);
    ProxyMetrics.hold(new Holder(id, key), pods, ports);
  }

  /** Listens on {@code frontend} while a Service port with a ready endpoint claims it, and only then. */
  private void syncSocket(Frontend frontend) {
    TreeSet<ServicePort> claimants = claims.get(frontend);
    if (claimants != null && claimants.isEmpty()) {
      claims.remove(frontend);
      conflictLogged.remove(frontend);
      claimants = null;
    }
    Balancer balancer = claimants == null ? null : balancers.get(claimants.first());
    if (claimants != null && claimants.size() > 1 && conflictLogged.add(frontend)) {
      getContext().getLog().warn("Service ports {} all ask for {}; {} gets it", claimants, frontend,
          claimants.first());
    }
    ProxySocket socket = sockets.get(frontend);
    if (balancer != null && balancer.hasReady()) {
      if (socket == null) {
        socket = new ProxySocket(frontend, balancer, getContext().getSystem(), settings, accepted, policies);
        sockets.put(frontend, socket);
        bind(socket);
      } else {
        socket.route(balancer);
      }
    } else if (socket != null) {
      sockets.remove(frontend);
      timers.cancel(new Rebind(frontend));
      bindFailureLogged.remove(frontend);
      socket.close();
    }
  }

  private void bind(ProxySocket socket) {
    var self = getContext().getSelf();
    getContext().pipeToSelf(socket.bind(ended -> self.tell(new ListenerEnded(ended))),
        (binding, failure) -> new Bound(socket, failure));
  }

  private Behavior<Command> onBound(Bound b) {
    Frontend frontend = b.socket().frontend();
    if (sockets.get(frontend) != b.socket()) {
      b.socket().close(); // no longer wanted while it bound
      return this;
    }
    if (b.failure() == null) {
      if (bindFailureLogged.remove(frontend)) {
        getContext().getLog().info("listening on {} for {} now", frontend, b.socket().servicePort());
      } else {
        getContext().getLog().debug("listening on {} for {}", frontend, b.socket().servicePort());
      }
      return this;
    }
    if (bindFailureLogged.add(frontend)) {
      getContext().getLog().warn("cannot listen on {} for {}: {}; trying again every {}", frontend,
          b.socket().servicePort(), b.failure().getMessage(), settings.bindRetryInterval());
    } else {
      getContext().getLog().debug("cannot listen on {} yet: {}", frontend, b.failure().getMessage());
    }
    timers.startSingleTimer(new Rebind(frontend), new Rebind(frontend), settings.bindRetryInterval());
    return this;
  }

  private Behavior<Command> onListenerEnded(ListenerEnded l) {
    if (store.cache().stopping()) return Behaviors.stopped(); // the listeners end with the JVM
    ProxySocket socket = l.ended().socket();
    if (sockets.get(socket.frontend()) == socket) {
      getContext().getLog().warn("the listener on {} for {} stopped ({}); listening again", socket.frontend(),
          socket.servicePort(), l.ended().failure() == null ? "completed" : l.ended().failure().toString());
      timers.startSingleTimer(new Rebind(socket.frontend()), new Rebind(socket.frontend()),
          settings.bindRetryInterval());
    }
    return this;
  }

  private Behavior<Command> onRebind(Rebind r) {
    ProxySocket socket = sockets.get(r.frontend());
    if (socket != null) bind(socket);
    return this;
  }

  private Behavior<Command> onClose(Close c) {
    watches.values().forEach(UniqueKillSwitch::shutdown);
    watches.clear();
    timers.cancelAll();
    List<CompletableFuture<Void>> unbound = new ArrayList<>();
    for (ProxySocket s : sockets.values()) unbound.add(s.close().toCompletableFuture());
    sockets.clear();
    for (String key : rules.keySet()) ProxyMetrics.hold(new Holder(id, key), Set.of(), Set.of());
    rules.clear();
    getContext().pipeToSelf(CompletableFuture.allOf(unbound.toArray(CompletableFuture[]::new)),
        (v, failure) -> new Closed(c.replyTo()));
    // what the watches and sockets still report while they stop is of no interest now
    return Behaviors.receive(Command.class)
        .onMessage(Closed.class, closed -> {
          closed.replyTo().tell(Done.getInstance());
          return Behaviors.stopped();
        })
        .build();
  }
}
