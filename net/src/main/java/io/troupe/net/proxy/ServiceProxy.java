package io.troupe.net.proxy;

import com.typesafe.config.Config;
import io.troupe.net.policy.LoopbackPolicies;
import io.troupe.persistence.store.Store;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service proxy (kube-proxy) of a worker JVM: started once per JVM, it listens on every Service's
 * ClusterIP:port, on the node's address at each nodePort, and on each load balancer ingress ip:port, and forwards
 * TCP to the Service's ready endpoints. See {@link Proxier}. Closing it stops listening (connections already
 * forwarded carry on until either side closes them).
 */
public final class ServiceProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ActorSystem<?> system;
  private final ActorRef<Proxier.Command> proxier;
  private final AtomicLong accepted;
  private final LoopbackPolicies policies;

  private ServiceProxy(ActorSystem<?> system, ActorRef<Proxier.Command> proxier, AtomicLong accepted,
      LoopbackPolicies policies) {
    this.system = system;
    this.policies = policies;
    this.proxier = proxier;
    this.accepted = accepted;
  }

  /**
   * @param config the JVM's configuration ({@code troupe.net.proxy})
   * @param nodeAddress the node's address (its InternalIP), where nodePorts listen; null or empty for none
   * @return the running proxy, or one that does nothing when {@code troupe.net.proxy.enabled} is off
   */
  public static ServiceProxy start(ActorSystem<?> system, Store store, Config config, String nodeAddress) {
    ProxySettings settings = ProxySettings.of(config);
    if (!settings.enabled()) {
      log.info("service proxy disabled (troupe.net.proxy.enabled = off)");
      return new ServiceProxy(system, null, new AtomicLong(), null);
    }
    AtomicLong accepted = new AtomicLong();
    // loopback mode: NetworkPolicy is judged here, per new connection (bridge mode: by nftables, on packets)
    LoopbackPolicies policies = LoopbackPolicies.start(system, store, config);
    ActorRef<Proxier.Command> proxier = system.systemActorOf(
        Proxier.create(store, settings, literal(nodeAddress), accepted, policies::current),
        "service-proxy-" + INSTANCES.incrementAndGet(), Props.empty());
    log.info("service proxy started (node address {})", nodeAddress);
    return new ServiceProxy(system, proxier, accepted, policies);
  }

  /** The node's address as an IP literal (a host name is looked up once, here). */
  private static String literal(String nodeAddress) {
    if (nodeAddress == null || nodeAddress.isBlank()) return null;
    if (ProxyRules.isIpLiteral(nodeAddress)) return nodeAddress;
    try {
      return InetAddress.getByName(nodeAddress).getHostAddress();
    } catch (UnknownHostException e) {
      log.warn("node address {} unknown: no nodePorts here", nodeAddress);
      return null;
    }
  }

  /** Connections this proxy has accepted (forwarded or reset), on all its addresses. */
  long accepted() {
    return accepted.get();
  }

  /** Stops listening on every address, and returns once they are all unbound (at most 10 s). */
  @Override
  public void close() {
    if (proxier == null) return;
    policies.close();
    try {
      AskPattern.<Proxier.Command, org.apache.pekko.Done>ask(proxier, Proxier.Close::new, Duration.ofSeconds(10),
          system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("service proxy closed without confirmation: {}", e.toString());
    }
  }
}
