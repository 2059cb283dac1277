package io.troupe.node.volume;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.runtime.Mount;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.persistence.watch.Stored;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Service account tokens in real process pods: a pod reads its token and namespace at the well-known path (through
 * its {@code TROUPE_MOUNT_*} variable, so that it runs with and without root) and calls the API with the token,
 * which authenticates it as its service account; automount off leaves it without; a projected
 * {@code serviceAccountToken} source gets a token for its audience; tokens are renewed at 80% of their lifetime.
 */
class ServiceAccountTokenVolumeTest {
  static final Duration DEADLINE = Duration.ofSeconds(40);
  static final String TOKEN_DIR = "$" + new Mount("", ServiceAccountTokenFiles.MOUNT_PATH, false).variable();
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-sa-token-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.volume-sync-period", "200ms",
        "troupe.node.pod-cidr", "127.79.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "tokens");
    awaitUntil(DEADLINE, () -> client.nodes().withName("node-1").get() != null, () -> "node-1 registered");
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

  static Container container(String script) {
    return new ContainerBuilder().withName("main").withImage("host").withCommand("sh", "-c", script).build();
  }

  static String log(String pod) {
    try {
      return client.pods().inNamespace(ns).withName(pod).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }

  static void awaitLog(String pod, String text) {
    awaitUntil(DEADLINE, () -> log(pod).contains(text), () -> pod + " logs " + text + "; its log: " + log(pod)
        + "; its status: " + client.pods().inNamespace(ns).withName(pod).get().getStatus());
  }

  @Test
  void aPodCallsTheApiAsItsServiceAccount() throws Exception {
    String script = "d=" + TOKEN_DIR + "; echo \"namespace=$(cat $d/namespace)\"; "
        + "code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -X POST -H \"Authorization: Bearer $(cat $d/token)\" "
        + "-H 'Content-Type: application/json' --data '{\"metadata\":{\"name\":\"from-pod\"}}' "
        + "$API/api/v1/namespaces/$(cat $d/namespace)/configmaps 2>&1); echo \"created=$code\"; sleep 3600";
    Container main = new ContainerBuilder(container(script)).addNewEnv().withName("API")
        .withValue(TestControlPlane.url(plane)).endEnv().build();
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("caller").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withContainers(main).endSpec().build()).create();
    awaitLog("caller", "namespace=" + ns);
    awaitLog("caller", "created=201");
    HttpResponse<String> history = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        TestControlPlane.url(plane) + "/apis/history.troupe.io/v1/namespaces/" + ns + "/configmaps/from-pod")).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode entries = Json.MAPPER.readTree(history.body()).path("entries");
    assertEquals("system:serviceaccount:" + ns + ":default", entries.get(0).path("author").asText(), history.body());
  }

  @Test
  void automountOffOnThePodOrItsAccountMountsNothing() {
    client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("quiet").endMetadata().withAutomountServiceAccountToken(false).build()).create();
    String script = "echo \"mounted=${" + TOKEN_DIR.substring(1) + ":-none}\"; sleep 3600";
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("no-token").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withAutomountServiceAccountToken(false)
        .withContainers(container(script)).endSpec().build()).create();
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("quiet-account").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withServiceAccountName("quiet")
        .withContainers(container(script)).endSpec().build()).create();
    awaitLog("no-token", "mounted=none");
    awaitLog("quiet-account", "mounted=none");
  }

  @Test
  void aProjectedServiceAccountTokenIsForItsAudience() throws Exception {
    Volume projected = new VolumeBuilder().withName("vault").withNewProjected().addNewSource()
        .withNewServiceAccountToken().withAudience("vault").withExpirationSeconds(600L).withPath("vault-token")
        .endServiceAccountToken().endSource().endProjected().build();
    String mount = dir.resolve("mnt").resolve("vault").toString();
    String script = "echo \"token=$(cat " + "$" + new Mount("", mount, false).variable() + "/vault-token)\"; sleep 3600";
    Container main = new ContainerBuilder(container(script)).addNewVolumeMount().withName("vault")
        .withMountPath(mount).endVolumeMount().build();
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("vault-user").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withVolumes(projected).withContainers(main).endSpec()
        .build()).create();
    awaitLog("vault-user", "token=ey");
    String token = log("vault-user").lines().filter(l -> l.startsWith("token=")).findFirst().orElseThrow()
        .substring("token=".length()).strip();
    var claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertEquals(List.of("vault"), claims.getAudience());
    assertEquals(600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
    assertEquals("system:serviceaccount:" + ns + ":default", claims.getSubject());
  }

  @Test
  void tokensAreRenewedAt80PercentOfTheirLifetime() throws Exception {
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("renewed").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withContainers(container("sleep 3600")).endSpec()
        .build()).create();
    KubeObject pod = plane.store().get(ObjectKey.of("Pod", ns, "renewed")).map(Stored::object).orElseThrow();
    Instant start = Instant.parse("2026-12-05T10:00:00Z");
    AtomicReference<Instant> now = new AtomicReference<>(start);
    Clock clock = new Clock() {
      @Override public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override public Instant instant() {
        return now.get();
      }
    };
    ServiceAccountTokenFiles files = new ServiceAccountTokenFiles(
        ServiceAccountTokens.fromConfig(plane.system().settings().config()), plane.store(), clock);
    String first = token(files, pod);
    now.set(start.plus(Duration.ofMinutes(47))); // 1h tokens: renewed from 48 minutes on
    assertEquals(first, token(files, pod));
    now.set(start.plus(Duration.ofMinutes(48)));
    String second = token(files, pod);
    assertNotEquals(first, second);
    assertEquals(start.plus(Duration.ofMinutes(48)).plus(Duration.ofHours(1)),
        SignedJWT.parse(second).getJWTClaimsSet().getExpirationTime().toInstant());
    assertTrue(files.automount(pod));
    // the cluster CA, once it exists, is ca.crt beside the token
    TreeMap<String, ProjectedFiles.File> out = new TreeMap<>();
    files.defaultFiles(pod, 0644, out);
    assertEquals(List.of("namespace", "token"), List.copyOf(out.keySet()));
    Path ca = dir.resolve("pki").resolve("ca.crt");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    try {
      files.defaultFiles(pod, 0644, out);
      assertEquals(Files.readString(ca), new String(out.get("ca.crt").content(), java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      Files.delete(ca);
    }
  }

  private static String token(ServiceAccountTokenFiles files, KubeObject pod) throws Exception {
    TreeMap<String, ProjectedFiles.File> out = new TreeMap<>();
    files.defaultFiles(pod, 0644, out);
    return new String(out.get("token").content(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
