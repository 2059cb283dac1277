package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.DNS1035;
import static io.troupe.control.api.validation.ValidationCase.LABEL;
import static io.troupe.control.api.validation.ValidationCase.LABEL_VALUE;
import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataValidationTest {

  private static final String LONG_LABEL = "a".repeat(64);
  private static final String SUBDOMAIN_253 = ("a".repeat(63) + ".").repeat(3) + "a".repeat(61);
  private static final String SUBDOMAIN_254 = SUBDOMAIN_253 + "a";

  static Stream<ValidationCase> names() {
    return Stream.of(
        of("Pod", "subdomain name with dots is valid").set("metadata.name", "\"web.v1-2\""),
        of("Pod", "uppercase name").set("metadata.name", "\"Web\"")
            .expect("metadata.name: Invalid value: \"Web\": " + SUBDOMAIN),
        of("Pod", "underscore in name").set("metadata.name", "\"web_1\"")
            .expect("metadata.name: Invalid value: \"web_1\": " + SUBDOMAIN),
        of("Pod", "name ending in dash").set("metadata.name", "\"web-\"")
            .expect("metadata.name: Invalid value: \"web-\": " + SUBDOMAIN),
        of("Pod", "name of 253 characters is valid").set("metadata.name", "\"" + SUBDOMAIN_253 + "\""),
        of("Pod", "name of 254 characters").set("metadata.name", "\"" + SUBDOMAIN_254 + "\"")
            .expect("metadata.name: Invalid value: \"" + SUBDOMAIN_254 + "\": must be no more than 253 characters"),
        of("Pod", "missing name").remove("metadata.name")
            .expect("metadata.name: Required value: name or generateName is required"),
        of("Pod", "empty name").set("metadata.name", "\"\"")
            .expect("metadata.name: Required value: name or generateName is required"),
        of("Pod", "missing metadata").remove("metadata")
            .expect("metadata.name: Required value: name or generateName is required"),
        of("Pod", "generateName instead of name").remove("metadata.name").set("metadata.generateName", "\"web-\""),
        of("Pod", "generateName without trailing dash").remove("metadata.name").set("metadata.generateName", "\"web\""),
        of("Pod", "generateName with uppercase").remove("metadata.name").set("metadata.generateName", "\"Web-\"")
            .expect("metadata.generateName: Invalid value: \"Web-\": " + SUBDOMAIN),
        of("Pod", "generateName ending in dot").remove("metadata.name").set("metadata.generateName", "\"web.\"")
            .expect("metadata.generateName: Invalid value: \"web.\": " + SUBDOMAIN),
        of("Pod", "name as a number").set("metadata.name", "42")
            .expect("metadata.name: Invalid value: 42: must be a string",
                "metadata.name: Required value: name or generateName is required"),
        of("Namespace", "namespace name is a label").set("metadata.name", "\"team-a\""),
        of("Namespace", "namespace name with dot").set("metadata.name", "\"team.a\"")
            .expect("metadata.name: Invalid value: \"team.a\": " + LABEL),
        of("Namespace", "namespace name too long").set("metadata.name", "\"" + LONG_LABEL + "\"")
            .expect("metadata.name: Invalid value: \"" + LONG_LABEL + "\": must be no more than 63 characters"),
        of("Namespace", "namespace generateName is a label prefix").remove("metadata.name")
            .set("metadata.generateName", "\"team-\""),
        of("Service", "service name starting with a digit")
            .set("metadata.name", "\"1web\"").expect("metadata.name: Invalid value: \"1web\": " + DNS1035),
        of("Service", "service name with dot")
            .set("metadata.name", "\"web.a\"").expect("metadata.name: Invalid value: \"web.a\": " + DNS1035),
        of("Node", "node name is a subdomain").set("metadata.name", "\"ip-10-0-0-1.ec2.internal\""),
        of("Node", "node name with uppercase").set("metadata.name", "\"Node1\"")
            .expect("metadata.name: Invalid value: \"Node1\": " + SUBDOMAIN),
        of("ConfigMap", "configmap name with dots").set("metadata.name", "\"app.config\""),
        of("Endpoints", "endpoints name").set("metadata.name", "\"Web\"")
            .expect("metadata.name: Invalid value: \"Web\": " + SUBDOMAIN),
        of("Event", "event name with dots is valid").set("metadata.name", "\"web-1.17c3a\""),
        of("ClusterRole", "RBAC names may contain colons and capitals").set("metadata.name", "\"system:Admin\""),
        of("ClusterRole", "RBAC name with slash and percent").set("metadata.name", "\"a/b%c\"")
            .expect("metadata.name: Invalid value: \"a/b%c\": may not contain '/'",
                "metadata.name: Invalid value: \"a/b%c\": may not contain '%'"),
        of("ClusterRole", "RBAC name ..").set("metadata.name", "\"..\"")
            .expect("metadata.name: Invalid value: \"..\": may not be '..'"),
        of("ClusterRole", "no namespace on a ClusterRole").set("metadata.namespace", "\"default\"")
            .expect("metadata.namespace: Forbidden: not allowed on this type"),
        of("ResourceQuota", "quota name with space").set("metadata.name", "\"my quota\"")
            .expect("metadata.name: Invalid value: \"my quota\": " + SUBDOMAIN));
  }

  static Stream<ValidationCase> namespacesAndTypes() {
    return Stream.of(
        of("Pod", "no namespace: taken from the request path").remove("metadata.namespace"),
        of("Pod", "invalid namespace").set("metadata.namespace", "\"Default\"")
            .expect("metadata.namespace: Invalid value: \"Default\": " + LABEL),
        of("Node", "namespace on a cluster-scoped kind").set("metadata.namespace", "\"default\"")
            .expect("metadata.namespace: Forbidden: not allowed on this type"),
        of("Namespace", "empty namespace on a cluster-scoped kind").set("metadata.namespace", "\"\""),
        of("Pod", "missing kind").remove("kind").expect("kind: Required value"),
        of("Pod", "missing apiVersion").remove("apiVersion").expect("apiVersion: Required value"),
        of("Pod", "metadata not an object").set("metadata", "[]")
            .expect("metadata: Invalid value: []: must be an object",
                "metadata.name: Required value: name or generateName is required"));
  }

  static Stream<ValidationCase> labelsAndAnnotations() {
    return Stream.of(
        of("Pod", "prefixed label key").set("metadata.labels", "{\"app.kubernetes.io/name\":\"web\",\"v\":\"\"}"),
        of("Pod", "label key with space").set("metadata.labels", "{\"my app\":\"web\"}")
            .expect("metadata.labels: Invalid value: \"my app\": name part " + QUALIFIED_NAME),
        of("Pod", "label key with uppercase prefix").set("metadata.labels", "{\"Example.com/app\":\"web\"}")
            .expect("metadata.labels: Invalid value: \"Example.com/app\": prefix part " + SUBDOMAIN),
        of("Pod", "label key with empty name").set("metadata.labels", "{\"example.com/\":\"web\"}")
            .expect("metadata.labels: Invalid value: \"example.com/\": name part must be non-empty",
                "metadata.labels: Invalid value: \"example.com/\": name part " + QUALIFIED_NAME),
        of("Pod", "label key with two slashes").set("metadata.labels", "{\"a/b/c\":\"web\"}")
            .expect("metadata.labels: Invalid value: \"a/b/c\": a qualified name " + QUALIFIED_NAME
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
        of("Pod", "label key name too long").set("metadata.labels", "{\"" + LONG_LABEL + "\":\"x\"}")
            .expect("metadata.labels: Invalid value: \"" + LONG_LABEL + "\": name part must be no more than 63 "
                + "characters"),
        of("Pod", "label value with space").set("metadata.labels", "{\"app\":\"my web\"}")
            .expect("metadata.labels: Invalid value: \"my web\": " + LABEL_VALUE),
        of("Pod", "label value too long").set("metadata.labels", "{\"app\":\"" + LONG_LABEL + "\"}")
            .expect("metadata.labels: Invalid value: \"" + LONG_LABEL + "\": must be no more than 63 characters"),
        of("Pod", "label value not a string").set("metadata.labels", "{\"replicas\":3}")
            .expect("metadata.labels[replicas]: Invalid value: 3: must be a string"),
        of("Pod", "annotation keys ignore case").set("metadata.annotations", "{\"Example.com/Note\":\"any text at all\"}"),
        of("Pod", "annotation key with space").set("metadata.annotations", "{\"my note\":\"x\"}")
            .expect("metadata.annotations: Invalid value: \"my note\": name part " + QUALIFIED_NAME),
        of("Pod", "annotations at the size limit")
            .set("metadata.annotations", "{\"a\":\"" + "x".repeat(256 * 1024 - 1) + "\"}"),
        of("Pod", "annotations over the size limit")
            .set("metadata.annotations", "{\"a\":\"" + "x".repeat(256 * 1024) + "\"}")
            .expect("metadata.annotations: Too long: may not be more than 262144 bytes"));
  }

  static Stream<ValidationCase> ownersAndFinalizers() {
    String owner = "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web\",\"uid\":\"u1\","
        + "\"controller\":true}";
    String other = "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web2\",\"uid\":\"u2\","
        + "\"controller\":true}";
    return Stream.of(
        of("Pod", "one controller owner").set("metadata.ownerReferences", "[" + owner + "]"),
        of("Pod", "two controller owners").set("metadata.ownerReferences", "[" + owner + "," + other + "]")
            .expect("metadata.ownerReferences: Invalid value: [" + owner + "," + other + "]: Only one reference "
                + "can have Controller set to true. Found \"true\" in references for ReplicaSet/web and "
                + "ReplicaSet/web2"),
        of("Pod", "owner without uid and version").set("metadata.ownerReferences",
                "[{\"apiVersion\":\"apps/\",\"kind\":\"ReplicaSet\",\"name\":\"web\"}]")
            .expect("metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty",
                "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty"),
        of("Pod", "qualified finalizer").set("metadata.finalizers", "[\"example.com/cleanup\",\"orphan\"]"),
        of("Pod", "finalizer with space").set("metadata.finalizers", "[\"clean up\"]")
            .expect("metadata.finalizers: Invalid value: \"clean up\": name part " + QUALIFIED_NAME));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"names", "namespacesAndTypes", "labelsAndAnnotations", "ownersAndFinalizers"})
  void validatesMetadata(ValidationCase row) {
    row.check();
  }
}
