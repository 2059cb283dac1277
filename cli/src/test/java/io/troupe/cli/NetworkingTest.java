package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The cluster network of a real {@code troupe server} (loopback mode) with real pods: HTTP servers (python3) behind
 * Services, reached through ClusterIP, NodePort, cluster DNS and the ingress proxy, from the host and from a pod.
 * Every pod answers with its own name, so the test sees which pod served each request.
 */
class NetworkingTest {
  static final Duration DEADLINE = Duration.ofSeconds(90);
  static final Path LOGS = Path.of("target", "networking-logs");
  static ServerProcess server;
  static KubernetesClient client;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startCluster() throws Exception {
    server = ServerProcess.start(Files.createTempDirectory("troupe-networking"), LOGS, "networking", DEADLINE);
    client = server.client();
    deploy("web", 3);
    deploy("api", 1);
    service("web", "NodePort", null);
    service("api", "ClusterIP", null);
    service("web-headless", "ClusterIP", "None");
    awaitReadyEndpoints("web", 3);
    awaitReadyEndpoints("api", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      // the pods' processes outlive a stopped server (the next start adopts them): they go before it does
      client.apps().deployments().inNamespace("default").delete();
      client.pods().inNamespace("default").delete();
      Fabric8Clients.awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").list().getItems().isEmpty(),
          () -> "the pods deleted");
      client.close();
    }
    if (server != null) server.close();
  }

  @Test
  void clusterIpSpreadsRequestsOverEveryReadyPodAndDropsADeletedOne() throws Exception {
    String clusterIp = client.services().inNamespace("default").withName("web").get().getSpec().getClusterIP();
    assertTrue(clusterIp.startsWith("127.32."), "a ClusterIP from the service range: " + clusterIp);
    Map<String, Long> served = new java.util.TreeMap<>();
    for (int i = 0; i < 300; i++) served.merge(get("http://" + clusterIp + "/"), 1L, Long::sum);
    assertEquals(podNames("web"), served.keySet(), "300 requests through the ClusterIP reach every pod: " + served);

    Pod gone = client.pods().inNamespace("default").withLabel("app", "web").list().getItems().get(0);
    String name = gone.getMetadata().getName();
    long deleted = System.nanoTime();
    client.pods().inNamespace("default").withName(name).delete();
    // once the proxy has seen the change, no new connection reaches the pod
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      for (int i = 0; i < 30; i++) {
        if (name.equals(get("http://" + clusterIp + "/"))) return false;
      }
      return true;
    }, () -> "the deleted pod " + name + " gets no more requests");
    System.out.printf("NetworkingTest: deleted pod out of the ClusterIP's rotation after %d ms%n",
        (System.nanoTime() - deleted) / 1_000_000);
  }

  @Test
  void nodePortServesFromTheHost() throws Exception {
    Service web = client.services().inNamespace("default").withName("web").get();
    int nodePort = web.getSpec().getPorts().get(0).getNodePort();
    assertTrue(nodePort >= 30000 && nodePort <= 32767, "a nodePort from the range: " + nodePort);
    Set<String> seen = new HashSet<>();
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      seen.add(get("http://127.0.0.1:" + nodePort + "/"));
      return podNames("web").containsAll(seen) && seen.stream().allMatch(s -> s.startsWith("web-"));
    }, () -> "the NodePort answers from a web pod: " + seen);
  }

  @Test
  void clusterDnsAnswersServicesAndHeadlessServices() throws Exception {
    String dnsIp = client.services().inNamespace("kube-system").withName("kube-dns").get().getSpec().getClusterIP();
    SimpleResolver resolver = new SimpleResolver(dnsIp);
    resolver.setTimeout(Duration.ofSeconds(2));
    String webIp = client.services().inNamespace("default").withName("web").get().getSpec().getClusterIP();
    Fabric8Clients.awaitUntil(DEADLINE, () -> List.of(webIp).equals(addresses(resolver,
        "web.default.svc.cluster.local.")), () -> "web.default.svc.cluster.local is " + webIp);
    Set<String> podIps = client.pods().inNamespace("default").withLabel("app", "web").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).map(p -> p.getStatus().getPodIP())
        .collect(Collectors.toCollection(TreeSet::new));
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      List<String> found = addresses(resolver, "web-headless.default.svc.cluster.local.");
      return found != null && podIps.equals(new TreeSet<>(found));
    }, () -> "the headless Service lists the pods' IPs " + podIps);
    Message missing = resolver.send(Message.newQuery(Record.newRecord(
        Name.fromString("nothing.default.svc.cluster.local."), Type.A, DClass.IN)));
    assertEquals(Rcode.NXDOMAIN, missing.getRcode());
  }

  @Test
  void aPodReachesAServiceByItsShortName() throws Exception {
    // the pod's resolv.conf (root: its own mount namespace) names the cluster DNS and the namespace's search path
    client.pods().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
        .withName("client").endMetadata().withNewSpec().withRestartPolicy("Never")
        .addNewContainer().withName("main").withImage("host").withCommand("python3", "-c",
            "import urllib.request; print('answer:', urllib.request.urlopen('http://api/', timeout=10).read()"
                + ".decode().strip())")
        .endContainer().endSpec().build()).create();
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      Pod pod = client.pods().inNamespace("default").withName("client").get();
      return pod != null && List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase());
    }, () -> "the client pod finished");
    String log = client.pods().inNamespace("default").withName("client").getLog();
    assertTrue(log.contains("answer: api-"), "the pod got an api pod's answer: " + log);
  }

  @Test
  void ingressRoutesTwoHostsToTwoServices() throws Exception {
    client.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder().withNewMetadata()
        .withName("sites").endMetadata().withNewSpec()
        .addNewRule().withHost("web.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort().endService()
        .endBackend().endPath().endHttp().endRule()
        .addNewRule().withHost("api.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("api").withNewPort().withNumber(80).endPort().endService()
        .endBackend().endPath().endHttp().endRule()
        .endSpec().build()).create();
    Fabric8Clients.awaitUntil(DEADLINE, () -> get("http://127.0.0.1:8080/", "api.example.com").startsWith("api-")
        && get("http://127.0.0.1:8080/", "web.example.com").startsWith("web-"), () -> "both hosts routed");
    assertEquals(404, status("http://127.0.0.1:8080/", "nobody.example.com"), "no rule for the host");
  }

  static void deploy(String app, int replicas) {
    client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
        .withName(app).endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
        .addToMatchLabels("app", app).endSelector().withNewTemplate().withNewMetadata().addToLabels("app", app)
        .endMetadata().withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("http")
        .withImage("host").addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .withCommand("sh", "-c", "d=$(mktemp -d) && echo $POD_NAME > $d/index.html"
            + " && exec python3 -m http.server --bind $POD_IP --directory $d 8080")
        .addNewPort().withName("http").withContainerPort(8080).endPort()
        .withNewReadinessProbe().withNewHttpGet().withPath("/").withPort(new IntOrString(8080)).endHttpGet()
        .withPeriodSeconds(1).endReadinessProbe().endContainer().endSpec().endTemplate().endSpec().build())
        .create();
  }

  static void service(String name, String type, String clusterIp) {
    String app = name.replace("-headless", "");
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().withType(type).withClusterIP(clusterIp).addToSelector("app", app)
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort().endSpec()
        .build()).create();
  }

  static void awaitReadyEndpoints(String service, int count) {
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      var endpoints = client.endpoints().inNamespace("default").withName(service).get();
      return endpoints != null && endpoints.getSubsets().stream().mapToInt(s -> s.getAddresses().size()).sum()
          == count;
    }, () -> service + " has " + count + " ready endpoints");
  }

  static Set<String> podNames(String app) {
    return client.pods().inNamespace("default").withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).map(p -> p.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The body of a GET (the serving pod's name), or the failure as text: a refused connection is an answer too. */
  static String get(String url) {
    return get(url, null);
  }

  static String get(String url, String host) {
    if (host != null) {
      String[] answer = viaIngress(url, host);
      return answer == null ? "failed" : answer[0].equals("200") ? answer[1].trim() : "HTTP " + answer[0];
    }
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body().trim() : "HTTP " + response.statusCode();
    } catch (IOException e) {
      return "failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static int status(String url, String host) {
    String[] answer = viaIngress(url, host);
    return answer == null ? -1 : Integer.parseInt(answer[0]);
  }

  /**
   * A GET with the given Host header, as plain HTTP/1.1 on a socket (java.net.http does not let a caller set Host):
   * the status code and the body, or null when the connection failed.
   */
  static String[] viaIngress(String url, String host) {
    URI uri = URI.create(url);
    try (var socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + host
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      String status = response.substring(response.indexOf(' ') + 1, response.indexOf(' ') + 4);
      int body = response.indexOf("\r\n\r\n");
      return new String[] {status, body < 0 ? "" : response.substring(body + 4)};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The A records of a name, or null when the server has none (yet). */
  static List<String> addresses(SimpleResolver resolver, String name) {
    try {
      Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
      if (answer.getRcode() != Rcode.NOERROR) return null;
      return answer.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
          .map(r -> ((ARecord) r).getAddress().getHostAddress()).sorted().toList();
    } catch (IOException e) {
      return null;
    }
  }
}
