package io.troupe.control.controller.volume;

import static io.troupe.control.controller.volume.VolumeFixtures.CLASSES;
import static io.troupe.control.controller.volume.VolumeFixtures.claim;
import static io.troupe.control.controller.volume.VolumeFixtures.events;
import static io.troupe.control.controller.volume.VolumeFixtures.only;
import static io.troupe.control.controller.volume.VolumeFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimReconcilerTest {

  private static final String RWO_1GI = """
      spec:
        storageClassName: "%s"
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
      """;

  private static KubeObject claimOfClass(String name, String className) {
    return claim(name, RWO_1GI.formatted(className));
  }

  private static KubeObject available(String name, String size, String className, String modes, String labels) {
    return volume(name, """
        metadata: {labels: {%s}}
        spec:
          capacity: {storage: %s}
          accessModes: [%s]
          storageClassName: "%s"
          hostPath: {path: /data/%s}
        status: {phase: Available}
        """.formatted(labels, size, modes, className, name));
  }

  private static List<Action> reconcile(KubeObject claim, KubeObject... volumes) {
    return ClaimReconciler.reconcile(claim, List.of(volumes), CLASSES);
  }

  @Test
  void aClaimWithoutPhaseIsPendingAndTold_whyWithoutAClass() {
    List<Action> actions = reconcile(claimOfClass("data", ""));
    KubeObject written = only(actions, Action.UpdateStatus.class).get(0).object();
    assertEquals("Pending", Json.text(written.body(), "status.phase"));
    assertEquals("7", written.metadata().resourceVersion());
    assertEquals(List.of("Warning FailedBinding: "
        + "no persistent volumes available for this claim and no storage class is set"), events(actions));
  }

  @Test
  void aWaitForFirstConsumerClaimWaitsEvenWhenAVolumeWouldFit() {
    KubeObject claim = claim("data", RWO_1GI.formatted("local-path") + "status: {phase: Pending}\n");
    List<Action> actions = reconcile(claim, available("pv-1", "5Gi", "local-path", "ReadWriteOnce", ""));
    assertEquals(List.of("Normal WaitForFirstConsumer: waiting for first consumer to be created before binding"),
        events(actions));
    assertEquals(1, actions.size());
  }

  @Test
  void aVolumeProvisionedForTheClaimIsBoundInThreeSteps() {
    KubeObject claim = claim("data", RWO_1GI.formatted("local-path") + """
        status: {phase: Pending}
        metadata: {annotations: {volume.kubernetes.io/selected-node: node-1}}
        """);
    KubeObject volume = volume("pvc-uid-data", """
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          storageClassName: local-path
          claimRef: {apiVersion: v1, kind: PersistentVolumeClaim, namespace: default, name: data, uid: uid-data}
        status: {phase: Available}
        """);

    // 1. the claim names the volume: spec and annotations, one write
    KubeObject named = only(reconcile(claim, volume), Action.Update.class).get(0).object();
    assertEquals("pvc-uid-data", Json.text(named.body(), "spec.volumeName"));
    assertEquals("yes", named.metadata().annotations().get("pv.kubernetes.io/bind-completed"));
    assertEquals("yes", named.metadata().annotations().get("pv.kubernetes.io/bound-by-controller"));
    assertEquals("node-1", named.metadata().annotations().get("volume.kubernetes.io/selected-node"));
    assertEquals("7", named.metadata().resourceVersion());

    // 2. its status: Bound, with the volume's capacity and access modes
    List<Action> second = reconcile(named, volume);
    assertEquals(1, second.size());
    KubeObject bound = only(second, Action.UpdateStatus.class).get(0).object();
    assertEquals("Bound", Json.text(bound.body(), "status.phase"));
    assertEquals("1Gi", Json.text(bound.body(), "status.capacity.storage"));
    assertEquals("ReadWriteOnce", bound.body().path("status").path("accessModes").get(0).asText());

    // 3. nothing more to do
    assertEquals(List.of(), reconcile(bound, volume));
  }

  @Test
  void staticBindingTakesTheSmallestVolumeThatFitsEverything() {
    KubeObject claim = claim("data", """
        spec:
          storageClassName: standard
          accessModes: [ReadWriteOnce, ReadOnlyMany]
          resources: {requests: {storage: 2Gi}}
          selector: {matchLabels: {tier: fast}}
        status: {phase: Pending}
        """);
    String both = "ReadWriteOnce, ReadOnlyMany";
    KubeObject boundPhase = volume("taken", """
        metadata: {labels: {tier: fast}}
        spec: {capacity: {storage: 2Gi}, accessModes: [ReadWriteOnce, ReadOnlyMany], storageClassName: standard}
        status: {phase: Released}
        """);
    List<Action> actions = reconcile(claim,
        available("too-small", "1Gi", "standard", both, "tier: fast"),
        available("big", "10Gi", "standard", both, "tier: fast"),
        available("right", "5Gi", "standard", both, "tier: fast"),
        available("other-class", "3Gi", "local-path", both, "tier: fast"),
        available("one-mode", "3Gi", "standard", "ReadWriteOnce", "tier: fast"),
        available("unlabelled", "3Gi", "standard", both, ""),
        boundPhase);
    assertEquals(1, actions.size(), actions::toString);
    KubeObject reserved = only(actions, Action.Update.class).get(0).object();
    assertEquals("right", reserved.metadata().name());
    assertEquals("9", reserved.metadata().resourceVersion());
    assertEquals("data", Json.text(reserved.body(), "spec.claimRef.name"));
    assertEquals("uid-data", Json.text(reserved.body(), "spec.claimRef.uid"));
    assertEquals("yes", reserved.metadata().annotations().get("pv.kubernetes.io/bound-by-controller"));
  }

  @Test
  void aClaimWithoutClassBindsOnlyVolumesWithoutClass() {
    KubeObject claim = claimOfClass("data", "");
    assertEquals(List.of("Warning FailedBinding: "
            + "no persistent volumes available for this claim and no storage class is set"),
        events(reconcile(claim, available("classy", "5Gi", "standard", "ReadWriteOnce", ""))));
    KubeObject reserved = only(reconcile(claim, available("plain", "5Gi", "", "ReadWriteOnce", "")),
        Action.Update.class).get(0).object();
    assertEquals("plain", reserved.metadata().name());
  }

  @Test
  void aClaimNamingAnotherClaimsVolumeWaits() {
    KubeObject claim = claim("data", """
        spec: {volumeName: pv-1, storageClassName: "", accessModes: [ReadWriteOnce],
               resources: {requests: {storage: 1Gi}}}
        status: {phase: Pending}
        """);
    KubeObject volume = volume("pv-1", """
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          claimRef: {namespace: default, name: other, uid: uid-other}
        status: {phase: Bound}
        """);
    assertEquals(List.of("Warning FailedBinding: volume \"pv-1\" already bound to a different claim."),
        events(reconcile(claim, volume)));
  }

  @Test
  void aBoundClaimWhoseVolumeIsGoneIsLostOnce() {
    KubeObject claim = claim("data", """
        metadata: {annotations: {pv.kubernetes.io/bind-completed: "yes"}}
        spec: {volumeName: pv-1, storageClassName: standard, accessModes: [ReadWriteOnce]}
        status: {phase: Bound}
        """);
    List<Action> actions = reconcile(claim);
    KubeObject lost = only(actions, Action.UpdateStatus.class).get(0).object();
    assertEquals("Lost", Json.text(lost.body(), "status.phase"));
    assertEquals(List.of("Warning ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!"),
        events(actions));
    assertEquals(List.of(), reconcile(lost));
  }

  @Test
  void aClaimWithoutClassGetsTheDefaultClass() {
    KubeObject claim = claim("data", "spec: {accessModes: [ReadWriteOnce]}\n");
    KubeObject defaulted = only(reconcile(claim), Action.Update.class).get(0).object();
    assertEquals("local-path", Json.text(defaulted.body(), "spec.storageClassName"));
    // with no default class it stays without one
    assertEquals(List.of(), only(ClaimReconciler.reconcile(claim, List.of(), Map.of()), Action.Update.class));
  }
}
