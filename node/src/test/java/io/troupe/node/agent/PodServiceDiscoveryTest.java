package io.troupe.node.agent;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.StoreResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a pod's processes find Services, through a real node agent: the kubelet's Service variables for the
 * Services that exist when the container starts, the cluster DNS server's address, and (where pods get their own
 * namespaces, as root) an {@code /etc/resolv.conf} that points at it.
 */
class PodServiceDiscoveryTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;
  static String dnsIp;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-node-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-dns",
        "troupe.node.pod-cidr", "127.78.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "discovery");
    awaitUntil(DEADLINE, () -> client.nodes().withName("node-dns").get() != null, () -> "node-dns registered");
    // the IPAM part creates kube-dns at control-plane start; a plane without it gets it here
    create(service("kube-system", "kube-dns", "127.32.0.10",
        "[{\"name\": \"dns\", \"port\": 53, \"protocol\": \"UDP\"}]"));
    dnsIp = plane.store().get(ObjectKey.of("Service", "kube-system", "kube-dns")).orElseThrow().object().spec()
        .path("clusterIP").asText();
    create(service(ns, "web-api", "127.32.1.7", "[{\"name\": \"http\", \"port\": 80, \"protocol\": \"TCP\"}]"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inNamespace(ns).delete();
      awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).list().getItems().isEmpty(), () -> "pods deleted");
      client.close();
    }
    if (agents != null) agents.close();
    if (plane != null) plane.close();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static KubeObject service(String namespace, String name, String clusterIp, String ports) throws Exception {
    ObjectNode spec = Json.object().put("type", "ClusterIP").put("clusterIP", clusterIp);
    spec.putArray("clusterIPs").add(clusterIp);
    spec.set("ports", Json.MAPPER.readTree(ports));
    ObjectNode body = Json.object();
    body.set("spec", spec);
    return new KubeObject("v1", "Service", ObjectMeta.named(namespace, name), body);
  }

  static void create(KubeObject object) throws Exception {
    StoreResult r = plane.store().create(object).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(r instanceof StoreResult.Written || object.metadata().name().equals("kube-dns"), r.toString());
  }

  /** Runs a pod that prints its environment, its namespaces and its resolv.conf, and returns its log. */
  static String run(String name, boolean serviceLinks, String dnsPolicy) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withEnableServiceLinks(serviceLinks).withDnsPolicy(dnsPolicy)
        .addNewContainer().withName("main").withImage("host").withCommand("sh", "-c",
            "env; echo pidns=$(readlink /proc/self/ns/pid); echo ---; cat /etc/resolv.conf").endContainer()
        .endSpec().build();
    client.pods().inNamespace(ns).resource(pod).create();
    awaitUntil(DEADLINE, () -> {
      Pod p = client.pods().inNamespace(ns).withName(name).get();
      return p != null && p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase());
    }, () -> name + " Succeeded: " + client.pods().inNamespace(ns).withName(name).get().getStatus());
    return client.pods().inNamespace(ns).withName(name).getLog();
  }

  static List<String> lines(String log) {
    return Arrays.asList(log.split("\n"));
  }

  static boolean ownNamespaces(String log) throws Exception {
    String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    return lines(log).stream().anyMatch(l -> l.startsWith("pidns=") && !l.equals("pidns=" + mine));
  }

  static String resolvConf(String log) {
    return log.substring(log.indexOf("---\n") + 4);
  }

  @Test
  void aPodSeesTheServicesAndTheClusterDns() throws Exception {
    String log = run("links", true, "ClusterFirst");
    List<String> env = lines(log);
    for (String expected : List.of("WEB_API_SERVICE_HOST=127.32.1.7", "WEB_API_SERVICE_PORT=80",
        "WEB_API_SERVICE_PORT_HTTP=80", "WEB_API_PORT=tcp://127.32.1.7:80", "WEB_API_PORT_80_TCP_ADDR=127.32.1.7",
        "TROUPE_DNS_SERVER=" + dnsIp, "TROUPE_DNS_PORT=53")) {
      assertTrue(env.contains(expected), expected + " in " + log);
    }
    if (ownNamespaces(log)) {
      String conf = resolvConf(log);
      assertTrue(conf.contains("nameserver " + dnsIp + "\n"), conf);
      assertTrue(conf.contains("search " + ns + ".svc.cluster.local svc.cluster.local cluster.local"), conf);
      assertTrue(conf.contains("options ndots:5\n"), conf);
      assertTrue(lines(conf).stream().filter(l -> l.startsWith("nameserver")).findFirst().orElse("")
          .equals("nameserver " + dnsIp), "the cluster DNS first: " + conf);
    }
  }

  @Test
  void withoutServiceLinksAndWithTheNodesDns() throws Exception {
    String log = run("plain", false, "Default");
    assertFalse(log.contains("WEB_API_"), log);
    if (ownNamespaces(log)) {
      assertEquals(Files.readString(Path.of("/etc/resolv.conf")), resolvConf(log), "the node's own resolv.conf");
    }
  }
}
