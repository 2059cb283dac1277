package io.troupe.node.volume;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.runtime.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PersistentVolumeClaims on the local-path provisioner with real processes and files, through the real API: a
 * claim is provisioned on the node its first pod is scheduled to, its data outlives the pods that use it,
 * and its reclaim policy decides what happens to the data when the claim goes. (A kill of Troupe's JVM:
 * {@code PersistentVolumeRestartTest} in the cli module.)
 */
class PersistentVolumesTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static final String MOUNT = "/tmp/troupe-pv-test/data";
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-pv-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.pod-cidr", "127.79.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      for (var ns : client.namespaces().list().getItems()) {
        if (ns.getMetadata().getName().startsWith("pv-")) client.namespaces().resource(ns).delete();
      }
      awaitUntil(Duration.ofSeconds(60), () -> client.pods().inAnyNamespace().list().getItems().stream()
          .noneMatch(p -> p.getMetadata().getNamespace().startsWith("pv-")), () -> "the test's pods deleted");
      client.close();
    }
    if (agents != null) agents.close();
    if (plane != null) plane.close();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(MOUNT)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static PersistentVolumeClaim claim(String ns, String name, String storageClass) {
    var claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(storageClass)
        .withNewResources().addToRequests("storage", new Quantity("10Mi")).endResources().endSpec().build();
    return client.persistentVolumeClaims().inNamespace(ns).resource(claim).create();
  }

  /** A pod that counts its runs in a file of its claim. */
  static PodSpec counter(String claim) {
    String file = "$" + new Mount("", MOUNT, false).variable() + "/count";
    return new PodSpecBuilder().withTerminationGracePeriodSeconds(1L)
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim)
        .endPersistentVolumeClaim().endVolume()
        .addNewContainer().withName("main").withImage("host").withCommand("sh", "-c",
            "n=$(cat " + file + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + file + "; echo run $n; sleep 3600")
        .addNewVolumeMount().withName("data").withMountPath(MOUNT).endVolumeMount().endContainer()
        .build();
  }

  static Optional<Pod> runningPod(String ns) {
    return client.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && "Running".equals(p.getStatus().getPhase()))
        .findFirst();
  }

  static String log(String ns, Pod pod) {
    try {
      return client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Waits for a new running pod (not {@code previous}) whose log says {@code run n}; returns it. */
  static Pod awaitRun(String ns, Pod previous, int n) {
    awaitUntil(DEADLINE, () -> runningPod(ns).filter(p -> previous == null
            || !p.getMetadata().getUid().equals(previous.getMetadata().getUid()))
            .map(p -> log(ns, p).contains("run " + n)).orElse(false),
        () -> "a pod says run " + n + ": " + client.pods().inNamespace(ns).list().getItems().stream()
            .map(p -> p.getMetadata().getName() + " " + p.getStatus() + " log " + log(ns, p)).toList()
            + " events " + client.v1().events().inNamespace(ns).list().getItems().stream()
            .map(e -> e.getReason() + ": " + e.getMessage()).toList());
    return runningPod(ns).orElseThrow();
  }

  static PersistentVolume volumeOf(String ns, String claim) {
    String name = client.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName();
    return client.persistentVolumes().withName(name).get();
  }

  @Test
  void dataInAClaimOutlivesItsPods() throws Exception {
    String ns = Fabric8Clients.newNamespace(client, "pv-data");
    claim(ns, "data", null); // the default StorageClass: local-path
    client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
        .withName("counter").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
        .addToMatchLabels("app", "counter").endSelector().withNewTemplate().withNewMetadata()
        .addToLabels("app", "counter").endMetadata().withSpec(counter("data")).endTemplate().endSpec().build())
        .create();
    Pod first = awaitRun(ns, null, 1);
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName("data").get();
    assertEquals("Bound", claim.getStatus().getPhase());
    assertEquals("local-path", claim.getSpec().getStorageClassName());
    assertEquals("node-1", claim.getMetadata().getAnnotations().get("volume.kubernetes.io/selected-node"));
    PersistentVolume volume = volumeOf(ns, "data");
    assertEquals("pvc-" + claim.getMetadata().getUid(), volume.getMetadata().getName());
    assertEquals("Bound", volume.getStatus().getPhase());
    Path data = Path.of(volume.getSpec().getHostPath().getPath());
    assertTrue(data.startsWith(dir.resolve("storage")), "made under the node's local-path root: " + data);
    assertEquals("1", Files.readString(data.resolve("count")).trim());

    client.pods().inNamespace(ns).resource(first).delete();
    awaitRun(ns, first, 2);
    assertEquals("2", Files.readString(data.resolve("count")).trim());
  }

  @Test
  void reclaimPolicyDeleteRemovesTheDataAndRetainKeepsIt() throws Exception {
    String ns = Fabric8Clients.newNamespace(client, "pv-reclaim");
    client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("keep")
        .endMetadata().withProvisioner("troupe.io/local-path").withReclaimPolicy("Retain")
        .withVolumeBindingMode("WaitForFirstConsumer").build()).create();
    claim(ns, "scratch", "local-path");
    claim(ns, "kept", "keep");
    String scratchMount = "$" + new Mount("", MOUNT + "/scratch", false).variable();
    String keptMount = "$" + new Mount("", MOUNT + "/kept", false).variable();
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("writer").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L)
        .addNewVolume().withName("scratch").withNewPersistentVolumeClaim().withClaimName("scratch")
        .endPersistentVolumeClaim().endVolume()
        .addNewVolume().withName("kept").withNewPersistentVolumeClaim().withClaimName("kept")
        .endPersistentVolumeClaim().endVolume()
        .addNewContainer().withName("main").withImage("host").withCommand("sh", "-c",
            "echo a > " + scratchMount + "/file; echo b > " + keptMount + "/file; echo written; sleep 3600")
        .addNewVolumeMount().withName("scratch").withMountPath(MOUNT + "/scratch").endVolumeMount()
        .addNewVolumeMount().withName("kept").withMountPath(MOUNT + "/kept").endVolumeMount()
        .endContainer().endSpec().build()).create();
    awaitUntil(DEADLINE, () -> runningPod(ns).map(p -> log(ns, p).contains("written")).orElse(false),
        () -> "writer wrote: " + client.pods().inNamespace(ns).withName("writer").get().getStatus());
    PersistentVolume scratch = volumeOf(ns, "scratch");
    PersistentVolume kept = volumeOf(ns, "kept");
    Path scratchData = Path.of(scratch.getSpec().getHostPath().getPath());
    Path keptData = Path.of(kept.getSpec().getHostPath().getPath());
    assertEquals("a", Files.readString(scratchData.resolve("file")).trim());

    // a claim in use stays (Terminating) until its pod is gone
    client.persistentVolumeClaims().inNamespace(ns).withName("scratch").delete();
    client.persistentVolumeClaims().inNamespace(ns).withName("kept").delete();
    assertTrue(client.persistentVolumeClaims().inNamespace(ns).withName("scratch").get() != null,
        "held by kubernetes.io/pvc-protection while the pod uses it");
    client.pods().inNamespace(ns).withName("writer").delete();
    awaitUntil(DEADLINE, () -> client.persistentVolumes().withName(scratch.getMetadata().getName()).get() == null
        && !Files.exists(scratchData), () -> "the Delete volume and its data gone: "
        + client.persistentVolumes().withName(scratch.getMetadata().getName()).get());
    awaitUntil(DEADLINE, () -> "Released".equals(client.persistentVolumes().withName(kept.getMetadata().getName())
        .get().getStatus().getPhase()), () -> "the Retain volume Released");
    assertEquals("b", Files.readString(keptData.resolve("file")).trim(), "Retain keeps the data");
  }
}
