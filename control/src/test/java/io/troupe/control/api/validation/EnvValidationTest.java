package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Environment variables from the Downward API, ConfigMaps and Secrets, as Kubernetes validates them. */
class EnvValidationTest {
  private static final String ENV = "spec.containers[0].env";
  private static final String FROM = ENV + "[0].valueFrom";
  private static final String ONE_OF = "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
      + "`secretKeyRef`";

  private static ValidationCase from(String description, String valueFrom) {
    return of("Pod", description).set(ENV, "[{\"name\":\"V\",\"valueFrom\":" + valueFrom + "}]");
  }

  private static ValidationCase fieldPath(String path) {
    return from("fieldRef " + path, "{\"fieldRef\":{\"fieldPath\":\"" + path + "\"}}");
  }

  static Stream<ValidationCase> fieldRefs() {
    return Stream.of(
        fieldPath("metadata.name"),
        fieldPath("metadata.namespace"),
        fieldPath("metadata.uid"),
        fieldPath("metadata.labels['app']"),
        fieldPath("metadata.annotations['example.com/Owner']"),
        fieldPath("spec.nodeName"),
        fieldPath("spec.serviceAccountName"),
        fieldPath("status.podIP"),
        fieldPath("status.podIPs"),
        fieldPath("status.hostIP"),
        fieldPath("status.hostIPs"),
        from("fieldRef with apiVersion v1", "{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.name\"}}"),
        fieldPath("status.phase").expect(FROM + ".fieldRef.fieldPath: Unsupported value: \"status.phase\": "
            + "supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
            + "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", "
            + "\"status.podIPs\""),
        fieldPath("metadata.labels").expect(FROM + ".fieldRef.fieldPath: Unsupported value: \"metadata.labels\": "
            + "supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
            + "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", "
            + "\"status.podIPs\""),
        fieldPath("spec.containers").expect(FROM + ".fieldRef.fieldPath: Invalid value: \"spec.containers\": "
            + "error converting fieldPath: field label not supported: spec.containers"),
        fieldPath("spec.nodeSelector['zone']").expect(FROM + ".fieldRef.fieldPath: Invalid value: "
            + "\"spec.nodeSelector['zone']\": error converting fieldPath: field label does not support subscript: "
            + "spec.nodeSelector['zone']"),
        fieldPath("metadata.labels['-bad-']").expect(FROM + ".fieldRef: Invalid value: \"-bad-\": name part "
            + QUALIFIED_NAME),
        fieldPath("").expect(FROM + ".fieldRef.fieldPath: Required value"),
        from("fieldRef of another version", "{\"fieldRef\":{\"apiVersion\":\"v2\",\"fieldPath\":\"metadata.name\"}}")
            .expect(FROM + ".fieldRef.fieldPath: Invalid value: \"metadata.name\": error converting fieldPath: "
                + "unsupported pod version: v2"));
  }

  static Stream<ValidationCase> otherSources() {
    return Stream.of(
        from("resourceFieldRef", "{\"resourceFieldRef\":{\"resource\":\"limits.memory\"}}"),
        from("hugepages", "{\"resourceFieldRef\":{\"resource\":\"requests.hugepages-2Mi\"}}"),
        from("unknown resource", "{\"resourceFieldRef\":{\"resource\":\"limits.gpu\"}}")
            .expect(FROM + ".resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: "
                + "\"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", "
                + "\"requests.ephemeral-storage\", \"requests.memory\""),
        from("resource missing", "{\"resourceFieldRef\":{}}")
            .expect(FROM + ".resourceFieldRef.resource: Required value"),
        from("configMapKeyRef", "{\"configMapKeyRef\":{\"name\":\"settings\",\"key\":\"LOG_LEVEL\"}}"),
        from("secretKeyRef", "{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\",\"optional\":true}}"),
        from("key missing", "{\"secretKeyRef\":{\"name\":\"db\"}}")
            .expect(FROM + ".secretKeyRef.key: Required value"),
        from("bad key", "{\"configMapKeyRef\":{\"name\":\"settings\",\"key\":\"a/b\"}}")
            .expect(FROM + ".configMapKeyRef.key: Invalid value: \"a/b\": a valid config key must consist of "
                + "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
                + "used for validation is '[-._a-zA-Z0-9]+')"),
        from("bad name", "{\"configMapKeyRef\":{\"name\":\"Settings\",\"key\":\"k\"}}")
            .expect(FROM + ".configMapKeyRef.name: Invalid value: \"Settings\": " + SUBDOMAIN),
        from("no source", "{}").expect(FROM + ": Invalid value: \"\": " + ONE_OF),
        from("two sources", "{\"fieldRef\":{\"fieldPath\":\"metadata.name\"},"
                + "\"secretKeyRef\":{\"name\":\"db\",\"key\":\"k\"}}")
            .expect(FROM + ": Invalid value: \"\": may not have more than one field specified at a time"),
        of("Pod", "a value and a source").set(ENV,
                "[{\"name\":\"V\",\"value\":\"x\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}]")
            .expect(FROM + ": Invalid value: \"\": may not be specified when `value` is not empty"),
        of("Pod", "plain value").set(ENV, "[{\"name\":\"V\",\"value\":\"x\"}]"),
        of("Pod", "valueFrom not an object").set(ENV, "[{\"name\":\"V\",\"valueFrom\":\"metadata.name\"}]")
            .expect(FROM + ": Invalid value: \"metadata.name\": must be an object"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"fieldRefs", "otherSources"})
  void validatesEnv(ValidationCase row) {
    row.check();
  }
}
