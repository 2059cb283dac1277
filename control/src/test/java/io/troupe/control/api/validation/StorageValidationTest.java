package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** PersistentVolumes, PersistentVolumeClaims and StorageClasses, as Kubernetes validates them, on what Troupe has. */
class StorageValidationTest {
  private static final String ACCESS_MODES = "supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
      + "\"ReadWriteOnce\", \"ReadWriteOncePod\"";
  private static final String BLOCK = "Forbidden: Block volumes are not supported by Troupe: a node cannot provide "
      + "raw block devices";
  private static final String TERM = "spec.nodeAffinity.required.nodeSelectorTerms[0]";
  private static final String AFFINITY = "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":"
      + "[{\"key\":\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"node-1\"]}]}]}}";

  static Stream<ValidationCase> claims() {
    return Stream.of(
        of("PersistentVolumeClaim", "valid"),
        of("PersistentVolumeClaim", "no class, defaults left to admission").remove("spec.storageClassName")
            .remove("spec.volumeMode"),
        of("PersistentVolumeClaim", "empty class: no class at all").set("spec.storageClassName", "\"\""),
        of("PersistentVolumeClaim", "with a selector and a volume name").set("spec.selector",
            "{\"matchLabels\":{\"tier\":\"db\"}}").set("spec.volumeName", "\"pv-1\""),
        of("PersistentVolumeClaim", "no access modes").remove("spec.accessModes")
            .expect("spec.accessModes: Required value: at least 1 access mode is required"),
        of("PersistentVolumeClaim", "empty access modes").set("spec.accessModes", "[]")
            .expect("spec.accessModes: Required value: at least 1 access mode is required"),
        of("PersistentVolumeClaim", "unknown access mode").set("spec.accessModes", "[\"ReadWriteAll\"]")
            .expect("spec.accessModes: Unsupported value: \"ReadWriteAll\": " + ACCESS_MODES),
        of("PersistentVolumeClaim", "ReadWriteOncePod with another").set("spec.accessModes",
                "[\"ReadWriteOncePod\",\"ReadWriteOnce\"]")
            .expect("spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
        of("PersistentVolumeClaim", "no storage request").remove("spec.resources")
            .expect("spec.resources[storage]: Required value"),
        of("PersistentVolumeClaim", "zero storage").set("spec.resources.requests.storage", "\"0\"")
            .expect("spec.resources[storage]: Invalid value: \"0\": must be greater than zero"),
        of("PersistentVolumeClaim", "negative storage").set("spec.resources.requests.storage", "\"-1Gi\"")
            .expect("spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero"),
        of("PersistentVolumeClaim", "storage not a quantity").set("spec.resources.requests.storage", "\"big\"")
            .expect("spec.resources[storage]: Invalid value: \"big\": quantities must match the regular expression "
                + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        of("PersistentVolumeClaim", "bad class name").set("spec.storageClassName", "\"Fast\"")
            .expect("spec.storageClassName: Invalid value: \"Fast\": " + SUBDOMAIN),
        of("PersistentVolumeClaim", "block volume").set("spec.volumeMode", "\"Block\"")
            .expect("spec.volumeMode: " + BLOCK),
        of("PersistentVolumeClaim", "unknown volume mode").set("spec.volumeMode", "\"Tape\"")
            .expect("spec.volumeMode: Unsupported value: \"Tape\": supported values: \"Filesystem\""),
        of("PersistentVolumeClaim", "bad selector").set("spec.selector",
                "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Near\"}]}")
            .expect("spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector "
                + "operator"),
        of("PersistentVolumeClaim", "cloned from a snapshot").set("spec.dataSource",
                "{\"kind\":\"VolumeSnapshot\",\"name\":\"s\",\"apiGroup\":\"snapshot.storage.k8s.io\"}")
            .expect("spec.dataSource: Forbidden: volume populators and clones are not supported by Troupe: a "
                + "claim's volume always starts empty"));
  }

  static Stream<ValidationCase> volumes() {
    return Stream.of(
        of("PersistentVolume", "valid"),
        of("PersistentVolume", "local with node affinity").remove("spec.hostPath")
            .set("spec.local", "{\"path\":\"/mnt/disks/ssd1\"}").set("spec.nodeAffinity", AFFINITY),
        of("PersistentVolume", "pre-bound to a claim").set("spec.claimRef",
            "{\"kind\":\"PersistentVolumeClaim\",\"namespace\":\"default\",\"name\":\"data\",\"uid\":\"u-1\"}"),
        of("PersistentVolume", "no capacity").remove("spec.capacity")
            .expect("spec.capacity: Required value", "spec.capacity: Unsupported value: {}: supported values: "
                + "\"storage\""),
        of("PersistentVolume", "capacity of something else").set("spec.capacity", "{\"storage\":\"1Gi\",\"iops\":"
                + "\"100\"}")
            .expect("spec.capacity: Unsupported value: {\"storage\":\"1Gi\",\"iops\":\"100\"}: supported values: "
                + "\"storage\""),
        of("PersistentVolume", "zero capacity").set("spec.capacity.storage", "\"0Gi\"")
            .expect("spec.capacity[storage]: Invalid value: \"0Gi\": must be greater than zero"),
        of("PersistentVolume", "no access modes").remove("spec.accessModes")
            .expect("spec.accessModes: Required value"),
        of("PersistentVolume", "unknown access mode").set("spec.accessModes", "[\"ReadWriteOnce\",\"rwx\"]")
            .expect("spec.accessModes: Unsupported value: \"rwx\": " + ACCESS_MODES),
        of("PersistentVolume", "no source").remove("spec.hostPath")
            .expect("spec: Required value: must specify a volume type"),
        of("PersistentVolume", "two sources").set("spec.local", "{\"path\":\"/mnt\"}")
            .set("spec.nodeAffinity", AFFINITY)
            .expect("spec.local: Forbidden: may not specify more than 1 volume type"),
        of("PersistentVolume", "nfs").remove("spec.hostPath").set("spec.nfs", "{\"server\":\"nas\",\"path\":\"/\"}")
            .expect("spec.nfs: Forbidden: nfs volumes are not supported by Troupe; supported persistent volume "
                + "types: hostPath, local"),
        of("PersistentVolume", "csi").remove("spec.hostPath").set("spec.csi", "{\"driver\":\"d\",\"volumeHandle\":"
                + "\"h\"}")
            .expect("spec.csi: Forbidden: csi volumes are not supported by Troupe; supported persistent volume "
                + "types: hostPath, local"),
        of("PersistentVolume", "relative hostPath").set("spec.hostPath.path", "\"srv/pv\"")
            .expect("spec.hostPath.path: Invalid value: \"srv/pv\": must be an absolute path"),
        of("PersistentVolume", "hostPath without path").set("spec.hostPath", "{}")
            .expect("spec.hostPath.path: Required value"),
        of("PersistentVolume", "hostPath of an unknown type").set("spec.hostPath.type", "\"Fifo\"")
            .expect("spec.hostPath.type: Unsupported value: \"Fifo\": supported values: \"\", \"BlockDevice\", "
                + "\"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""),
        of("PersistentVolume", "local without node affinity").remove("spec.hostPath")
            .set("spec.local", "{\"path\":\"/mnt/disks/ssd1\"}")
            .expect("spec.nodeAffinity: Required value: Local volume requires node affinity"),
        of("PersistentVolume", "relative local path").remove("spec.hostPath").set("spec.nodeAffinity", AFFINITY)
            .set("spec.local", "{\"path\":\"disks/../ssd1\"}")
            .expect("spec.local.path: Invalid value: \"disks/../ssd1\": must be an absolute path",
                "spec.local.path: Invalid value: \"disks/../ssd1\": must not contain '..'"),
        of("PersistentVolume", "recycle").set("spec.persistentVolumeReclaimPolicy", "\"Recycle\"")
            .expect("spec.persistentVolumeReclaimPolicy: Unsupported value: \"Recycle\": supported values: "
                + "\"Delete\", \"Retain\""),
        of("PersistentVolume", "block").set("spec.volumeMode", "\"Block\"").expect("spec.volumeMode: " + BLOCK),
        of("PersistentVolume", "bad class name").set("spec.storageClassName", "\"a_b\"")
            .expect("spec.storageClassName: Invalid value: \"a_b\": " + SUBDOMAIN),
        of("PersistentVolume", "node affinity without required").set("spec.nodeAffinity", "{}")
            .expect("spec.nodeAffinity.required: Required value: must specify required node constraints"),
        of("PersistentVolume", "node affinity without terms").set("spec.nodeAffinity",
                "{\"required\":{\"nodeSelectorTerms\":[]}}")
            .expect("spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node "
                + "selector term"),
        of("PersistentVolume", "node affinity with a bad requirement").set("spec.nodeAffinity",
                "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a b\",\"operator\":"
                    + "\"In\"}]}]}}")
            .expect(TERM + ".matchExpressions[0].values: Required value: must be specified when `operator` is 'In' "
                + "or 'NotIn'", TERM + ".matchExpressions[0].key: Invalid value: \"a b\": name part "
                + QUALIFIED_NAME),
        of("PersistentVolume", "node affinity by field").set("spec.nodeAffinity",
            "{\"required\":{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
                + "\"values\":[\"node-1\"]}]}]}}"),
        of("PersistentVolume", "node affinity by an unknown field").set("spec.nodeAffinity",
                "{\"required\":{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"spec.podCIDR\",\"operator\":"
                    + "\"Exists\"}]}]}}")
            .expect(TERM + ".matchFields[0].operator: Invalid value: \"Exists\": not a valid selector operator",
                TERM + ".matchFields[0].key: Invalid value: \"spec.podCIDR\": not a valid field selector key"),
        of("PersistentVolume", "claimRef without namespace and name").set("spec.claimRef", "{\"uid\":\"u\"}")
            .expect("spec.claimRef.namespace: Required value", "spec.claimRef.name: Required value"),
        of("PersistentVolume", "namespaced").set("metadata.namespace", "\"default\"")
            .expect("metadata.namespace: Forbidden: not allowed on this type"));
  }

  static Stream<ValidationCase> storageClasses() {
    return Stream.of(
        of("StorageClass", "valid"),
        of("StorageClass", "defaults left to admission").remove("reclaimPolicy").remove("volumeBindingMode"),
        of("StorageClass", "no provisioner").remove("provisioner").expect("provisioner: Required value"),
        of("StorageClass", "bad provisioner").set("provisioner", "\"troupe.io/local path\"")
            .expect("provisioner: Invalid value: \"troupe.io/local path\": name part " + QUALIFIED_NAME),
        of("StorageClass", "unknown reclaim policy").set("reclaimPolicy", "\"Recycle\"")
            .expect("reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\""),
        of("StorageClass", "unknown binding mode").set("volumeBindingMode", "\"Lazy\"")
            .expect("volumeBindingMode: Unsupported value: \"Lazy\": supported values: \"Immediate\", "
                + "\"WaitForFirstConsumer\""),
        of("StorageClass", "empty parameter key").set("parameters", "{\"\":\"x\"}")
            .expect("parameters: Invalid value: \"\": field can not be empty."),
        of("StorageClass", "parameter not a string").set("parameters", "{\"replicas\":3}")
            .expect("parameters[replicas]: Invalid value: 3: must be a string"),
        of("StorageClass", "too many parameters").set("parameters", manyParameters(513))
            .expect("parameters: Too many: 513: must have at most 512 items"),
        of("StorageClass", "512 parameters").set("parameters", manyParameters(512)),
        of("StorageClass", "allowVolumeExpansion not a boolean").set("allowVolumeExpansion", "\"yes\"")
            .expect("allowVolumeExpansion: Invalid value: \"yes\": must be a boolean"),
        of("StorageClass", "bad name").set("metadata.name", "\"Fast\"")
            .expect("metadata.name: Invalid value: \"Fast\": " + SUBDOMAIN));
  }

  private static String manyParameters(int count) {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":\"v\"");
    }
    return json.append('}').toString();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"claims", "volumes", "storageClasses"})
  void validatesStorage(ValidationCase row) {
    row.check();
  }
}
