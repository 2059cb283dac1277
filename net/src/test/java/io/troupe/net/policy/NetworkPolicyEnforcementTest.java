package io.troupe.net.policy;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.network.BridgeNetwork;
import io.troupe.node.network.HostCommand;
import io.troupe.node.network.PodNetworkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicy on real packets: a bridge-mode node runs an HTTP server pod and client pods in other namespaces,
 * the enforcer turns policies into nftables rules, and the clients connect from their own network namespaces. A
 * default-deny ingress policy blocks what an allow rule (namespaceSelector, or a podSelector in a namespace picked by
 * its name label) then lets through, the host's probes pass all along, an egress deny blocks, and removing the
 * policies restores everything. Skipped, saying why, where not root.
 */
class NetworkPolicyEnforcementTest {
  static final Duration DEADLINE = Duration.ofSeconds(40);
  static final Duration APPLIED = Duration.ofSeconds(10);
  static final String SERVICE_CIDR = "10.96.0.0/12";
  static final int PORT = 20000 + ThreadLocalRandom.current().nextInt(10000);
  static final String NODE = "policy-" + UUID.randomUUID().toString().substring(0, 6);
  static final String SUBNET = "10.244." + (100 + ThreadLocalRandom.current().nextInt(150));
  static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
  static final String SERVER_NS = "np-server-" + SUFFIX;
  static final String BLUE_NS = "np-blue-" + SUFFIX;
  static final String RED_NS = "np-red-" + SUFFIX;
  static Path dir;
  static String ipForward;
  static boolean routeBefore;
  static boolean natBefore;
  static ControlPlane plane;
  static NodeAgents agents;
  static NetworkPolicyEnforcer enforcer;
  static KubernetesClient client;
  static final List<String> uids = new ArrayList<>();
  static String web;
  static String blue;
  static String red;

