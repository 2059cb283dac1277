package io.troupe.node.network;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import com.sun.net.httpserver.HttpServer;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.PodNetwork;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.process.ProcessRuntime;
import io.troupe.node.runtime.process.ProcessRuntimeSettings;
import io.troupe.persistence.model.Ipv4Cidr;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods in bridge mode ({@code troupe.net.mode = bridge}) through the real API: each in its own network namespace on
 * the node's bridge, with an IP of the node's pod CIDR; pods of two namespaces reach each other, the host reaches
 * them (probes), a pod's containers share localhost, exec probes run in the pod's network, a hostNetwork pod stays in
 * the host's, and a deleted pod's namespace and veth are gone. Skipped, saying why, where not root.
 */
class BridgeModeTest {
  static final Duration DEADLINE = Duration.ofSeconds(40);
  static final String SERVICE_CIDR = "10.96.0.0/12";
  static final int PORT = 20000 + ThreadLocalRandom.current().nextInt(10000);
  static final String NODE = "bridge-" + UUID.randomUUID().toString().substring(0, 6);
  static final String SUBNET = "10.244." + (100 + ThreadLocalRandom.current().nextInt(150) / 2 * 2);
  static Path dir;
  static HostNetworkState before;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static final List<String> uids = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    String why = HostNetworkState.whyNot();
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    before = HostNetworkState.take(SERVICE_CIDR);
    dir = Files.createTempDirectory("troupe-bridge-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.net.mode", "bridge",
        "troupe.net.cluster-cidr", "10.244.0.0/16",
        "troupe.net.service-cidr", SERVICE_CIDR,
        "troupe.node.name", NODE,
        "troupe.node.pod-cidr", SUBNET + ".0/24",
        "troupe.node.back-off.initial", "300ms",
        "troupe.node.back-off.max", "1s"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (client != null) {
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) uids.add(p.getMetadata().getUid());
        client.pods().inAnyNamespace().delete();
        awaitUntil(DEADLINE, () -> client.pods().inAnyNamespace().list().getItems().isEmpty(), () -> "pods gone");
        client.close();
      }
    } finally {
      if (agents != null) agents.close();
      if (plane != null) plane.close();
      if (dir != null) {
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
            .forEach(ProcessHandle::destroyForcibly);
      }
      if (before != null) before.restore(List.of(PodNetworkSettings.bridgeName(NODE), PodNetworkSettings.bridgeName(
          NODE + "-b")), uids);
    }
  }

  static Container container(String name, String script) {
    return new ContainerBuilder().withName(name).withImage("host").withCommand("sh", "-c", script).build();
  }

  static Pod create(String ns, String name, boolean hostNetwork, Container... containers) {
    Pod pod = client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).endMetadata().withNewSpec().withHostNetwork(hostNetwork)
        .withTerminationGracePeriodSeconds(1L).withContainers(containers).endSpec().build()).create();
    uids.add(pod.getMetadata().getUid());
    return pod;
  }

  static Pod ready(String ns, String name) {
    awaitUntil(DEADLINE, () -> {
      Pod p = client.pods().inNamespace(ns).withName(name).get();
      return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
          .getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }, () -> ns + "/" + name + " Ready: " + client.pods().inNamespace(ns).withName(name).get().getStatus());
    return client.pods().inNamespace(ns).withName(name).get();
  }

  /** The container's log; empty while it has not started. */
  static String log(String ns, String pod, String container) {
    try {
      return client.pods().inNamespace(ns).withName(pod).inContainer(container).getLog();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return "";
    }
  }

  @Test
  void podsOfTwoNamespacesHaveTheirOwnNetworkAndReachEachOther() throws Exception {
    String a = Fabric8Clients.newNamespace(client, "bridge-a");
    String b = Fabric8Clients.newNamespace(client, "bridge-b");
    // an HTTP server on every address of its pod; the host's probe reaches it through the bridge, an exec probe
    // of its sidecar through the pod's own localhost
    Container web = new ContainerBuilder(container("web", "echo netns $(readlink /proc/self/ns/net); "
        + "exec python3 -m http.server " + PORT))
        .withNewReadinessProbe().withNewHttpGet().withPath("/").withNewPort(PORT).endHttpGet()
        .withPeriodSeconds(1).endReadinessProbe().build();
    Container sidecar = new ContainerBuilder(container("sidecar", "until curl -sf -o /dev/null "
        + "http://127.0.0.1:" + PORT + "/; do sleep 0.2; done; echo localhost works; exec sleep 3600"))
        .withNewReadinessProbe().withNewExec().withCommand("curl", "-sf", "-o", "/dev/null",
            "http://localhost:" + PORT + "/").endExec().withPeriodSeconds(1).endReadinessProbe().build();
    Pod server = create(a, "server", false, web, sidecar);
    server = ready(a, "server");
    String serverIp = server.getStatus().getPodIP();
    assertTrue(serverIp.startsWith(SUBNET + ".") && !serverIp.endsWith(".1") && !serverIp.endsWith(".0"),
        serverIp);
    // Ready says the sidecar's probe reached the server, not that its own loop (0.2 s between tries) has printed
    // its line yet
    awaitUntil(DEADLINE, () -> log(a, "server", "sidecar").contains("localhost works"),
        () -> "the sidecar reaches the server on localhost: " + log(a, "server", "sidecar"));

    Pod client2 = create(b, "client", false, container("main", "echo netns $(readlink /proc/self/ns/net); "
        + "while :; do curl -s -m 1 -o /dev/null -w 'got %{http_code}\\n' http://" + serverIp + ":" + PORT
        + "/; sleep 0.3; done"));
    awaitUntil(DEADLINE, () -> log(b, "client", "main").contains("got 200"),
        () -> "the client pod reaches the server pod: " + log(b, "client", "main"));
    String clientIp = client.pods().inNamespace(b).withName("client").get().getStatus().getPodIP();
    assertTrue(clientIp.startsWith(SUBNET + "."), clientIp);
    assertNotEquals(serverIp, clientIp);

    // each pod in a network namespace of its own, not the host's; on the node's bridge, which has the gateway
    String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    String serverNs = netns(log(a, "server", "web"));
    String clientNs = netns(log(b, "client", "main"));
    assertNotEquals(host, serverNs);
    assertNotEquals(host, clientNs);
    assertNotEquals(serverNs, clientNs);
    String bridge = PodNetworkSettings.bridgeName(NODE);
    assertTrue(HostNetworkState.ip("-o", "addr", "show", "dev", bridge).contains(SUBNET + ".1/24"),
        HostNetworkState.ip("addr", "show", "dev", bridge));
    String serverUid = server.getMetadata().getUid();
    assertTrue(HostNetworkState.ports(bridge).contains(BridgeNetwork.vethName(serverUid)),
        () -> "ports of " + bridge + ": " + HostNetworkState.ports(bridge));
    assertTrue(Files.exists(BridgeNetwork.netnsPath(serverUid)));

    // gone with the pod: its namespace and its veth
    client.pods().inNamespace(a).withName("server").delete();
    awaitUntil(DEADLINE, () -> !Files.exists(BridgeNetwork.netnsPath(serverUid))
        && !Files.exists(Path.of("/sys/class/net", BridgeNetwork.vethName(serverUid))),
        () -> "the network of the deleted pod removed: " + HostNetworkState.ports(bridge));
    awaitUntil(DEADLINE, () -> log(b, "client", "main").trim().endsWith("got 000"),
        () -> "the client no longer reaches the deleted pod: " + log(b, "client", "main"));
  }

  @Test
  void aHostNetworkPodStaysInTheHostsNetwork() throws Exception {
    String ns = Fabric8Clients.newNamespace(client, "bridge-host");
    create(ns, "hostnet", true, container("main", "echo netns $(readlink /proc/self/ns/net); exec sleep 3600"));
    awaitUntil(DEADLINE, () -> log(ns, "hostnet", "main").contains("netns"), () -> "hostnet logs its namespace");
    String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    assertEquals(host, netns(log(ns, "hostnet", "main")));
    Pod pod = client.pods().inNamespace(ns).withName("hostnet").get();
    assertFalse(Files.exists(BridgeNetwork.netnsPath(pod.getMetadata().getUid())));
    assertEquals("127.0.0.1", pod.getStatus().getPodIP());
  }

  @Test
  void aPodReachesThePodsOfAnotherNodeOfTheHostAndServiceAddressesOnTheHost() throws Exception {
    // a second node of this host: a runtime of its own with its own bridge and pod CIDR
    String node = NODE + "-b";
    String subnet = "10.244." + (Integer.parseInt(SUBNET.substring(SUBNET.lastIndexOf('.') + 1)) + 1);
    ProcessRuntime second = new ProcessRuntime(ProcessRuntimeSettings.of(dir.resolve("second"), dir.resolve("images"),
        node), new PodNetworkSettings(PodNetworkSettings.Mode.BRIDGE, PodNetworkSettings.bridgeName(node),
        Ipv4Cidr.parse("10.244.0.0/16"), Ipv4Cidr.parse(SERVICE_CIDR)));
    String uid = UUID.randomUUID().toString();
    uids.add(uid);
    String farIp = subnet + ".7";
    // the host's own listener on an address of the service CIDR, as the service proxy listens on a ClusterIP
    String clusterIp = "10.96.0." + (100 + ThreadLocalRandom.current().nextInt(100));
    List<String> callers = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer service = HttpServer.create(new InetSocketAddress(clusterIp, PORT), 0);
    service.createContext("/", exchange -> {
      callers.add(exchange.getRemoteAddress().getAddress().getHostAddress());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    try {
      second.startContainer(new PodSandbox(uid, "default", "far", farIp, "far", Map.of(), List.of(), null,
          new PodNetwork(false, subnet + ".0/24")), new ContainerSpec("web", "host", List.of(
          HostCommand.find("python3").orElse(Path.of("/usr/bin/python3")).toString(), "-m", "http.server",
          Integer.toString(PORT)), List.of(), null, Map.of(), 0), 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
      service.start();
      String ns = Fabric8Clients.newNamespace(client, "bridge-far");
      create(ns, "caller", false, container("main", "while :; do "
          + "curl -s -m 1 -o /dev/null -w 'far %{http_code}\\n' http://" + farIp + ":" + PORT + "/; "
          + "curl -s -m 1 -o /dev/null -w 'service %{http_code}\\n' http://" + clusterIp + ":" + PORT + "/; "
          + "sleep 0.3; done"));
      awaitUntil(DEADLINE, () -> log(ns, "caller", "main").contains("far 200"),
          () -> "a pod of " + NODE + " reaches a pod of " + node + ": " + log(ns, "caller", "main"));
      awaitUntil(DEADLINE, () -> log(ns, "caller", "main").contains("service 200"),
          () -> "a pod reaches an address of the service CIDR on the host: " + log(ns, "caller", "main"));
      String callerIp = client.pods().inNamespace(ns).withName("caller").get().getStatus().getPodIP();
      assertEquals(callerIp, callers.get(0), "the host sees the pod's own address");
      assertTrue(HostNetworkState.ip("-o", "addr", "show", "dev", PodNetworkSettings.bridgeName(node))
          .contains(subnet + ".1/24"));
    } finally {
      service.stop(0);
      second.removePodSandbox(uid).toCompletableFuture().get(30, TimeUnit.SECONDS);
      second.close();
    }
    assertFalse(Files.exists(BridgeNetwork.netnsPath(uid)), "removed with its sandbox");
  }

  @Test
  void bridgeModeRefusesToStartWhereItCannotWork() throws Exception {
    // pods without namespaces of their own cannot have a network namespace either
    ProcessRuntime flat = new ProcessRuntime(ProcessRuntimeSettings.of(dir.resolve("flat"), dir.resolve("images"),
        NODE + "-flat").withNamespaces(ProcessRuntimeSettings.Namespaces.OFF), new PodNetworkSettings(
        PodNetworkSettings.Mode.BRIDGE, "trp-flat", Ipv4Cidr.parse("10.244.0.0/16"), Ipv4Cidr.parse(SERVICE_CIDR)));
    try {
      var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
          () -> flat.namespaces().toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(failure.getCause().getMessage().contains("troupe.node.process.namespaces is off"),
          failure.getCause().getMessage());
    } finally {
      flat.close();
    }
    // a loopback pod CIDR never leaves a network namespace: the worker does not start
    var config = com.typesafe.config.ConfigFactory.parseMap(Map.of("troupe.node.pod-cidr", "127.1.0.0/16",
        "troupe.node.name", NODE + "-loop")).withFallback(plane.system().settings().config());
    IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> NodeAgents.start(plane.system(), plane.store(), config));
    assertTrue(refused.getMessage().contains("cannot use troupe.node.pod-cidr 127.1.0.0/16"), refused.getMessage());
  }

  private static String netns(String log) {
    for (String line : log.split("\n")) {
      int at = line.indexOf("netns ");
      if (at >= 0) return line.substring(at + "netns ".length()).trim();
    }
    throw new AssertionError("no netns line in " + log);
  }
}
