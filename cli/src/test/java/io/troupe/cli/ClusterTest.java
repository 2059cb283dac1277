package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three Troupe JVMs in one cluster on one PostgreSQL journal (config/cluster.conf; simulated nodes): every JVM
 * serves the API and answers for any object; when one is killed with SIGKILL the others carry on, and the
 * Deployment's pods that ran on it run again on the survivors.
 */
class ClusterTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Path LOGS = Path.of("target", "cluster-logs");
  final List<KubernetesClient> clients = new ArrayList<>();
  TestCluster cluster;

  @AfterEach
  void stop() {
    clients.forEach(KubernetesClient::close);
    if (cluster != null) cluster.close();
  }

  @Test
  void threeJvmsServeOneClusterAndSurviveTheKillOfOne() throws Exception {
    cluster = new TestCluster(3, LOGS);
    for (int i = 0; i < 3; i++) {
      clients.add(cluster.start(i).client());
    }
    for (KubernetesClient c : clients) {
      Fabric8Clients.awaitUntil(DEADLINE, () -> c.nodes().list().getItems().size() == 3, () -> "3 nodes seen");
    }

    // any JVM answers for any object, and sees the others' writes
    clients.get(0).configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("shared").endMetadata().addToData("k", "v").build()).create();
    for (KubernetesClient c : clients) {
      Fabric8Clients.awaitUntil(DEADLINE, () -> c.configMaps().inNamespace("default").withName("shared").get() != null,
          () -> "the ConfigMap written on jvm-0 seen");
    }
    clients.get(1).apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(6).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("nginx").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    KubernetesClient survivor = clients.get(2);
    Fabric8Clients.awaitUntil(DEADLINE, () -> available(survivor, "web") == 6, () -> "6 replicas available");
    // a rollout that is still going on when the controllers' JVM dies (minReadySeconds makes it take a while)
    clients.get(1).apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
        .withNewMetadata().withName("slow").endMetadata()
        .withNewSpec().withReplicas(4).withMinReadySeconds(1)
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withNewMaxSurge(1)
        .withNewMaxUnavailable(0).endRollingUpdate().endStrategy()
        .withNewSelector().addToMatchLabels("app", "slow").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "slow").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("v1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    Fabric8Clients.awaitUntil(DEADLINE, () -> available(survivor, "slow") == 4, () -> "slow: 4 available");
    clients.get(1).apps().deployments().inNamespace("default").withName("slow").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("v2");
      return d;
    });
    Fabric8Clients.awaitUntil(DEADLINE, () -> withImage(survivor, "slow", "v2") >= 1, () -> "the rollout started");

    // the first seed is the oldest member: the singletons (scheduler, controllers) run there
    long killed = System.nanoTime();
    cluster.server(0).kill();
    Fabric8Clients.awaitUntil(DEADLINE, () -> runningOffNode(survivor, "n0") == 6,
        () -> "6 pods Running on n1 and n2: " + survivor.pods().inNamespace("default").list().getItems().stream()
            .map(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName() + ":" + p.getStatus().getPhase())
            .toList());
    System.out.printf("pods Running on the survivors %d ms after the kill%n",
        Duration.ofNanos(System.nanoTime() - killed).toMillis());
    // the controllers that took over finish the rollout
    Fabric8Clients.awaitUntil(DEADLINE, () -> {
      var d = survivor.apps().deployments().inNamespace("default").withName("slow").get();
      return d.getStatus() != null && Integer.valueOf(4).equals(d.getStatus().getUpdatedReplicas())
          && Integer.valueOf(4).equals(d.getStatus().getAvailableReplicas())
          && d.getStatus().getReplicas() == 4 && withImage(survivor, "slow", "v1") == 0;
    }, () -> "the rollout of slow finished: " + survivor.apps().deployments().inNamespace("default")
        .withName("slow").get().getStatus());
    assertEquals("v", clients.get(1).configMaps().inNamespace("default").withName("shared").get().getData().get("k"));
    clients.get(1).configMaps().inNamespace("default").withName("shared").edit(cm -> {
      cm.getData().put("k", "after");
      return cm;
    });
    Fabric8Clients.awaitUntil(DEADLINE, () -> "after".equals(survivor.configMaps().inNamespace("default")
        .withName("shared").get().getData().get("k")), () -> "an update after the kill seen on jvm-2");

    // restarted with itself as its only seed node (as a first seed node whose peers do not answer in time), jvm-0
    // joins the running cluster, found through the database, instead of founding a second one of its own
    ServerProcess again = cluster.start(0, cluster.clusterAddress(0));
    Fabric8Clients.awaitUntil(DEADLINE, () -> membersUp(again) == 3, () -> "jvm-0 sees 3 members Up: "
        + membersUp(again));
    Fabric8Clients.awaitUntil(DEADLINE, () -> membersUp(cluster.server(2)) == 3,
        () -> "jvm-2 sees 3 members Up");
  }

  /** {@code troupe_cluster_members{status="up"}} from the JVM's /metrics; -1 when it does not answer. */
  static long membersUp(ServerProcess server) {
    try {
      String metrics = server.http().build().send(HttpRequest.newBuilder(server.url().resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("(?m)^troupe_cluster_members\\{status=\"up\"} (\\S+)$").matcher(metrics);
      return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  static long withImage(KubernetesClient c, String app, String image) {
    return c.pods().inNamespace("default").withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null
            && image.equals(p.getSpec().getContainers().get(0).getImage()))
        .count();
  }

  static int available(KubernetesClient c, String name) {
    var d = c.apps().deployments().inNamespace("default").withName(name).get();
    return d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0
        : d.getStatus().getAvailableReplicas();
  }

  static long runningOffNode(KubernetesClient c, String node) {
    List<Pod> pods = c.pods().inNamespace("default").withLabel("app", "web").list().getItems();
    assertTrue(pods.size() < 20, "no runaway pods: " + pods.size());
    return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
        && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
        && !node.equals(p.getSpec().getNodeName())).count();
  }

}
