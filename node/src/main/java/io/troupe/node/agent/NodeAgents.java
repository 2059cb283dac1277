package io.troupe.node.agent;

import com.typesafe.config.Config;
import io.troupe.node.image.ImageService;
import io.troupe.node.image.ImageStore;
import io.troupe.node.image.ImageStoreSettings;
import io.troupe.node.network.PodNetworkSettings;
import io.troupe.node.probe.Prober;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.oci.OciRuntime;
import io.troupe.node.runtime.oci.OciSettings;
import io.troupe.node.runtime.process.ProcessRuntime;
import io.troupe.node.runtime.process.ProcessRuntimeSettings;
import io.troupe.node.runtime.simulated.SimulatedRuntime;
import io.troupe.node.volume.LocalPathVolumes;
import io.troupe.node.volume.PodVolumes;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import java.util.HashMap;
import java.util.Map;
import io.troupe.persistence.store.Store;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The worker role of a JVM: the kubelet endpoint, the pod router and the node agents — one node with the
 * {@code process} runtime, or {@code troupe.node.simulated.nodes} nodes with the {@code simulated} one.
 */
public final class NodeAgents implements AutoCloseable {
  private final ActorSystem<?> system;
  private final ContainerRuntime runtime;
  private final ImageService images;
  private final ServerBinding kubelet;
  /** The node agents and the local-path volumes actor: stopped at close. */
  private final List<ActorRef<?>> agents;
  private final ActorRef<PodRouter.Command> router;

  private NodeAgents(ActorSystem<?> system, ContainerRuntime runtime, ImageService images, ServerBinding kubelet,
      List<ActorRef<?>> agents, ActorRef<PodRouter.Command> router) {
    this.system = system;
    this.runtime = runtime;
    this.images = images;
    this.kubelet = kubelet;
    this.agents = agents;
    this.router = router;
  }

  /** The node agents {@code troupe.node} describes, with the runtime it names. */
  public static NodeAgents start(ActorSystem<?> system, Store store, Config config) throws Exception {
    NodeAgentSettings settings = NodeAgentSettings.of(config);
    Path dataDir = Path.of(config.getString("troupe.data-dir")).toAbsolutePath();
    // one image store per JVM (troupe.node.images), for the kubelet endpoint's /images and the runtime
    ImageStore images = ImageStore.open(ImageStoreSettings.fromConfig(config, dataDir, settings.nodeName()));
    ContainerRuntime runtime;
    try {
      runtime = runtime(system, settings, config, images);
      requireBridgeNetwork(runtime, settings, config);
      requireOci(runtime);
    } catch (Exception | Error e) {
      images.close();
      throw e;
    }
    // the pods' own volumes (emptyDir, projections) next to the runtime's state; simulated pods have no files
    PodVolumes volumes = !SimulatedRuntime.NAME.equals(runtime.name())
        ? new PodVolumes(dataDir.resolve("node").resolve(settings.nodeName()).resolve("volumes"), store,
            ServiceAccountTokens.fromConfig(config)) : null;
    String localPathRoot = config.getString("troupe.node.local-path-root");
    Path localPath = localPathRoot.isBlank() ? dataDir.resolve("storage") : dataDir.resolve(localPathRoot);
    try {
      return start(system, store, runtime, images, settings, volumes, localPath.normalize());
    } catch (Exception | Error e) {
      images.close();
      throw e;
    }
  }

  /**
   * The runtime {@code troupe.node.runtime} names; with {@code troupe.node.runtime-handlers}, more runtimes beside
   * it, chosen per pod by its RuntimeClass's handler ({@link RuntimeHandlers}).
   */
  static ContainerRuntime runtime(ActorSystem<?> system, NodeAgentSettings settings, Config config,
      ImageService images) {
    ContainerRuntime main = runtime(settings.runtime(), system, settings, config, images);
    List<String> handlers = config.hasPath("troupe.node.runtime-handlers")
        ? config.getStringList("troupe.node.runtime-handlers") : List.of();
    if (handlers.isEmpty() && SimulatedRuntime.NAME.equals(main.name())) return main;
    Map<String, ContainerRuntime> more = new java.util.LinkedHashMap<>();
    for (String handler : handlers) {
      if (!handler.equals(main.name()) && !more.containsKey(handler)) {
        more.put(handler, runtime(handler, system, settings, config, images));
      }
    }
    return new RuntimeHandlers(main, more);
  }

  private static ContainerRuntime runtime(String name, ActorSystem<?> system, NodeAgentSettings settings,
      Config config, ImageService images) {
    Path dataDir = Path.of(config.getString("troupe.data-dir"));
    if (ProcessRuntime.NAME.equals(name)) {
      return new ProcessRuntime(ProcessRuntimeSettings.fromConfig(config, dataDir, settings.nodeName()),
          PodNetworkSettings.fromConfig(config, settings.nodeName()));
    }
    if (OciRuntime.NAME.equals(name)) {
      PodNetworkSettings network = PodNetworkSettings.fromConfig(config, settings.nodeName());
      return new OciRuntime(OciSettings.fromConfig(config, dataDir, settings.nodeName()), images,
          network.bridge() ? network : null);
    }
    if (SimulatedRuntime.NAME.equals(name)) return SimulatedRuntime.create(system);
    throw new IllegalArgumentException("troupe.node.runtime must be process, oci or simulated, not " + name);
  }