  @BeforeAll
  static void start() throws Exception {
    for (String tool : List.of("ip", "nft", "nsenter", "unshare", "python3", "curl")) {
      Assumptions.assumeTrue(HostCommand.find(tool).isPresent() || Files.isExecutable(Path.of("/usr/bin", tool)),
          "skipped: NetworkPolicy on packets needs " + tool);
    }
    Assumptions.assumeTrue(BridgeNetwork.problems(new PodNetworkSettings(PodNetworkSettings.Mode.BRIDGE, "x",
        io.troupe.persistence.model.Ipv4Cidr.parse("10.244.0.0/16"), io.troupe.persistence.model.Ipv4Cidr.parse(SERVICE_CIDR)))
        .isEmpty(), "skipped: bridge mode needs root");
    ipForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    routeBefore = ip("route", "show", "table", "local", SERVICE_CIDR).contains(SERVICE_CIDR);
    natBefore = nft("list", "table", "ip", BridgeNetwork.NAT_TABLE).ok();
    dir = Files.createTempDirectory("troupe-policy-test");
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
    enforcer = NetworkPolicyEnforcer.start(plane.system(), plane.store(), plane.system().settings().config(),
        "127.0.0.1");
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    namespace(SERVER_NS, Map.of("purpose", "server"));
    namespace(BLUE_NS, Map.of("team", "blue"));
    namespace(RED_NS, Map.of("team", "red"));
    web = ip(create(SERVER_NS, "web", Map.of("app", "web"), "exec python3 -m http.server " + PORT, true));
    blue = create(BLUE_NS, "client", Map.of("app", "client"), "exec sleep 3600", false);
    red = create(RED_NS, "intruder", Map.of("app", "intruder"), "exec sleep 3600", false);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (client != null) {
        client.network().networkPolicies().inAnyNamespace().delete();
        client.pods().inAnyNamespace().delete();
        awaitUntil(DEADLINE, () -> client.pods().inAnyNamespace().list().getItems().isEmpty(), () -> "pods gone");
        client.close();
      }
    } finally {
      if (enforcer != null) enforcer.close();
      if (agents != null) agents.close();
      if (plane != null) plane.close();
      if (dir != null) {
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
            .forEach(ProcessHandle::destroyForcibly);
        // put the host back as it was
        nft("delete", "table", "inet", "troupe");
        for (String uid : uids) {
          ip("netns", "delete", BridgeNetwork.netnsName(uid));
          ip("link", "delete", BridgeNetwork.vethName(uid));
        }
        ip("link", "delete", PodNetworkSettings.bridgeName(NODE));
        if (!routeBefore) ip("route", "delete", "local", SERVICE_CIDR, "dev", "lo");
        if (!natBefore) nft("delete", "table", "ip", BridgeNetwork.NAT_TABLE);
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForward);
      }
    }
  }

  @Test
  void policiesDecideWhoReachesTheServer() {
    awaitReach(blue, true, "blue reaches web with no policy");
    awaitReach(red, true, "red reaches web with no policy");

    apply(SERVER_NS, "default-deny", "{'podSelector':{},'policyTypes':['Ingress']}");
    awaitReach(blue, false, "blue is denied by the default deny");
    assertEquals("000", reach(red), "red is denied by the default deny");
    assertEquals("200", fromHost(), "the host still reaches the pod (probes)");
    assertTrue(ready(SERVER_NS, "web"), "web stays Ready: its readiness probe comes from the host");

    apply(SERVER_NS, "from-blue", "{'podSelector':{'matchLabels':{'app':'web'}},'ingress':[{'from':["
        + "{'namespaceSelector':{'matchLabels':{'team':'blue'}}}],'ports':[{'port':" + PORT + "}]}]}");
    awaitReach(blue, true, "blue is let in by a namespaceSelector");
    assertEquals("000", reach(red), "red is still denied");

    delete(SERVER_NS, "from-blue");
    apply(SERVER_NS, "from-intruder", "{'podSelector':{'matchLabels':{'app':'web'}},'ingress':[{'from':["
        + "{'namespaceSelector':{'matchLabels':{'kubernetes.io/metadata.name':'" + RED_NS + "'}},"
        + "'podSelector':{'matchLabels':{'app':'intruder'}}}]}]}");
    awaitReach(red, true, "red is let in by a podSelector in its namespace, named by its name label");
    awaitReach(blue, false, "blue is denied again");

    apply(RED_NS, "no-egress", "{'podSelector':{},'policyTypes':['Egress']}");
    awaitReach(red, false, "red's own egress deny stops it, whatever the server allows");
    delete(RED_NS, "no-egress");
    awaitReach(red, true, "red goes out again once its egress deny is gone");

    delete(SERVER_NS, "from-intruder");
    delete(SERVER_NS, "default-deny");
    awaitReach(blue, true, "blue reaches web once the policies are gone");
    awaitReach(red, true, "red reaches web once the policies are gone");
  }

  // ---- the cluster ----

  static void namespace(String name, Map<String, String> labels) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
        .endMetadata().build()).create();
  }

  /** A pod; awaited Ready; its uid. {@code probed}: an HTTP readiness probe on PORT. */
  static String create(String ns, String name, Map<String, String> labels, String script, boolean probed) {
    var container = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("main").withImage("host")
        .withCommand("sh", "-c", script);
    if (probed) {
      container.addNewPort().withName("http").withContainerPort(PORT).endPort()
          .withNewReadinessProbe().withNewHttpGet().withPath("/").withNewPort(PORT).endHttpGet()
          .withPeriodSeconds(1).withFailureThreshold(1).endReadinessProbe();
    }
    Pod pod = client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).withLabels(labels).endMetadata().withNewSpec().withTerminationGracePeriodSeconds(1L)
        .withContainers(container.build()).endSpec().build()).create();
    uids.add(pod.getMetadata().getUid());
    awaitUntil(DEADLINE, () -> ready(ns, name), () -> ns + "/" + name + " Ready: "
        + client.pods().inNamespace(ns).withName(name).get().getStatus());
    return pod.getMetadata().getUid();
  }

  static boolean ready(String ns, String name) {
    Pod p = client.pods().inNamespace(ns).withName(name).get();
    return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
        .getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  static String ip(String uid) {
    return client.pods().inNamespace(SERVER_NS).withName("web").get().getStatus().getPodIP();
  }

  static void apply(String ns, String name, String spec) {
    NetworkPolicy policy = Serialization.unmarshal(("{'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy',"
        + "'metadata':{'name':'" + name + "','namespace':'" + ns + "'},'spec':" + spec + "}").replace('\'', '"'),
        NetworkPolicy.class);
    client.network().networkPolicies().inNamespace(ns).resource(policy).create();
  }

  static void delete(String ns, String name) {
    client.network().networkPolicies().inNamespace(ns).withName(name).delete();
  }

  // ---- packets ----

  /** An HTTP GET from the pod's network namespace to web: "200", or "000" when no connection was made in 1 s. */
  static String reach(String podUid) {
    return HostCommand.run(List.of(tool("nsenter"), "--net=" + BridgeNetwork.netnsPath(podUid), tool("curl"), "-s",
        "-m", "1", "-o", "/dev/null", "-w", "%{http_code}", "http://" + web + ":" + PORT + "/"), null).output();
  }

  static String fromHost() {
    return HostCommand.run(List.of(tool("curl"), "-s", "-m", "1", "-o", "/dev/null", "-w", "%{http_code}",
        "http://" + web + ":" + PORT + "/"), null).output();
  }

  static void awaitReach(String podUid, boolean allowed, String what) {
    String expected = allowed ? "200" : "000";
    String[] last = {""};
    awaitUntil(APPLIED, () -> expected.equals(last[0] = reach(podUid)), () -> what + " (curl said " + last[0]
        + ")\n" + nft("list", "table", "inet", "troupe").output());
  }

  static String ip(String... args) {
    List<String> argv = new ArrayList<>(List.of(tool("ip")));
    argv.addAll(List.of(args));
    return HostCommand.run(argv, null).output();
  }

  static HostCommand nft(String... args) {
    List<String> argv = new ArrayList<>(List.of(tool("nft")));
    argv.addAll(List.of(args));
    return HostCommand.run(argv, null);
  }

  static String tool(String name) {
    return HostCommand.find(name).map(Path::toString).orElse("/usr/bin/" + name);
  }
}
