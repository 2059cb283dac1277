package io.troupe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.node.agent.NodeAgents;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code troupe server}: starts a Troupe JVM (by default control and worker in one, journal in ./data). */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Start a Troupe server: the Kubernetes API on --api-address, data in --data-dir.")
final class ServerCommand implements Callable<Integer> {
  /** A downed JVM's shutdown takes ~7 s (5 of them waiting for requests in flight to the API); room to spare. */
  static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(20);

  @Option(names = "--data-dir", defaultValue = "data", description = "Where the journal lives (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--api-address", defaultValue = "127.0.0.1:6443",
      description = "host:port the Kubernetes API listens on (default: ${DEFAULT-VALUE}).")
  String apiAddress;

  @Option(names = "--config", description = "A HOCON file that overrides the single-JVM configuration "
      + "(config/cluster.conf for a cluster on PostgreSQL).")
  File configFile;

  @Option(names = "--cluster-address", description = "host:port this JVM's cluster member listens on "
      + "(default: any free port of 127.0.0.1 for a single JVM, 25520 with config/cluster.conf).")
  String clusterAddress;

  @Option(names = "--seed-nodes", split = ",", description = "host:port of the members a new JVM contacts to join "
      + "the cluster (the same list on every JVM); none for a cluster of one.")
  List<String> seedNodes;

  @Option(names = "--roles", split = ",", description = "control (API, scheduler, controllers), worker (node agent), "
      + "or both (default).")
  List<String> roles;

  @Option(names = "--node-name", description = "The name of this JVM's Node (default: the host name).")
  String nodeName;

  @Option(names = "--pod-cidr", description = "The pod CIDR of this JVM's node (its spec.podCIDR), which its pods "
      + "get their IPs from. Optional: by default the node-ipam controller assigns each Node a /24 of "
      + "troupe.net.cluster-cidr (127.64.0.0/10), distinct across the JVMs of a cluster.")
  String podCidr;

  @Option(names = "--write-kubeconfig", description = "Where to write a kubeconfig for this cluster "
      + "(default: <data-dir>/kubeconfig), usable as is by troupe, kubectl and fabric8.")
  Path kubeconfigPath;

