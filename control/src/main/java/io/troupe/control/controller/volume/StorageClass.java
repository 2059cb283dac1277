package io.troupe.control.controller.volume;

import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;

/**
 * What the volume controllers and the scheduler read of a StorageClass (storage.k8s.io/v1).
 *
 * @param reclaimPolicy {@code reclaimPolicy}, Delete when unset (as the API server defaults it)
 * @param volumeBindingMode {@code volumeBindingMode}, Immediate when unset
 * @param isDefault whether the annotation {@code storageclass.kubernetes.io/is-default-class} is "true"
 */
public record StorageClass(String name, String provisioner, String reclaimPolicy, String volumeBindingMode,
    boolean isDefault) {

  public static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
  public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
  public static final String IMMEDIATE = "Immediate";

  public StorageClass {
    reclaimPolicy = reclaimPolicy == null || reclaimPolicy.isEmpty() ? "Delete" : reclaimPolicy;
    volumeBindingMode = volumeBindingMode == null || volumeBindingMode.isEmpty() ? IMMEDIATE : volumeBindingMode;
  }

  public static StorageClass from(KubeObject storageClass) {
    return new StorageClass(storageClass.metadata().name(), Json.text(storageClass.body(), "provisioner"),
        Json.text(storageClass.body(), "reclaimPolicy"), Json.text(storageClass.body(), "volumeBindingMode"),
        "true".equals(storageClass.metadata().annotations().get(IS_DEFAULT_CLASS)));
  }

  /** Whether binding waits until a pod using the claim is scheduled (the claim then gets a selected node). */
  public boolean waitForFirstConsumer() {
    return WAIT_FOR_FIRST_CONSUMER.equals(volumeBindingMode);
  }
}
