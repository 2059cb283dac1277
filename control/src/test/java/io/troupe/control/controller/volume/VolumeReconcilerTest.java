package io.troupe.control.controller.volume;

import static io.troupe.control.controller.volume.VolumeFixtures.claim;
import static io.troupe.control.controller.volume.VolumeFixtures.events;
import static io.troupe.control.controller.volume.VolumeFixtures.only;
import static io.troupe.control.controller.volume.VolumeFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class VolumeReconcilerTest {

  private static final String BOUND_CLAIM = """
      metadata: {annotations: {pv.kubernetes.io/bind-completed: "yes"}}
      spec: {volumeName: pv-1}
      status: {phase: Bound}
      """;

  private static KubeObject volumeFor(String claimUid, String policy, String phase) {
    return volume("pv-1", """
        spec:
          capacity: {storage: 1Gi}
          persistentVolumeReclaimPolicy: %s
          claimRef: {namespace: default, name: data, uid: %s}
        status: {phase: %s}
        """.formatted(policy, claimUid, phase));
  }

  private static String phaseWritten(List<Action> actions) {
    List<Action.UpdateStatus> writes = only(actions, Action.UpdateStatus.class);
    return writes.isEmpty() ? "-" : Json.text(writes.get(0).object().body(), "status.phase");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no claimRef                           | none       | Pending   | Available
      claim not bound yet                   | unbound    | Pending   | Available
      claim names the volume                | bound      | Available | Bound
      already Bound                         | bound      | Bound     | -
      claim gone                            | gone       | Bound     | Released
      claim recreated (another uid)         | recreated  | Bound     | Released
      """)
  void phases(String name, String claimState, String phase, String written) {
    KubeObject volume = claimState.equals("none")
        ? volume("pv-1", "spec: {capacity: {storage: 1Gi}}\nstatus: {phase: %s}\n".formatted(phase))
        : volumeFor("uid-data", "Retain", phase);
    KubeObject claim = switch (claimState) {
      case "unbound" -> claim("data", "status: {phase: Pending}\n");
      case "bound" -> claim("data", BOUND_CLAIM);
      case "recreated" -> claim("data", BOUND_CLAIM).withMetadata(claim("data", BOUND_CLAIM).metadata()
          .withCreation("uid-other", "2024-01-01T00:00:00Z"));
      default -> null;
    };
    List<Action> actions = VolumeReconciler.reconcile(volume, claim, false);
    assertEquals(written, phaseWritten(actions));
    if (!written.equals("-")) assertEquals(1, actions.size());
  }

  @Test
  void aReleasedVolumeIsReclaimedAsItsPolicySays() {
    // Delete: the object goes (its finalizer then waits for whoever owns the data)
    List<Action> delete = VolumeReconciler.reconcile(volumeFor("uid-data", "Delete", "Released"), null, false);
    assertEquals(List.of(new Action.Delete("PersistentVolume//pv-1", "uid-pv-1")), delete);
    // Retain: it stays Released
    assertEquals(List.of(), VolumeReconciler.reconcile(volumeFor("uid-data", "Retain", "Released"), null, false));
    // Recycle: nobody can, Failed
    List<Action> recycle = VolumeReconciler.reconcile(volumeFor("uid-data", "Recycle", "Released"), null, false);
    assertEquals("Failed", phaseWritten(recycle));
    assertEquals(List.of("Warning VolumeFailedRecycle: No recycler plugin found for the volume!"), events(recycle));
    assertEquals(List.of(), VolumeReconciler.reconcile(volumeFor("uid-data", "Recycle", "Failed"), null, false));
  }

  @Test
  void aVolumeTheBinderReservedGoesBackWhenItsClaimBoundAnother() {
    KubeObject volume = Volumes.withAnnotation(volumeFor("uid-data", "Retain", "Available"),
        Claims.BOUND_BY_CONTROLLER, "yes");
    KubeObject claim = claim("data", BOUND_CLAIM.replace("pv-1", "pv-2"));
    KubeObject freed = only(VolumeReconciler.reconcile(volume, claim, false), Action.Update.class).get(0).object();
    assertEquals(null, Json.text(freed.body(), "spec.claimRef.name"));
    assertEquals(false, freed.metadata().annotations().containsKey(Claims.BOUND_BY_CONTROLLER));
    assertEquals("9", freed.metadata().resourceVersion());
  }

  @Test
  void aDeletedLocalVolumeOfANodeThatIsGoneLosesItsFinalizer() {
    KubeObject deleting = volume("pvc-1", """
        metadata:
          finalizers: [troupe.io/local-path]
          deletionTimestamp: "2024-01-01T00:00:00Z"
        spec:
          nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [
            {key: kubernetes.io/hostname, operator: In, values: [node-1]}]}]}}
        status: {phase: Released}
        """);
    assertEquals("node-1", Volumes.pinnedNode(deleting));
    assertEquals(List.of(), VolumeReconciler.reconcile(deleting, null, false));
    KubeObject freed = only(VolumeReconciler.reconcile(deleting, null, true), Action.Update.class).get(0).object();
    assertEquals(List.of(), freed.metadata().finalizers());
    assertEquals("9", freed.metadata().resourceVersion());
  }
}
