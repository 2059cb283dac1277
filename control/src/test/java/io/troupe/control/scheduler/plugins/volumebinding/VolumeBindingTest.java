package io.troupe.control.scheduler.plugins.volumebinding;

import static io.troupe.control.scheduler.Manifests.cluster;
import static io.troupe.control.scheduler.Manifests.readyNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Decision;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.PodVolumes;
import io.troupe.control.scheduler.Scheduler;
import io.troupe.persistence.model.KubeObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VolumeBindingTest {

  private final Scheduler scheduler = Scheduler.withDefaultPlugins();
  private final SplittableRandom random = new SplittableRandom(7);
  private ClusterView view = cluster(readyNode("n1", "4", "8Gi"), readyNode("n2", "4", "8Gi"),
      readyNode("n3", "4", "8Gi"));
  /** The store, by key, as the scheduler's watch cache would answer. */
  private final Map<String, KubeObject> objects = new HashMap<>();

  VolumeBindingTest() {
    add(Manifests.object("StorageClass", """
        apiVersion: storage.k8s.io/v1
        metadata: {name: local-path}
        provisioner: troupe.io/local-path
        volumeBindingMode: WaitForFirstConsumer
        """));
    add(Manifests.object("StorageClass", """
        apiVersion: storage.k8s.io/v1
        metadata: {name: standard}
        provisioner: example.com/nfs
        """));
  }

  private void add(KubeObject o) {
    objects.put(o.key(), o);
  }

  private void claim(String name, String yaml) {
    add(Manifests.object("PersistentVolumeClaim", """
        metadata: {name: %s, namespace: default, uid: uid-%s, resourceVersion: "5"%s}
        spec: {accessModes: [ReadWriteOnce], %s}
        """.formatted(name, name, yaml.startsWith(",") ? yaml.substring(0, yaml.indexOf('|')) : "",
        yaml.startsWith(",") ? yaml.substring(yaml.indexOf('|') + 1) : yaml)));
  }

  /** A volume pinned to {@code node}. */
  private void localVolume(String name, String node) {
    add(Manifests.object("PersistentVolume", """
        metadata: {name: %s}
        spec:
          capacity: {storage: 1Gi}
          hostPath: {path: /data}
          nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [
            {key: kubernetes.io/hostname, operator: In, values: [%s]}]}]}}
        """.formatted(name, node)));
  }

  /** A pod using {@code claims}, its volumes looked up as the scheduler does. */
  private PodInfo pod(String cpu, String... claims) {
    StringBuilder volumes = new StringBuilder();
    for (String c : claims) volumes.append("  - {name: ").append(c).append(", persistentVolumeClaim: {claimName: ")
        .append(c).append("}}\n");
    PodInfo pod = Manifests.pod("""
        metadata: {name: app, namespace: default, uid: uid-app}
        spec:
          containers: [{name: app, image: nginx, resources: {requests: {cpu: "%s"}}}]
          volumes:
        %s""".formatted(cpu, volumes));
    return pod.withVolumes(PodVolumes.resolve(pod, objects::get));
  }

  private String unschedulable(PodInfo pod) {
    Decision d = scheduler.schedule(pod, view, random);
    return assertInstanceOf(Decision.Unschedulable.class, d, d::toString).message();
  }

  private Set<String> nodesChosen(PodInfo pod) {
    Set<String> chosen = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      Decision d = scheduler.schedule(pod, view, random);
      chosen.add(assertInstanceOf(Decision.Assign.class, d, d::toString).nodeName());
    }
    return chosen;
  }

  @Test
  void claimsThatCannotBeUsedFitNoNode() {
    assertEquals("0/3 nodes are available: 3 persistentvolumeclaim \"data\" not found.",
        unschedulable(pod("100m", "data")));

    claim("data", ",deletionTimestamp: \"2024-01-01T00:00:00Z\", finalizers: [kubernetes.io/pvc-protection]|"
        + "storageClassName: local-path");
    assertEquals("0/3 nodes are available: 3 persistentvolumeclaim \"data\" is being deleted.",
        unschedulable(pod("100m", "data")));

    claim("data", "storageClassName: standard");
    assertEquals("0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims.",
        unschedulable(pod("100m", "data")));
    claim("data", "storageClassName: \"\"");
    assertEquals("0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims.",
        unschedulable(pod("100m", "data")));
    claim("data", "storageClassName: gold");
    assertEquals("0/3 nodes are available: 3 storageclass.storage.k8s.io \"gold\" not found.",
        unschedulable(pod("100m", "data")));

    claim("data", "storageClassName: standard, volumeName: gone");
    assertEquals("0/3 nodes are available: 3 " + PodVolumes.VOLUME_NOT_FOUND + ".", unschedulable(pod("100m", "data")));
  }

  @Test
  void aBoundLocalVolumeTakesThePodToItsNode() {
    localVolume("pv-2", "n2");
    claim("data", "storageClassName: local-path, volumeName: pv-2");
    assertEquals(Set.of("n2"), nodesChosen(pod("100m", "data")));

    // n2 also lacks cpu: each node counts under the first filter it fails
    view = view.withPod("n2", Manifests.podRequesting("filler", "3", "1Gi"));
    assertEquals("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had volume node affinity conflict.",
        unschedulable(pod("3", "data")));
    // two claims on volumes of different nodes: nowhere
    localVolume("pv-1", "n1");
    claim("logs", "storageClassName: local-path, volumeName: pv-1");
    assertEquals("0/3 nodes are available: 3 node(s) had volume node affinity conflict.",
        unschedulable(pod("100m", "data", "logs")));
  }

  @Test
  void aClaimWaitingForItsFirstConsumerGoesAnywhereThenWhereItWasSelected() {
    claim("data", "storageClassName: local-path");
    PodInfo first = pod("100m", "data");
    assertEquals(Set.of("n1", "n2", "n3"), nodesChosen(first));
    assertEquals(List.of("default/data"), first.volumes().claimsToSelectNode().stream()
        .map(c -> c.metadata().namespace() + "/" + c.metadata().name()).toList());
    assertEquals("5", first.volumes().claimsToSelectNode().get(0).metadata().resourceVersion());

    claim("data", ",annotations: {volume.kubernetes.io/selected-node: n3}|storageClassName: local-path");
    PodInfo next = pod("100m", "data");
    assertEquals(List.of(), next.volumes().claimsToSelectNode());
    assertEquals(Set.of("n3"), nodesChosen(next));
    view = view.withPod("n3", Manifests.podRequesting("filler", "3", "1Gi"));
    assertEquals("0/3 nodes are available: 1 Insufficient cpu, "
        + "2 node(s) didn't find available persistent volumes to bind.", unschedulable(pod("2", "data")));
  }

  @Test
  void podsWithoutClaimsAreNotLookedAt() {
    PodInfo pod = Manifests.pod("plain", "", "containers: [{name: app, image: nginx}]");
    assertEquals(List.of(), pod.claims());
    assertNull(new VolumeBinding().prepare(pod, view));
  }
}
