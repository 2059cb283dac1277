package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.CONFIG_KEY;
import static io.troupe.control.api.validation.ValidationCase.LABEL;
import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A pod's volumes and its containers' mounts, as Kubernetes validates them, on the sources a Troupe node has. */
class VolumeValidationTest {
  private static final String V0 = "spec.volumes[0]";
  private static final String M0 = "spec.containers[0].volumeMounts[0]";
  private static final String SUPPORTED = "supported volume types: configMap, downwardAPI, emptyDir, hostPath, "
      + "persistentVolumeClaim, projected, secret";
  private static final String FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive";

  /** A pod with one volume named data (the JSON of its source). */
  private static ValidationCase pod(String description, String volume) {
    return of("Pod", description).set("spec.volumes", "[{\"name\":\"data\"," + volume + "}]");
  }

  /** A pod with one volume, mounted at /data by its container. */
  private static ValidationCase mounted(String description, String volume) {
    return pod(description, volume)
        .set("spec.containers[0].volumeMounts", "[{\"name\":\"data\",\"mountPath\":\"/data\"}]");
  }

  static Stream<ValidationCase> volumes() {
    return Stream.of(
        mounted("emptyDir", "\"emptyDir\":{}"),
        pod("emptyDir in memory with a size limit", "\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":\"64Mi\"}"),
        pod("emptyDir on huge pages", "\"emptyDir\":{\"medium\":\"HugePages\"}")
            .expect(V0 + ".emptyDir.medium: Unsupported value: \"HugePages\": supported values: \"\", \"Memory\""),
        pod("emptyDir with a negative size limit", "\"emptyDir\":{\"sizeLimit\":\"-1Gi\"}")
            .expect(V0 + ".emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity"),
        pod("emptyDir with a size limit that is no quantity", "\"emptyDir\":{\"sizeLimit\":\"lots\"}")
            .expect(V0 + ".emptyDir.sizeLimit: Invalid value: \"lots\": quantities must match the regular "
                + "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        pod("hostPath", "\"hostPath\":{\"path\":\"/var/log\",\"type\":\"DirectoryOrCreate\"}"),
        pod("hostPath without path", "\"hostPath\":{\"type\":\"Directory\"}")
            .expect(V0 + ".hostPath.path: Required value"),
        pod("hostPath with ..", "\"hostPath\":{\"path\":\"/var/../etc\"}")
            .expect(V0 + ".hostPath.path: Invalid value: \"/var/../etc\": must not contain '..'"),
        pod("hostPath of an unknown type", "\"hostPath\":{\"path\":\"/x\",\"type\":\"Pipe\"}")
            .expect(V0 + ".hostPath.type: Unsupported value: \"Pipe\": supported values: \"\", \"BlockDevice\", "
                + "\"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""),
        pod("configMap with items", "\"configMap\":{\"name\":\"web-config\",\"defaultMode\":420,"
            + "\"items\":[{\"key\":\"app.properties\",\"path\":\"conf/app.properties\",\"mode\":256}],"
            + "\"optional\":true}"),
        pod("configMap without name", "\"configMap\":{}").expect(V0 + ".configMap.name: Required value"),
        pod("configMap item without key or path", "\"configMap\":{\"name\":\"c\",\"items\":[{}]}")
            .expect(V0 + ".configMap.items[0].key: Required value", V0 + ".configMap.items[0].path: Required value"),
        pod("configMap item with a bad key", "\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"a b\",\"path\":\"x\"}]}")
            .expect(V0 + ".configMap.items[0].key: Invalid value: \"a b\": " + CONFIG_KEY),
        pod("configMap item at an absolute path",
                "\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"k\",\"path\":\"/etc/k\"}]}")
            .expect(V0 + ".configMap.items[0].path: Invalid value: \"/etc/k\": must be a relative path"),
        pod("configMap item above the volume", "\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"k\",\"path\":\"../k\"}]}")
            .expect(V0 + ".configMap.items[0].path: Invalid value: \"../k\": must not contain '..'"),
        pod("configMap item starting with ..", "\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"k\",\"path\":\"..k\"}]}")
            .expect(V0 + ".configMap.items[0].path: Invalid value: \"..k\": must not start with '..'"),
        pod("configMap item mode over 0777", "\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"k\",\"path\":\"k\","
                + "\"mode\":512}]}")
            .expect(V0 + ".configMap.items[0].mode: Invalid value: 512: " + FILE_MODE),
        pod("configMap with a negative default mode", "\"configMap\":{\"name\":\"c\",\"defaultMode\":-1}")
            .expect(V0 + ".configMap.defaultMode: Invalid value: -1: " + FILE_MODE),
        pod("configMap optional not a boolean", "\"configMap\":{\"name\":\"c\",\"optional\":\"yes\"}")
            .expect(V0 + ".configMap.optional: Invalid value: \"yes\": must be a boolean"),
        pod("secret", "\"secret\":{\"secretName\":\"tls\",\"items\":[{\"key\":\"tls.crt\",\"path\":\"cert.pem\"}],"
            + "\"defaultMode\":256}"),
        pod("secret without secretName", "\"secret\":{\"optional\":true}")
            .expect(V0 + ".secret.secretName: Required value"),
        pod("secret with a bad default mode", "\"secret\":{\"secretName\":\"s\",\"defaultMode\":1000}")
            .expect(V0 + ".secret.defaultMode: Invalid value: 1000: " + FILE_MODE),
        pod("persistentVolumeClaim", "\"persistentVolumeClaim\":{\"claimName\":\"data\",\"readOnly\":true}"),
        pod("persistentVolumeClaim without claimName", "\"persistentVolumeClaim\":{}")
            .expect(V0 + ".persistentVolumeClaim.claimName: Required value"),
        pod("no source", "\"foo\":{}").expect(V0 + ": Required value: must specify a volume type"),
        pod("two sources", "\"emptyDir\":{},\"hostPath\":{\"path\":\"/x\"}")
            .expect(V0 + ".hostPath: Forbidden: may not specify more than 1 volume type"),
        pod("nfs", "\"nfs\":{\"server\":\"nas\",\"path\":\"/exports\"}")
            .expect(V0 + ".nfs: Forbidden: nfs volumes are not supported by Troupe; " + SUPPORTED),
        pod("csi", "\"csi\":{\"driver\":\"ebs.csi.aws.com\"}")
            .expect(V0 + ".csi: Forbidden: csi volumes are not supported by Troupe; " + SUPPORTED),
        pod("awsElasticBlockStore", "\"awsElasticBlockStore\":{\"volumeID\":\"vol-1\"}")
            .expect(V0 + ".awsElasticBlockStore: Forbidden: awsElasticBlockStore volumes are not supported by "
                + "Troupe; " + SUPPORTED),
        pod("ephemeral", "\"ephemeral\":{\"volumeClaimTemplate\":{}}")
            .expect(V0 + ".ephemeral: Forbidden: ephemeral volumes are not supported by Troupe; " + SUPPORTED),
        of("Pod", "volume without name").set("spec.volumes", "[{\"emptyDir\":{}}]")
            .expect(V0 + ".name: Required value"),
        of("Pod", "volume name not a DNS label").set("spec.volumes", "[{\"name\":\"Data\",\"emptyDir\":{}}]")
            .expect(V0 + ".name: Invalid value: \"Data\": " + LABEL),
        of("Pod", "two volumes of one name")
            .set("spec.volumes", "[{\"name\":\"a\",\"emptyDir\":{}},{\"name\":\"a\",\"emptyDir\":{}}]")
            .expect("spec.volumes[1].name: Duplicate value: \"a\""),
        of("Pod", "volumes not a list").set("spec.volumes", "{}")
            .expect("spec.volumes: Invalid value: {}: must be an array"),
        of("Deployment", "a workload template's volumes are checked too")
            .set("spec.template.spec.volumes", "[{\"name\":\"x\",\"gitRepo\":{\"repository\":\"r\"}}]")
            .expect("spec.template.spec.volumes[0].gitRepo: Forbidden: gitRepo volumes are not supported by Troupe; "
                + SUPPORTED));
  }

  static Stream<ValidationCase> downwardAPI() {
    String item = V0 + ".downwardAPI.items[0]";
    return Stream.of(
        pod("downwardAPI", "\"downwardAPI\":{\"items\":["
            + "{\"path\":\"labels\",\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.labels\"}},"
            + "{\"path\":\"app\",\"fieldRef\":{\"fieldPath\":\"metadata.labels['app']\"}},"
            + "{\"path\":\"uid\",\"fieldRef\":{\"fieldPath\":\"metadata.uid\"}},"
            + "{\"path\":\"cpu\",\"resourceFieldRef\":{\"containerName\":\"web\",\"resource\":\"limits.cpu\","
            + "\"divisor\":\"1m\"}}]}"),
        pod("downwardAPI of a field files cannot hold", "\"downwardAPI\":{\"items\":[{\"path\":\"ip\","
                + "\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}]}")
            .expect(item + ".fieldRef.fieldPath: Unsupported value: \"status.podIP\": supported values: "
                + "\"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", "
                + "\"metadata.uid\""),
        pod("downwardAPI label with a bad key", "\"downwardAPI\":{\"items\":[{\"path\":\"a\","
                + "\"fieldRef\":{\"fieldPath\":\"metadata.labels['a b']\"}}]}")
            .expect(item + ".fieldRef: Invalid value: \"a b\": name part " + QUALIFIED_NAME),
        pod("downwardAPI item with neither", "\"downwardAPI\":{\"items\":[{\"path\":\"x\"}]}")
            .expect(item + ": Required value: one of fieldRef and resourceFieldRef is required"),
        pod("downwardAPI item with both", "\"downwardAPI\":{\"items\":[{\"path\":\"x\","
                + "\"fieldRef\":{\"fieldPath\":\"metadata.name\"},"
                + "\"resourceFieldRef\":{\"containerName\":\"web\",\"resource\":\"limits.cpu\"}}]}")
            .expect(item + ": Invalid value: \"resource\": fieldRef and resourceFieldRef can not be specified "
                + "simultaneously"),
        pod("downwardAPI resource without container", "\"downwardAPI\":{\"items\":[{\"path\":\"x\","
                + "\"resourceFieldRef\":{\"resource\":\"limits.memory\"}}]}")
            .expect(item + ".resourceFieldRef.containerName: Required value"),
        pod("downwardAPI resource a node does not write", "\"downwardAPI\":{\"items\":[{\"path\":\"x\","
                + "\"resourceFieldRef\":{\"containerName\":\"web\",\"resource\":\"limits.gpu\"}}]}")
            .expect(item + ".resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: "
                + "\"limits.cpu\", \"limits.memory\", \"requests.cpu\", \"requests.memory\""),
        pod("downwardAPI item without path", "\"downwardAPI\":{\"items\":[{\"fieldRef\":{\"fieldPath\":"
                + "\"metadata.name\"}}]}")
            .expect(item + ".path: Required value"),
        pod("downwardAPI item at an absolute path", "\"downwardAPI\":{\"items\":[{\"path\":\"/name\","
                + "\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}]}")
            .expect(item + ".path: Invalid value: \"/name\": must be a relative path"));
  }

  static Stream<ValidationCase> projected() {
    String sources = V0 + ".projected.sources";
    return Stream.of(
        pod("projected", "\"projected\":{\"defaultMode\":292,\"sources\":["
            + "{\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"a\",\"path\":\"a\"}]}},"
            + "{\"secret\":{\"name\":\"s\",\"items\":[{\"key\":\"b\",\"path\":\"b\"}],\"optional\":true}},"
            + "{\"downwardAPI\":{\"items\":[{\"path\":\"name\",\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}]}}]}"),
        pod("projected secret without name", "\"projected\":{\"sources\":[{\"secret\":{}}]}")
            .expect(sources + "[0].secret.name: Required value"),
        pod("projected configMap with a bad item", "\"projected\":{\"sources\":[{\"configMap\":{\"name\":\"c\","
                + "\"items\":[{\"key\":\"a\",\"path\":\"/a\"}]}}]}")
            .expect(sources + "[0].configMap.items[0].path: Invalid value: \"/a\": must be a relative path"),
        pod("projected downwardAPI of a bad field", "\"projected\":{\"sources\":[{\"downwardAPI\":{\"items\":["
                + "{\"path\":\"n\",\"fieldRef\":{\"fieldPath\":\"spec.nodeName\"}}]}}]}")
            .expect(sources + "[0].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": "
                + "supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", "
                + "\"metadata.namespace\", \"metadata.uid\""),
        pod("projected sources writing one path twice", "\"projected\":{\"sources\":["
                + "{\"configMap\":{\"name\":\"c\",\"items\":[{\"key\":\"a\",\"path\":\"x\"}]}},"
                + "{\"secret\":{\"name\":\"s\",\"items\":[{\"key\":\"b\",\"path\":\"x\"}]}}]}")
            .expect(V0 + ".projected: Invalid value: \"s\": conflicting duplicate paths"),
        pod("projection with two sources", "\"projected\":{\"sources\":[{\"configMap\":{\"name\":\"c\"},"
                + "\"secret\":{\"name\":\"s\"}}]}")
            .expect(sources + "[0]: Forbidden: may not specify more than 1 volume type"),
        pod("projected service account token too short", "\"projected\":{\"sources\":[{\"serviceAccountToken\":"
                + "{\"path\":\"token\",\"expirationSeconds\":60}}]}")
            .expect(sources + "[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a "
                + "duration less than 10 minutes"),
        pod("projected service account token without a path", "\"projected\":{\"sources\":[{"
                + "\"serviceAccountToken\":{\"audience\":\"vault\"}}]}")
            .expect(sources + "[0].serviceAccountToken.path: Required value"),
        pod("projected cluster trust bundle", "\"projected\":{\"sources\":[{\"clusterTrustBundle\":"
                + "{\"path\":\"b\"}}]}")
            .expect(sources + "[0].clusterTrustBundle: Forbidden: clusterTrustBundle projections are not "
                + "supported by Troupe; supported sources: configMap, downwardAPI, secret, serviceAccountToken"),
        pod("projected with a bad default mode", "\"projected\":{\"defaultMode\":4095,\"sources\":[]}")
            .expect(V0 + ".projected.defaultMode: Invalid value: 4095: " + FILE_MODE));
  }

  static Stream<ValidationCase> volumeMounts() {
    return Stream.of(
        mounted("mount with all the options", "\"emptyDir\":{}")
            .set("spec.containers[0].volumeMounts", "[{\"name\":\"data\",\"mountPath\":\"/data\",\"readOnly\":true,"
                + "\"subPath\":\"logs/web\",\"mountPropagation\":\"HostToContainer\"}]"),
        mounted("init container mount", "\"emptyDir\":{}").set("spec.initContainers",
            "[{\"name\":\"init\",\"image\":\"busybox\",\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/d\"}]}]"),
        mounted("mount of a missing volume", "\"emptyDir\":{}").set(M0 + ".name", "\"logs\"")
            .expect(M0 + ".name: Not found: \"logs\""),
        mounted("init container mount of a missing volume", "\"emptyDir\":{}").set("spec.initContainers",
                "[{\"name\":\"init\",\"image\":\"busybox\",\"volumeMounts\":[{\"name\":\"x\",\"mountPath\":\"/d\"}]}]")
            .expect("spec.initContainers[0].volumeMounts[0].name: Not found: \"x\""),
        mounted("mount without name", "\"emptyDir\":{}").remove(M0 + ".name")
            .expect(M0 + ".name: Required value", M0 + ".name: Not found: \"\""),
        mounted("mount without mountPath", "\"emptyDir\":{}").remove(M0 + ".mountPath")
            .expect(M0 + ".mountPath: Required value"),
        mounted("two mounts at one path", "\"emptyDir\":{}").set("spec.containers[0].volumeMounts[1]",
                "{\"name\":\"data\",\"mountPath\":\"/data\",\"readOnly\":true}")
            .expect("spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique"),
        mounted("absolute subPath", "\"emptyDir\":{}").set(M0 + ".subPath", "\"/etc\"")
            .expect(M0 + ".subPath: Invalid value: \"/etc\": must be a relative path"),
        mounted("subPath with ..", "\"emptyDir\":{}").set(M0 + ".subPath", "\"a/../../b\"")
            .expect(M0 + ".subPath: Invalid value: \"a/../../b\": must not contain '..'"),
        mounted("subPath and subPathExpr", "\"emptyDir\":{}").set(M0 + ".subPath", "\"a\"")
            .set(M0 + ".subPathExpr", "\"$(POD_NAME)\"")
            .expect(M0 + ".subPathExpr: Invalid value: \"$(POD_NAME)\": subPathExpr and subPath are mutually "
                + "exclusive"),
        mounted("readOnly not a boolean", "\"emptyDir\":{}").set(M0 + ".readOnly", "\"true\"")
            .expect(M0 + ".readOnly: Invalid value: \"true\": must be a boolean"),
        mounted("unknown mount propagation", "\"emptyDir\":{}").set(M0 + ".mountPropagation", "\"Shared\"")
            .expect(M0 + ".mountPropagation: Unsupported value: \"Shared\": supported values: \"Bidirectional\", "
                + "\"HostToContainer\", \"None\""),
        mounted("bidirectional propagation, unprivileged", "\"emptyDir\":{}").set(M0 + ".mountPropagation",
                "\"Bidirectional\"")
            .expect(M0 + ".mountPropagation: Forbidden: Bidirectional mount propagation is available only to "
                + "privileged containers"),
        mounted("bidirectional propagation, privileged", "\"emptyDir\":{}").set(M0 + ".mountPropagation",
            "\"Bidirectional\"").set("spec.containers[0].securityContext", "{\"privileged\":true}"),
        pod("a volume need not be mounted", "\"emptyDir\":{}"),
        mounted("mount of an invalid volume", "\"hostPath\":{}")
            .expect(V0 + ".hostPath.path: Required value", M0 + ".name: Not found: \"data\""),
        pod("raw block device", "\"persistentVolumeClaim\":{\"claimName\":\"c\"}")
            .set("spec.containers[0].volumeDevices", "[{\"name\":\"data\",\"devicePath\":\"/dev/xvda\"}]")
            .expect("spec.containers[0].volumeDevices: Forbidden: raw block devices are not supported by Troupe: "
                + "a node cannot provide them"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"volumes", "downwardAPI", "projected", "volumeMounts"})
  void validatesVolumes(ValidationCase row) {
    row.check();
  }
}
