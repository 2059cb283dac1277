package io.troupe.node.volume;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.runtime.Mount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pod volumes with real processes and files, through the real API (fabric8): what the containers see in their
 * volumes, and what stays on the node. The scripts find each mount through its {@code TROUPE_MOUNT_*} variable,
 * which names the mount path where the runtime mounts (root) and the node's directory where it cannot, so the
 * same pods work both ways; the tests that need the real mount say so.
 */
class VolumesTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-volumes-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.back-off.initial", "300ms",
        "troupe.node.back-off.max", "1s",
        "troupe.node.volume-sync-period", "200ms",
        "troupe.node.pod-cidr", "127.78.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "volumes");
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

  /** A mount path under the test's directory: where the host has nothing (a private mount, as root). */
  static String mountPath(String name) {
    return dir.resolve("mnt").resolve(name).toString();
  }

  /** The shell variable through which a script finds the mount at {@code mountPath}. */
  static String var(String mountPath) {
    return "$" + new Mount("", mountPath, false).variable();
  }

  static Container container(String name, String script, String volume, String mountPath) {
    return new ContainerBuilder().withName(name).withImage("host").withCommand("sh", "-c", script)
        .addNewVolumeMount().withName(volume).withMountPath(mountPath).endVolumeMount().build();
  }

  static Pod pod(String name, List<Volume> volumes, Container... containers) {
    return client.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", name).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withVolumes(volumes).withContainers(containers)
        .endSpec().build()).create();
  }

  static String log(String pod, String container) {
    try {
      return client.pods().inNamespace(ns).withName(pod).inContainer(container).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }

  static void awaitLog(String pod, String container, String text) {
    awaitUntil(DEADLINE, () -> log(pod, container).contains(text), () -> pod + "/" + container + " logs " + text
        + "; its log: " + log(pod, container) + "; its status: " + client.pods().inNamespace(ns).withName(pod).get()
        .getStatus());
  }

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Test
  void twoContainersShareAnEmptyDir() {
    String path = mountPath("shared");
    pod("shared", List.of(new VolumeBuilder().withName("cache").withNewEmptyDir().endEmptyDir().build()),
        container("writer", "echo from-the-writer > " + var(path) + "/note; sleep 3600", "cache", path),
        container("reader", "while [ ! -s " + var(path) + "/note ]; do sleep 0.1; done; echo read: $(cat "
            + var(path) + "/note); sleep 3600", "cache", path));
    awaitLog("shared", "reader", "read: from-the-writer");
    String uid = client.pods().inNamespace(ns).withName("shared").get().getMetadata().getUid();
    Path onNode = dir.resolve("node/node-1/volumes").resolve(uid).resolve("empty-dir/cache/note");
    assertTrue(Files.exists(onNode), "the emptyDir lives on the node: " + onNode);
    if (root()) {
      assertFalse(Files.exists(Path.of(path, "note")), "the mount is the containers' own, the host sees none");
    }
    client.pods().inNamespace(ns).withName("shared").delete();
    awaitUntil(DEADLINE, () -> !Files.exists(onNode.getParent().getParent()), () -> "the emptyDir removed with its pod");
  }

  @Test
  void aConfigMapVolumeSeesTheObjectsUpdate() {
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("greeting")
        .endMetadata().addToData("greeting", "hello").addToData("other", "x").build()).create();
    String path = mountPath("config");
    pod("config", List.of(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("greeting")
            .endConfigMap().build()),
        container("main", "if touch " + var(path) + "/new 2>/dev/null; then echo writable; else echo read-only; fi;"
            + " last=; while true; do now=$(cat " + var(path) + "/greeting); if [ \"$now\" != \"$last\" ];"
            + " then echo \"greeting=$now\"; last=$now; fi; sleep 0.1; done", "cfg", path));
    awaitLog("config", "main", "greeting=hello");
    assertTrue(log("config", "main").contains("read-only"), "a configMap volume is read-only: " + log("config", "main"));
    client.configMaps().inNamespace(ns).withName("greeting").edit(c -> new ConfigMapBuilder(c)
        .addToData("greeting", "bonjour").build());
    awaitLog("config", "main", "greeting=bonjour");
  }

  @Test
  void secretAndDownwardApiVolumesHoldTheirFiles() {
    client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db").endMetadata()
        .addToData("password", Base64.getEncoder().encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8)))
        .build()).create();
    String secret = mountPath("secret");
    String info = mountPath("podinfo");
    Container main = new ContainerBuilder().withName("main").withImage("host").withCommand("sh", "-c",
            "echo password=$(cat " + var(secret) + "/password) env=$DB_PASSWORD; echo labels: $(cat " + var(info)
                + "/labels); sleep 3600")
        .addNewVolumeMount().withName("secret").withMountPath(secret).endVolumeMount()
        .addNewVolumeMount().withName("podinfo").withMountPath(info).endVolumeMount()
        .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef("password", "db", false)
        .endValueFrom().endEnv()
        .build();
    pod("files", List.of(
        new VolumeBuilder().withName("secret").withNewSecret().withSecretName("db").endSecret().build(),
        new VolumeBuilder().withName("podinfo").withNewDownwardAPI().addNewItem().withPath("labels")
            .withNewFieldRef().withFieldPath("metadata.labels").endFieldRef().endItem().endDownwardAPI().build()),
        main);
    awaitLog("files", "main", "password=s3cr3t env=s3cr3t");
    awaitLog("files", "main", "labels: app=\"files\"");
  }

  @Test
  void aHostPathDirectoryOrCreateIsMadeAndKept() throws Exception {
    Path host = dir.resolve("host-data");
    String path = mountPath("hostdata");
    String sub = mountPath("hostsub");
    Container subPath = new ContainerBuilder().withName("sub").withImage("host").withCommand("sh", "-c",
            "echo below > " + var(sub) + "/file; echo done; sleep 3600")
        .addNewVolumeMount().withName("data").withMountPath(sub).withSubPath("nested/dir").endVolumeMount().build();
    pod("hostpath", List.of(new VolumeBuilder().withName("data").withNewHostPath().withPath(host.toString())
            .withType("DirectoryOrCreate").endHostPath().build()),
        container("main", "echo written > " + var(path) + "/file; echo done; sleep 3600", "data", path), subPath);
    awaitLog("hostpath", "main", "done");
    awaitLog("hostpath", "sub", "done");
    assertEquals("written", Files.readString(host.resolve("file")).trim());
    assertEquals("below", Files.readString(host.resolve("nested/dir/file")).trim(), "a subPath is made and mounted");
    client.pods().inNamespace(ns).withName("hostpath").delete();
    awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).withName("hostpath").get() == null,
        () -> "hostpath deleted");
    assertTrue(Files.exists(host.resolve("file")), "a hostPath outlives its pod");
  }

  @Test
  void aMemoryEmptyDirIsATmpfsOfItsOwn() {
    assumeTrue(root(), "tmpfs mounts need root: without, a memory emptyDir is a directory on disk");
    String path = mountPath("memory");
    pod("memory", List.of(new VolumeBuilder().withName("scratch").withNewEmptyDir().withMedium("Memory")
            .withNewSizeLimit("16Mi").endEmptyDir().build()),
        container("main", "echo kept > " + path + "/file; echo fs=$(stat -f -c %T " + path + ") size=$(df -k " + path
            + " | awk 'NR==2 {print $2}'); sleep 3600", "scratch", path));
    awaitLog("memory", "main", "fs=tmpfs size=16384");
    String uid = client.pods().inNamespace(ns).withName("memory").get().getMetadata().getUid();
    assertFalse(Files.exists(dir.resolve("node/node-1/volumes").resolve(uid).resolve("empty-dir/scratch/file")),
        "the data is in memory, not on the node's disk");
  }

  @Test
  void aMissingConfigMapKeepsThePodWaitingWithAFailedMountEvent() {
    String path = mountPath("missing");
    pod("missing", List.of(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("not-there")
            .endConfigMap().build()),
        container("main", "echo started; sleep 3600", "cfg", path));
    awaitUntil(DEADLINE, () -> client.v1().events().inNamespace(ns).list().getItems().stream()
            .anyMatch(e -> "FailedMount".equals(e.getReason()) && e.getMessage().equals(
                "MountVolume.SetUp failed for volume \"cfg\" : configmap \"not-there\" not found")),
        () -> "a FailedMount event: " + client.v1().events().inNamespace(ns).list().getItems());
    Pod pod = client.pods().inNamespace(ns).withName("missing").get();
    assertEquals("Pending", pod.getStatus().getPhase());
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("not-there")
        .endMetadata().addToData("k", "v").build()).create();
    awaitLog("missing", "main", "started");
  }
}
