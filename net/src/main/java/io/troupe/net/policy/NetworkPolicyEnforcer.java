package io.troupe.net.policy;

import com.typesafe.config.Config;
import io.troupe.persistence.store.Store;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetworkPolicy (networking.k8s.io/v1) enforcement of a worker JVM. In bridge mode ({@code troupe.net.mode =
 * bridge}) every pod has a network namespace on its node's bridge and its packets cross the host's netfilter hooks:
 * the policies become the nftables table {@code inet troupe} ({@link NftRuleset}), kept current by
 * {@link PolicyWatch}. In loopback mode pods share the host's network namespace and nothing tells their packets
 * apart: nothing is enforced on packets; the service proxy and the ingress proxy judge the connections they carry
 * ({@link LoopbackPolicies}; the README says what is and is not enforced).
 *
 * <p>Closing it stops the watch and leaves the table in place: the rules keep guarding the pods (which run on) until
 * the next start rewrites them, as a restarted kube-proxy or CNI agent leaves its rules.
 */
public final class NetworkPolicyEnforcer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkPolicyEnforcer.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ActorSystem<?> system;
  private final ActorRef<PolicyWatch.Command> watch;

  private NetworkPolicyEnforcer(ActorSystem<?> system, ActorRef<PolicyWatch.Command> watch) {
    this.system = system;
    this.watch = watch;
  }

  /**
   * Starts enforcement on this JVM's host. In bridge mode {@code nft} must be there and the JVM root: an
   * {@link IllegalStateException} says so otherwise.
   *
   * @param nodeAddress the node's address; every JVM writes the rules of every pod of the cluster (a pod's packets
   *     only cross its own host), so it only names the JVM in the log
   */
  public static NetworkPolicyEnforcer start(ActorSystem<?> system, Store store, Config config, String nodeAddress) {
    PolicySettings settings = PolicySettings.of(config);
    if (!settings.enforced()) {
      log.info("NetworkPolicy is not enforced on packets in loopback mode (troupe.net.mode = bridge does); the "
          + "service proxy and the ingress proxy judge the connections they carry");
      return new NetworkPolicyEnforcer(system, null);
    }
    if (NftTable.program().isEmpty()) {
      throw new IllegalStateException("troupe.net.mode = bridge enforces NetworkPolicy with nftables, and nft is "
          + "not installed on this host");
    }
    if (!root()) {
      throw new IllegalStateException("troupe.net.mode = bridge enforces NetworkPolicy with nftables, which needs "
          + "root");
    }
    log.debug("NetworkPolicy enforcement on {} in table inet {}", nodeAddress, settings.table());
    return new NetworkPolicyEnforcer(system, system.systemActorOf(PolicyWatch.create(store, settings,
        NftTable::apply), "network-policy-" + INSTANCES.incrementAndGet(), Props.empty()));
  }

  /** Starts with a given applier (tests). */
  static NetworkPolicyEnforcer start(ActorSystem<?> system, Store store, PolicySettings settings,
      PolicyWatch.Applier applier) {
    return new NetworkPolicyEnforcer(system, system.systemActorOf(PolicyWatch.create(store, settings, applier),
        "network-policy-" + INSTANCES.incrementAndGet(), Props.empty()));
  }

  private static boolean root() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // the effective uid
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return false;
  }

  /** Whether rules are being written (bridge mode). */
  public boolean enforcing() {
    return watch != null;
  }

  @Override
  public void close() {
    if (watch != null) watch.tell(PolicyWatch.Stop.INSTANCE);
  }
}