  /**
   * In bridge mode ({@code troupe.net.mode = bridge}) the host must allow it: the JVM does not start otherwise,
   * saying why (no fallback to loopback: pod addresses of a bridge-mode cluster mean nothing on loopback).
   * Simulated pods have no packets: the mode changes nothing for them.
   */
  private static void requireBridgeNetwork(ContainerRuntime runtime, NodeAgentSettings settings, Config config)
      throws Exception {
    PodNetworkSettings network = PodNetworkSettings.fromConfig(config, settings.nodeName());
    List<ContainerRuntime> all = runtime instanceof RuntimeHandlers h ? h.all() : List.of(runtime);
    if (!network.bridge() || all.stream().noneMatch(r -> r instanceof ProcessRuntime || r instanceof OciRuntime)) {
      return;
    }
    if (!settings.podCidr().isBlank() && PodNetworkSettings.isLoopback(Ipv4Cidr.parse(settings.podCidr()))) {
      runtime.close();
      throw new IllegalStateException("troupe.net.mode = bridge cannot use troupe.node.pod-cidr "
          + settings.podCidr() + ": loopback never leaves a network namespace; set one inside troupe.net.cluster-cidr "
          + network.clusterCidr() + " (or leave it empty for the node-ipam controller to choose)");
    }
    for (ContainerRuntime r : all) {
      if (!(r instanceof ProcessRuntime process)) continue;
      try {
        process.namespaces().toCompletableFuture().get(1, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        runtime.close();
        throw e.getCause() instanceof IllegalStateException i ? i : e;
      }
    }
  }

  /** The oci runtime's host must allow it (root, runc): the JVM does not start otherwise, saying why. */
  private static void requireOci(ContainerRuntime runtime) throws Exception {
    List<ContainerRuntime> all = runtime instanceof RuntimeHandlers h ? h.all() : List.of(runtime);
    for (ContainerRuntime r : all) {
      if (!(r instanceof OciRuntime oci)) continue;
      try {
        oci.ready().toCompletableFuture().get(1, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        runtime.close();
        throw e.getCause() instanceof IllegalStateException i ? i : e;
      }
    }
  }

  /**
   * @param images the node's images ({@code troupe image import/ls/rm} through the kubelet endpoint)
   * @param volumes sets up the pods' volumes; null for a runtime without files (simulated)
   * @param localPathRoot where local-path volumes of these nodes live
   */
  public static NodeAgents start(ActorSystem<?> system, Store store, ContainerRuntime runtime, ImageService images,
      NodeAgentSettings settings, PodVolumes volumes, Path localPathRoot) throws Exception {
    Prober prober = Prober.create(system);
    ActorRef<PodRouter.Command> router = system.systemActorOf(PodRouter.create(store.cache()), "pod-router",
        Props.empty());
    ActorRef<PodCidrWatch.Command> podCidrs = system.systemActorOf(PodCidrWatch.create(store.cache()),
        "pod-cidr-watch", Props.empty());
    KubeletServer server = new KubeletServer(system, store, runtime, images);
    ServerBinding binding = server.bind(settings.kubeletHost(), settings.kubeletPort())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    int port = binding.localAddress().getPort();
    String member = Cluster.get(system).selfMember().address().toString();
    List<ActorRef<?>> agents = new ArrayList<>();
    List<CompletableFuture<Void>> registered = new ArrayList<>();
    boolean simulated = "simulated".equals(runtime.name());
    int count = simulated ? settings.simulatedNodes() : 1;
    Map<String, Path> localPathRoots = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String name = simulated && count > 1 ? settings.nodeName() + "-" + i : settings.nodeName();
      localPathRoots.put(name, localPathRoot);
      // the node-ipam controller gives each Node its pod CIDR; a configured one is for a JVM's single node
      String cidr = count > 1 ? null : settings.podCidr();
      var facts = new NodeStatus.Facts(name, settings.zone(), settings.labels(), member, cidr, cpu(settings),
          memory(settings), settings.capacityPods(), settings.kubeletHost(), port, runtime.name(),
          localPathRoot.toString());
      CompletableFuture<Void> done = new CompletableFuture<>();
      registered.add(done);
      // simulated nodes (thousands of one JVM's) report no images: they run none
      var heldImages = !simulated && images instanceof ImageStore held
          ? (java.util.function.Supplier<List<io.troupe.node.image.ImageSummary>>) held::held : null;
      var agent = system.systemActorOf(NodeAgent.create(new NodeAgent.Setup(facts, settings, store, runtime, prober,
          router, podCidrs, volumes, done, heldImages)), "node-" + name, Props.empty());
      server.serve(name, agent);
      agents.add(agent);
    }
    agents.add(podCidrs);
    agents.add(system.systemActorOf(LocalPathVolumes.create(store.as("local-path-provisioner"), localPathRoots,
        volumes != null), "local-path-volumes", Props.empty()));
    // returns once every Node carries this JVM as its member (a restarted JVM's Nodes no longer name the old one)
    CompletableFuture.allOf(registered.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    return new NodeAgents(system, runtime, images, binding, List.copyOf(agents), router);
  }

  public InetSocketAddress kubeletAddress() {
    return kubelet.localAddress();
  }

  /** The node's image store, shared by its runtime and its kubelet endpoint. */
  public ImageService images() {
    return images;
  }

  private static String cpu(NodeAgentSettings settings) {
    return settings.capacityCpu().isBlank() ? String.valueOf(Runtime.getRuntime().availableProcessors())
        : settings.capacityCpu();
  }

  private static String memory(NodeAgentSettings settings) {
    if (!settings.capacityMemory().isBlank()) return settings.capacityMemory();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return (os.getTotalMemorySize() / 1024) + "Ki";
  }

  /**
   * Stops the agents and the kubelet endpoint; the pods' processes keep running, to be adopted by the next
   * start (as the kubelet leaves containers to the runtime when it restarts).
   */
  @Override
  public void close() throws Exception {
    agents.forEach(a -> system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(a)));
    system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(router));
    kubelet.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    runtime.close();
    images.close();
  }
}
