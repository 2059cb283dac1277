package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.UpdateValidationTest.of;

import io.troupe.control.api.validation.UpdateValidationTest.UpdateCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What may change in Secrets, PersistentVolumes, PersistentVolumeClaims and StorageClasses once created. */
class StorageUpdateValidationTest {
  private static final String CLAIM_IMMUTABLE = "spec is immutable after creation except resources.requests and "
      + "volumeAttributesClassName for bound claims";
  private static final String IMMUTABLE_WHEN_SET = "Forbidden: field is immutable when `immutable` is set";

  static Stream<UpdateCase> secrets() {
    return Stream.of(
        of("Secret", "no change"),
        of("Secret", "data changes").updated("data", "{\"token\":\"dG9rZW4=\"}"),
        of("Secret", "type changes").updated("type", "\"kubernetes.io/basic-auth\"")
            .expect("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable"),
        of("Secret", "made immutable").updated("immutable", "true"),
        of("Secret", "immutable data changes").both("immutable", "true").updated("data", "{\"a\":\"YQ==\"}")
            .expect("data: " + IMMUTABLE_WHEN_SET),
        of("Secret", "immutable made mutable").old("immutable", "true")
            .expect("immutable: " + IMMUTABLE_WHEN_SET),
        of("Secret", "immutable labels change").both("immutable", "true")
            .updated("metadata.labels", "{\"rotated\":\"no\"}"));
  }

  static Stream<UpdateCase> claims() {
    String bound = "{\"phase\":\"Bound\",\"capacity\":{\"storage\":\"1Gi\"}}";
    return Stream.of(
        of("PersistentVolumeClaim", "no change"),
        of("PersistentVolumeClaim", "the binder sets the volume name").updated("spec.volumeName", "\"pv-1\""),
        of("PersistentVolumeClaim", "the volume name changes once set").old("spec.volumeName", "\"pv-1\"")
            .updated("spec.volumeName", "\"pv-2\"")
            .expect("spec: Forbidden: " + CLAIM_IMMUTABLE + "\n  spec.volumeName: \"pv-1\" -> \"pv-2\""),
        of("PersistentVolumeClaim", "a claim without class gets one").old("spec.storageClassName", null),
        of("PersistentVolumeClaim", "the class changes").updated("spec.storageClassName", "\"fast\"")
            .expect("spec: Forbidden: " + CLAIM_IMMUTABLE + "\n  spec.storageClassName: \"local-path\" -> \"fast\""),
        of("PersistentVolumeClaim", "access modes change").updated("spec.accessModes", "[\"ReadWriteMany\"]")
            .expect("spec: Forbidden: " + CLAIM_IMMUTABLE
                + "\n  spec.accessModes[0]: \"ReadWriteOnce\" -> \"ReadWriteMany\""),
        of("PersistentVolumeClaim", "a bound claim grows").both("status", bound)
            .updated("spec.resources.requests.storage", "\"2Gi\""),
        of("PersistentVolumeClaim", "an unbound claim grows").updated("spec.resources.requests.storage", "\"2Gi\"")
            .expect("spec: Forbidden: " + CLAIM_IMMUTABLE
                + "\n  spec.resources.requests.storage: \"1Gi\" -> \"2Gi\""),
        of("PersistentVolumeClaim", "a bound claim shrinks below its capacity").both("status", bound)
            .updated("spec.resources.requests.storage", "\"512Mi\"")
            .expect("spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"),
        of("PersistentVolumeClaim", "a bound claim shrinks back to above its capacity").both("status", bound)
            .old("spec.resources.requests.storage", "\"4Gi\"").updated("spec.resources.requests.storage", "\"2Gi\""),
        of("PersistentVolumeClaim", "volume mode changes").updated("spec.volumeMode", "\"Block\"")
            .expect("spec: Forbidden: " + CLAIM_IMMUTABLE + "\n  spec.volumeMode: \"Filesystem\" -> \"Block\"",
                "spec.volumeMode: Invalid value: \"Block\": field is immutable"));
  }

  static Stream<UpdateCase> volumes() {
    String affinity = "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"
        + "\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"node-1\"]}]}]}}";
    return Stream.of(
        of("PersistentVolume", "no change"),
        of("PersistentVolume", "the binder sets claimRef, capacity and policy change")
            .updated("spec.claimRef", "{\"namespace\":\"default\",\"name\":\"data\"}")
            .updated("spec.capacity.storage", "\"20Gi\"").updated("spec.persistentVolumeReclaimPolicy", "\"Delete\""),
        of("PersistentVolume", "the path changes").updated("spec.hostPath.path", "\"/srv/elsewhere\"")
            .expect("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation"
                + "\n  spec.hostPath.path: \"/srv/pv-1\" -> \"/srv/elsewhere\""),
        of("PersistentVolume", "the source changes").updated("spec.hostPath", null)
            .updated("spec.local", "{\"path\":\"/srv/pv-1\"}").both("spec.nodeAffinity", affinity)
            .expect("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation"
                + "\n  spec.hostPath: {\"path\":\"/srv/pv-1\",\"type\":\"DirectoryOrCreate\"} -> <unset>"
                + "\n  spec.local: <unset> -> {\"path\":\"/srv/pv-1\"}"),
        of("PersistentVolume", "node affinity added").updated("spec.nodeAffinity", affinity),
        of("PersistentVolume", "node affinity changed").both("spec.nodeAffinity", affinity)
            .updated("spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]", "\"node-2\"")
            .expect("spec.nodeAffinity: Invalid value: " + affinity.replace("node-1", "node-2")
                + ": field is immutable"),
        of("PersistentVolume", "node affinity removed").old("spec.nodeAffinity", affinity)
            .expect("spec.nodeAffinity: Invalid value: null: field is immutable"));
  }

  static Stream<UpdateCase> storageClasses() {
    return Stream.of(
        of("StorageClass", "no change"),
        of("StorageClass", "expansion allowed, labels change").updated("allowVolumeExpansion", "true")
            .updated("metadata.labels", "{\"tier\":\"ssd\"}"),
        of("StorageClass", "provisioner changes").updated("provisioner", "\"example.com/nfs\"")
            .expect("provisioner: Forbidden: updates to provisioner are forbidden."),
        of("StorageClass", "parameters change").updated("parameters", "{\"tier\":\"hdd\"}")
            .expect("parameters: Forbidden: updates to parameters are forbidden."),
        of("StorageClass", "reclaim policy changes").updated("reclaimPolicy", "\"Retain\"")
            .expect("reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden."),
        of("StorageClass", "binding mode changes").updated("volumeBindingMode", "\"Immediate\"")
            .expect("volumeBindingMode: Invalid value: \"Immediate\": field is immutable"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"secrets", "claims", "volumes", "storageClasses"})
  void validatesUpdates(UpdateCase row) {
    row.check();
  }
}