  @Override
  public Integer call() throws Exception {
    Config config = config();
    ControlPlane plane = ControlPlane.startWithoutControllers(config);
    var address = plane.apiAddress();
    if (config.getStringList("troupe.roles").contains("worker")) {
      NodeAgents agents = NodeAgents.start(plane.system(), plane.store(), config);
      System.out.println("Troupe node agent up (kubelet endpoint on " + agents.kubeletAddress() + ")");
      startNetworking(plane, config);
    }
    plane.startControllers();
    // the kubeconfig first: whoever waits for the "listening" line may use it at once
    Path kubeconfig = (kubeconfigPath == null ? dataDir.resolve("kubeconfig") : kubeconfigPath).toAbsolutePath()
        .normalize();
    writeKubeconfig(plane, kubeconfig);
    String scheme = plane.tls().isPresent() ? "https://" : "http://";
    System.out.println("Troupe API listening on " + scheme + address.getHostString() + ":" + address.getPort()
        + " (data in " + dataDir.toAbsolutePath().normalize() + ")");
    System.out.println("Kubeconfig written to " + kubeconfig + " (KUBECONFIG=" + kubeconfig + " kubectl get pods)");
    System.out.flush();
    // SIGTERM runs Pekko's coordinated shutdown (a JVM shutdown hook): the API unbinds, the system stops
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(plane.system());
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "troupe-exit-bound", () -> {
      boundShutdown(shutdown);
      return CompletableFuture.completedFuture(Done.done());
    });
    plane.system().getWhenTerminated().toCompletableFuture().join();
    int status = exitStatus(shutdown);
    System.out.println(status == 0 ? "Troupe stopped" : "Troupe stopped: this member left the cluster ("
        + shutdown.getShutdownReason().map(Object::toString).orElse("no reason") + ")");
    return status;
  }

  /**
   * The kubeconfig of this server: its URL and, with TLS, the cluster CA and the admin's client certificate
   * ({@code CN=troupe-admin, O=system:masters}), inline as kubeadm's admin.conf has them.
   */
  static void writeKubeconfig(ControlPlane plane, Path kubeconfig) throws java.io.IOException {
    if (plane.tls().isEmpty()) {
      io.troupe.cli.client.Kubeconfig.write(kubeconfig, plane.apiUrl());
      return;
    }
    var tls = plane.tls().get();
    var admin = tls.adminCertificate();
    io.troupe.cli.client.Kubeconfig.write(kubeconfig, plane.apiUrl(),
        io.troupe.control.pki.Pem.certificate(tls.ca().certificate()), admin.certificatePem(), admin.keyPem());
  }

  /**
   * The worker's share of the cluster network: the service proxy (on ClusterIPs, NodePorts and load balancer
   * addresses), the DNS server (on the kube-dns ClusterIP), the ingress proxy (on the node's address) and, in bridge
   * mode, NetworkPolicy on the pods' packets. One that cannot start (a port held by another program) is reported and left out: the node
   * still runs its pods.
   */
  private static void startNetworking(ControlPlane plane, Config config) {
    String nodeAddress = config.getString("troupe.node.kubelet.host");
    try {
      io.troupe.net.proxy.ServiceProxy.start(plane.system(), plane.store(), config, nodeAddress);
    } catch (RuntimeException e) {
      System.err.println("Troupe: service proxy not started: " + e.getMessage());
    }
    try {
      io.troupe.net.dns.ClusterDns.start(plane.system(), plane.store(), config, nodeAddress);
    } catch (RuntimeException e) {
      System.err.println("Troupe: cluster DNS not started: " + e.getMessage());
    }
    // bridge mode without nft or root has already stopped the node agents; here it would only repeat why
    io.troupe.net.policy.NetworkPolicyEnforcer.start(plane.system(), plane.store(), config, nodeAddress);
    try {
      io.troupe.net.ingress.IngressProxy.start(plane.system(), plane.store(), config, nodeAddress);
    } catch (RuntimeException e) {
      System.err.println("Troupe: ingress proxy not started: " + e.getMessage());
    }
  }

  /**
   * 0 after SIGTERM (or Ctrl-C); 1 when the cluster let this JVM go (the split brain resolver downed it, or it was
   * removed), so that a supervisor that restarts a failed process (systemd's Restart=on-failure) brings it back.
   */
  static int exitStatus(CoordinatedShutdown shutdown) {
    var reason = shutdown.getShutdownReason().orElse(null);
    return reason == null || reason.equals(CoordinatedShutdown.jvmExitReason())
        || reason.equals(CoordinatedShutdown.actorSystemTerminateReason()) ? 0 : 1;
  }

  /**
   * Ends the JVM if the shutdown has not ended it within {@code SHUTDOWN_BOUND}: after a downing, Pekko's
   * termination can wait for remoting streams that never close (apache/pekko#3247, fixed after 1.x), and a JVM that
   * neither serves nor exits is the worst of both.
   */
  private static void boundShutdown(CoordinatedShutdown shutdown) {
    Thread bound = new Thread(() -> {
      try {
        Thread.sleep(SHUTDOWN_BOUND.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("Troupe: the shutdown did not finish within " + SHUTDOWN_BOUND + "; halting");
      Runtime.getRuntime().halt(exitStatus(shutdown));
    }, "troupe-shutdown-bound");
    bound.setDaemon(true);
    bound.start();
  }

  Config config() {
    int colon = apiAddress.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("--api-address must be host:port, got " + apiAddress);
    Map<String, Object> flags = new HashMap<>();
    flags.put("troupe.data-dir", dataDir.toAbsolutePath().normalize().toString());
    flags.put("troupe.api.host", apiAddress.substring(0, colon));
    flags.put("troupe.api.port", Integer.parseInt(apiAddress.substring(colon + 1)));
    if (clusterAddress != null) {
      int at = clusterAddress.lastIndexOf(':');
      if (at <= 0) throw new IllegalArgumentException("--cluster-address must be host:port, got " + clusterAddress);
      flags.put("pekko.remote.artery.canonical.hostname", clusterAddress.substring(0, at));
      flags.put("pekko.remote.artery.canonical.port", Integer.parseInt(clusterAddress.substring(at + 1)));
    }
    if (seedNodes != null) {
      flags.put("troupe.cluster.seed-nodes", seedNodes.stream().map(a -> "pekko://troupe@" + a.trim()).toList());
    }
    if (roles != null) flags.put("troupe.roles", roles);
    if (nodeName != null) flags.put("troupe.node.name", nodeName);
    if (podCidr != null) flags.put("troupe.node.pod-cidr", podCidr);
    Config base = ConfigFactory.parseMap(flags);
    if (configFile != null) base = base.withFallback(ConfigFactory.parseFile(configFile));
    return base.withFallback(ConfigFactory.parseResources("single.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
