package io.troupe.control.controller.volume;

import static io.troupe.control.controller.volume.VolumeFixtures.claim;
import static io.troupe.control.controller.volume.VolumeFixtures.only;
import static io.troupe.control.controller.volume.VolumeFixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class PvcProtectionReconcilerTest {

  private static final KubeObject DELETING = claim("data", """
      metadata:
        finalizers: [kubernetes.io/pvc-protection, example.com/other]
        deletionTimestamp: "2024-01-01T00:00:00Z"
      spec: {volumeName: pv-1}
      """);

  @Test
  void theFinalizerStaysWhileAPodThatHasNotFinishedUsesTheClaim() {
    for (String phase : new String[] {"Pending", "Running", "Unknown"}) {
      assertEquals(List.of(), PvcProtectionReconciler.reconcile(DELETING, List.of(pod("app", phase, "cache", "data"))),
          phase);
    }
  }

  @Test
  void theFinalizerGoesOnceNoRunningPodUsesTheClaim() {
    List<KubeObject> pods = List.of(pod("done", "Succeeded", "data"), pod("failed", "Failed", "data"),
        pod("other", "Running", "cache"), pod("none", "Running"));
    KubeObject released = only(PvcProtectionReconciler.reconcile(DELETING, pods), Action.Update.class).get(0).object();
    assertEquals(List.of("example.com/other"), released.metadata().finalizers());
    assertEquals("7", released.metadata().resourceVersion());
  }

  @Test
  void aClaimNotBeingDeletedIsLeftAlone() {
    assertEquals(List.of(), PvcProtectionReconciler.reconcile(
        claim("data", "metadata: {finalizers: [kubernetes.io/pvc-protection]}\n"), List.of()));
    assertEquals(List.of(), PvcProtectionReconciler.reconcile(null, List.of()));
  }
}
