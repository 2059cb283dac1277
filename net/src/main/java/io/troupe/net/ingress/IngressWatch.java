package io.troupe.net.ingress;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * Keeps this JVM's ingress proxy current: watches the Ingresses and the {@code kubernetes.io/tls} Secrets in the
 * local watch cache and, a moment after any of them changes ({@code apply-delay}, so that a burst is applied once),
 * publishes new {@link IngressRoutes} and {@link TlsCertificates}. The request path never waits on this actor: it
 * reads what was last published.
 */
public final class IngressWatch extends AbstractBehavior<IngressWatch.Command> {

  public sealed interface Command {}

  private record Changed(Informer informer, WatchEvent event) implements Command {}

  private record WatchEnded(Informer informer, UniqueKillSwitch watch) implements Command {}

  private record Restart(Informer informer) implements Command {}

  private enum Apply implements Command { INSTANCE }

  /** Stops the watches and the actor. */
  public enum Stop implements Command { INSTANCE }

  /** What this actor publishes to. */
  record Outputs(Consumer<IngressRoutes> routes, Consumer<TlsCertificates> certificates) {}

  static Behavior<Command> create(Store store, IngressSettings settings, Outputs outputs) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new IngressWatch(context, timers, store, settings, outputs)));
  }

  private final TimerScheduler<Command> timers;
  private final Store store;
  private final IngressSettings settings;
  private final Outputs outputs;
  private final Informer ingresses = new Informer("Ingress", o -> true);
  private final Informer secrets = new Informer("Secret",
      o -> TlsCertificates.SECRET_TYPE.equals(o.body().path("type").asText()));
  /** Secrets read, by alias (key and version); a version that failed to parse is logged once. */
  private Map<String, TlsCertificates.Parsed> parsed = new HashMap<>();
  private boolean applied;

  private IngressWatch(ActorContext<Command> context, TimerScheduler<Command> timers, Store store,
      IngressSettings settings, Outputs outputs) {
    super(context);
    this.timers = timers;
    this.store = store;
    this.settings = settings;
    this.outputs = outputs;
    start(ingresses);
    start(secrets);
  }

  private void start(Informer informer) {
    informer.start(getContext().getSystem(), store, getContext().getSelf(), e -> new Changed(informer, e),
        w -> new WatchEnded(informer, w));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onMessage(Restart.class, r -> {
          start(r.informer());
          return this;
        })
        .onMessageEquals(Apply.INSTANCE, this::onApply)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          ingresses.stop();
          secrets.stop();
          return this;
        })
        .build();
  }

  private Behavior<Command> onChanged(Changed c) {
    if (c.informer().apply(c.event()) && !timers.isTimerActive(Apply.INSTANCE)) {
      timers.startSingleTimer(Apply.INSTANCE, Apply.INSTANCE, settings.applyDelay());
    }
    return this;
  }

  private Behavior<Command> onWatchEnded(WatchEnded w) {
    if (store.cache().stopping()) return Behaviors.stopped();
    if (w.informer().isCurrent(w.watch())) {
      getContext().getLog().debug("ingress proxy: the {} watch ended, watching again", w.informer().kind());
      // not at once: a watch that ends as soon as it starts (a store shutting down) must not spin
      timers.startSingleTimer(w.informer(), new Restart(w.informer()), Duration.ofMillis(200));
    }
    return this;
  }

  private Behavior<Command> onApply() {
    // both lists whole first: routes from half the Ingresses would answer 404s, half the Secrets fail handshakes
    if (!ingresses.synced() || !secrets.synced()) return this;
    List<KubeObject> served = ingresses.objects().stream()
        .filter(i -> IngressRoutes.served(i, settings.className())).toList();
    IngressRoutes routes = IngressRoutes.of(served, settings.className());
    Map<String, TlsCertificates.Parsed> read = new HashMap<>();
    TlsCertificates certificates = TlsCertificates.of(served, secrets::get, secret -> read.computeIfAbsent(
        alias(secret), a -> parsed.containsKey(a) ? parsed.get(a) : parse(secret)));
    parsed = read;
    outputs.routes().accept(routes);
    outputs.certificates().accept(certificates);
    if (!applied) getContext().getLog().info("ingress proxy: serving {} Ingresses", served.size());
    applied = true;
    return this;
  }

  private TlsCertificates.Parsed parse(KubeObject secret) {
    TlsCertificates.Parsed p = TlsCertificates.parse(secret);
    if (p.problem() != null) {
      getContext().getLog().warn("ingress proxy: Secret {}/{} is not a usable certificate and key: {}",
          secret.metadata().namespace(), secret.metadata().name(), p.problem());
    }
    return p;
  }

  private static String alias(KubeObject secret) {
    return secret.key() + "@" + secret.metadata().resourceVersion();
  }
}
