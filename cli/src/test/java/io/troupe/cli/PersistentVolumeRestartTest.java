package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A claim's data through a {@code kill -9} of the Troupe JVM: the claim, its volume and their binding come back
 * from the journal, the data from the node's disk, and the ReplicaSet's next pod finds what the earlier ones
 * wrote.
 */
class PersistentVolumeRestartTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Path LOGS = Path.of("target", "pv-restart-logs");
  static final String MOUNT = "/tmp/troupe-pv-restart/data";
  ServerProcess server;
  KubernetesClient client;

  @AfterEach
  void cleanUp() {
    if (client != null) {
      client.apps().replicaSets().inNamespace("default").withName("counter").delete();
      Fabric8Clients.awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").list().getItems().isEmpty(),
          () -> "the pods deleted");
      client.close();
    }
    if (server != null) server.close();
  }

  @Test
  void aClaimsDataOutlivesAKillOfTheJvm() throws Exception {
    Path dataDir = Files.createTempDirectory("troupe-pv-restart");
    server = ServerProcess.start(dataDir, LOGS, "first", DEADLINE);
    client = server.client();
    client.persistentVolumeClaims().inNamespace("default").resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity("1Mi")).endResources().endSpec().build())
        .create();
    String file = "$TROUPE_MOUNT_TMP_TROUPE_PV_RESTART_DATA/count";
    client.apps().replicaSets().inNamespace("default").resource(new ReplicaSetBuilder().withNewMetadata()
        .withName("counter").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
        .addToMatchLabels("app", "counter").endSelector().withNewTemplate().withNewMetadata()
        .addToLabels("app", "counter").endMetadata().withNewSpec().withTerminationGracePeriodSeconds(1L)
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data")
        .endPersistentVolumeClaim().endVolume()
        .addNewContainer().withName("main").withImage("host").withCommand("sh", "-c",
            "n=$(cat " + file + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + file + "; echo run $n;"
                + " sleep 3600")
        .addNewVolumeMount().withName("data").withMountPath(MOUNT).endVolumeMount().endContainer()
        .endSpec().endTemplate().endSpec().build()).create();
    Pod first = awaitRun(null, 1);
    String volume = client.persistentVolumeClaims().inNamespace("default").withName("data").get().getSpec()
        .getVolumeName();

    server.kill();
    client.close();
    server = ServerProcess.start(dataDir, LOGS, "second", DEADLINE);
    client = server.client();
    var claim = client.persistentVolumeClaims().inNamespace("default").withName("data").get();
    assertEquals(volume, claim.getSpec().getVolumeName(), "the same volume after the restart");
    assertEquals("Bound", claim.getStatus().getPhase());
    client.pods().inNamespace("default").withName(first.getMetadata().getName()).delete();
    awaitRun(first, 2);
    Path data = Path.of(client.persistentVolumes().withName(volume).get().getSpec().getHostPath().getPath());
    assertEquals("2", Files.readString(data.resolve("count")).trim());
  }

  /** Waits for a running pod other than {@code previous} whose log says {@code run n}. */
  Pod awaitRun(Pod previous, int n) {
    Fabric8Clients.awaitUntil(DEADLINE, () -> running(previous).map(p -> log(p).contains("run " + n)).orElse(false),
        () -> "a pod says run " + n + ": " + client.pods().inNamespace("default").list().getItems().stream()
            .map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase() + " log " + log(p)).toList());
    return running(previous).orElseThrow();
  }

  Optional<Pod> running(Pod previous) {
    return client.pods().inNamespace("default").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && "Running".equals(p.getStatus().getPhase()))
        .filter(p -> previous == null || !p.getMetadata().getUid().equals(previous.getMetadata().getUid()))
        .findFirst();
  }

  String log(Pod pod) {
    try {
      return client.pods().inNamespace("default").withName(pod.getMetadata().getName()).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
