package io.troupe.control.controller.volume;

import static io.troupe.control.controller.volume.VolumeFixtures.LOCAL_PATH;
import static io.troupe.control.controller.volume.VolumeFixtures.STANDARD;
import static io.troupe.control.controller.volume.VolumeFixtures.claim;
import static io.troupe.control.controller.volume.VolumeFixtures.events;
import static io.troupe.control.controller.volume.VolumeFixtures.only;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.control.controller.Action;
import io.troupe.control.scheduler.Manifests;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPathProvisionerTest {

  private static final KubeObject CLAIM = claim("data", """
      metadata: {annotations: {volume.kubernetes.io/selected-node: node-1}}
      spec:
        storageClassName: local-path
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 2Gi}}
      status: {phase: Pending}
      """);
  private static final KubeObject NODE = Manifests.object("Node", """
      metadata: {name: node-1, annotations: {troupe.io/local-path-root: /var/lib/troupe/local-path}}
      """);

  @Test
  void theVolumeIsTheContractsPinnedToTheSelectedNodeAndPreBoundToTheClaim() throws Exception {
    List<Action> actions = LocalPathProvisioner.reconcile(CLAIM, LOCAL_PATH, NODE, false);
    KubeObject volume = only(actions, Action.Create.class).get(0).object();
    JsonNode expected = new ObjectMapper(new YAMLFactory()).readTree("""
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: pvc-uid-data
          annotations: {pv.kubernetes.io/provisioned-by: troupe.io/local-path}
          finalizers: [troupe.io/local-path]
        spec:
          capacity: {storage: 2Gi}
          accessModes: [ReadWriteOnce]
          persistentVolumeReclaimPolicy: Delete
          storageClassName: local-path
          volumeMode: Filesystem
          hostPath: {path: /var/lib/troupe/local-path/pvc-uid-data_default_data, type: DirectoryOrCreate}
          nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [
            {key: kubernetes.io/hostname, operator: In, values: [node-1]}]}]}}
          claimRef: {apiVersion: v1, kind: PersistentVolumeClaim, namespace: default, name: data, uid: uid-data}
        """);
    assertEquals(expected, volume.toTree());
    assertEquals(List.of("Normal ProvisioningSucceeded: Successfully provisioned volume pvc-uid-data"),
        events(actions));
  }

  @Test
  void theClassesReclaimPolicyGoesToTheVolume() {
    StorageClass retain = new StorageClass("keep", LocalPathProvisioner.NAME, "Retain",
        StorageClass.WAIT_FOR_FIRST_CONSUMER, false);
    KubeObject volume = only(LocalPathProvisioner.reconcile(CLAIM, retain, NODE, false), Action.Create.class)
        .get(0).object();
    assertEquals("Retain", volume.spec().path("persistentVolumeReclaimPolicy").asText());
    assertEquals("keep", volume.spec().path("storageClassName").asText());
  }

  @Test
  void aNodeWithoutARootGetsAWarningAndNoVolume() {
    KubeObject bare = Manifests.object("Node", "metadata: {name: node-1}\n");
    List<Action> actions = LocalPathProvisioner.reconcile(CLAIM, LOCAL_PATH, bare, false);
    assertEquals(List.of("Warning ProvisioningFailed: failed to provision volume with StorageClass \"local-path\": "
        + "node \"node-1\" has no annotation troupe.io/local-path-root"), events(actions));
    assertEquals(List.of(), only(actions, Action.Create.class));
  }

  @Test
  void nothingIsProvisionedBeforeANodeIsSelectedNorTwiceNorForOtherProvisioners() {
    KubeObject unselected = claim("data", "spec: {storageClassName: local-path}\nstatus: {phase: Pending}\n");
    assertEquals(List.of(), LocalPathProvisioner.reconcile(unselected, LOCAL_PATH, null, false));
    assertEquals(List.of(), LocalPathProvisioner.reconcile(CLAIM, LOCAL_PATH, NODE, true));
    assertEquals(List.of(), LocalPathProvisioner.reconcile(CLAIM, STANDARD, NODE, false));
    KubeObject bound = claim("data", "spec: {storageClassName: local-path, volumeName: pv-1}\nstatus: {phase: Bound}\n");
    assertEquals(List.of(), LocalPathProvisioner.reconcile(bound, LOCAL_PATH, NODE, false));
  }
}
