package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.CONFIG_KEY;
import static io.troupe.control.api.validation.ValidationCase.DNS1035;
import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtherKindsValidationTest {

  private static final String PATH0 = "spec.rules[0].http.paths[0]";

  static Stream<ValidationCase> configMaps() {
    return Stream.of(
        of("ConfigMap", "valid"),
        of("ConfigMap", "no data").remove("data"),
        of("ConfigMap", "key with slash").set("data", "{\"conf/app\":\"x\"}")
            .expect("data[conf/app]: Invalid value: \"conf/app\": " + CONFIG_KEY),
        of("ConfigMap", "key with space").set("data", "{\"my key\":\"x\"}")
            .expect("data[my key]: Invalid value: \"my key\": " + CONFIG_KEY),
        of("ConfigMap", "key of 253 characters").set("data", "{\"" + "k".repeat(253) + "\":\"x\"}"),
        of("ConfigMap", "key of 254 characters").set("data", "{\"" + "k".repeat(254) + "\":\"x\"}")
            .expect("data[" + "k".repeat(254) + "]: Invalid value: \"" + "k".repeat(254)
                + "\": must be no more than 253 characters"),
        of("ConfigMap", "key starting with ..").set("data", "{\"..data\":\"x\"}")
            .expect("data[..data]: Invalid value: \"..data\": must not start with '..'"),
        of("ConfigMap", "key in data and binaryData").set("binaryData", "{\"LOG_LEVEL\":\"aW5mbw==\"}")
            .expect("data[LOG_LEVEL]: Invalid value: \"LOG_LEVEL\": duplicate of key present in binaryData"),
        of("ConfigMap", "bad binaryData key").set("binaryData", "{\"a b\":\"aW5mbw==\"}")
            .expect("binaryData[a b]: Invalid value: \"a b\": " + CONFIG_KEY),
        of("ConfigMap", "data value not a string").set("data", "{\"replicas\":3}")
            .expect("data[replicas]: Invalid value: 3: must be a string"),
        of("ConfigMap", "data over 1 MiB").set("data", "{\"a\":\"" + "x".repeat(1024 * 1024 + 1) + "\"}")
            .expect("data: Too long: may not be more than 1048576 bytes"));
  }

  static Stream<ValidationCase> metadataOnlyKinds() {
    return Stream.of(
        of("Namespace", "valid"),
        of("Node", "valid"),
        of("Endpoints", "valid"),
        of("Event", "valid"),
        of("ResourceQuota", "valid"),
        of("Endpoints", "spec contents are not checked").set("subsets", "[{\"ports\":[{\"port\":0}]}]"),
        of("Event", "missing name").remove("metadata.name")
            .expect("metadata.name: Required value: name or generateName is required"),
        of("ResourceQuota", "bad label").set("metadata.labels", "{\"a b\":\"c\"}")
            .expect("metadata.labels: Invalid value: \"a b\": name part " + QUALIFIED_NAME));
  }

  static Stream<ValidationCase> ingresses() {
    return Stream.of(
        of("Ingress", "valid"),
        of("Ingress", "default backend only").remove("spec.rules")
            .set("spec.defaultBackend", "{\"service\":{\"name\":\"web\",\"port\":{\"name\":\"http\"}}}"),
        of("Ingress", "neither rules nor default backend").remove("spec.rules")
            .expect("spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"),
        of("Ingress", "path without backend").remove(PATH0 + ".backend")
            .expect(PATH0 + ".backend: Required value"),
        of("Ingress", "empty backend").set(PATH0 + ".backend", "{}")
            .expect(PATH0 + ".backend: Invalid value: \"\": resource or service backend is required"),
        of("Ingress", "resource backend").set(PATH0 + ".backend",
            "{\"resource\":{\"apiGroup\":\"example.com\",\"kind\":\"Bucket\",\"name\":\"static\"}}"),
        of("Ingress", "resource backend without name").set(PATH0 + ".backend",
                "{\"resource\":{\"kind\":\"Bucket\"}}")
            .expect(PATH0 + ".backend.resource.name: Required value"),
        of("Ingress", "both backends").set(PATH0 + ".backend",
                "{\"resource\":{\"kind\":\"Bucket\",\"name\":\"b\"},\"service\":{\"name\":\"web\","
                    + "\"port\":{\"number\":80}}}")
            .expect(PATH0 + ".backend: Invalid value: \"\": cannot set both resource and service backends"),
        of("Ingress", "service backend without name").remove(PATH0 + ".backend.service.name")
            .expect(PATH0 + ".backend.service.name: Required value"),
        of("Ingress", "service backend with bad name").set(PATH0 + ".backend.service.name", "\"1web\"")
            .expect(PATH0 + ".backend.service.name: Invalid value: \"1web\": " + DNS1035),
        of("Ingress", "service backend without port").remove(PATH0 + ".backend.service.port")
            .expect(PATH0 + ".backend: Required value: port name or number is required"),
        of("Ingress", "port name and number").set(PATH0 + ".backend.service.port",
                "{\"name\":\"http\",\"number\":80}")
            .expect(PATH0 + ".backend: Invalid value: \"\": cannot set both port name & port number"),
        of("Ingress", "port number 0 counts as unset").set(PATH0 + ".backend.service.port.number", "0")
            .expect(PATH0 + ".backend: Required value: port name or number is required"),
        of("Ingress", "port number too high").set(PATH0 + ".backend.service.port.number", "70000")
            .expect(PATH0 + ".backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, "
                + "inclusive"),
        of("Ingress", "missing pathType").remove(PATH0 + ".pathType")
            .expect(PATH0 + ".pathType: Required value: pathType must be specified"),
        of("Ingress", "unknown pathType").set(PATH0 + ".pathType", "\"Regex\"")
            .expect(PATH0 + ".pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
                + "\"ImplementationSpecific\", \"Prefix\""),
        of("Ingress", "relative path").set(PATH0 + ".path", "\"api\"")
            .expect(PATH0 + ".path: Invalid value: \"api\": must be an absolute path"),
        of("Ingress", "implementation-specific empty path").set(PATH0 + ".pathType", "\"ImplementationSpecific\"")
            .remove(PATH0 + ".path"),
        of("Ingress", "http without paths").set("spec.rules[0].http.paths", "[]")
            .expect("spec.rules[0].http.paths: Required value"),
        of("Ingress", "wildcard host").set("spec.rules[0].host", "\"*.example.com\""),
        of("Ingress", "bad host").set("spec.rules[0].host", "\"Web.example.com\"")
            .expect("spec.rules[0].host: Invalid value: \"Web.example.com\": " + ValidationCase.SUBDOMAIN),
        of("Ingress", "IP address as host").set("spec.rules[0].host", "\"10.0.0.1\"")
            .expect("spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"),
        of("Ingress", "path with //").set(PATH0 + ".path", "\"/a//b\"")
            .expect(PATH0 + ".path: Invalid value: \"/a//b\": must not contain '//'"),
        of("Ingress", "path ending in /..").set(PATH0 + ".path", "\"/a/..\"")
            .expect(PATH0 + ".path: Invalid value: \"/a/..\": cannot end with '/..'"),
        of("Ingress", "encoded slash in an Exact path").set(PATH0 + ".pathType", "\"Exact\"")
            .set(PATH0 + ".path", "\"/a%2Fb\"")
            .expect(PATH0 + ".path: Invalid value: \"/a%2Fb\": must not contain '%2F'"),
        of("Ingress", "anything goes for ImplementationSpecific").set(PATH0 + ".pathType",
            "\"ImplementationSpecific\"").set(PATH0 + ".path", "\"/a//b\""),
        of("Ingress", "class name").set("spec.ingressClassName", "\"troupe\""),
        of("Ingress", "bad class name").set("spec.ingressClassName", "\"Troupe\"")
            .expect("spec.ingressClassName: Invalid value: \"Troupe\": " + ValidationCase.SUBDOMAIN),
        of("Ingress", "tls").set("spec.tls", "[{\"hosts\":[\"web.example.com\",\"*.example.com\"],"
            + "\"secretName\":\"web-tls\"}]"),
        of("Ingress", "tls without hosts nor secret").set("spec.tls", "[{}]"),
        of("Ingress", "tls with a bad host").set("spec.tls", "[{\"hosts\":[\"Web.example.com\"]}]")
            .expect("spec.tls[0].hosts[0]: Invalid value: \"Web.example.com\": " + ValidationCase.SUBDOMAIN),
        of("Ingress", "tls with a bad secret name").set("spec.tls", "[{\"secretName\":\"Web_TLS\"}]")
            .expect("spec.tls[0].secretName: Invalid value: \"Web_TLS\": " + ValidationCase.SUBDOMAIN));
  }

  static final String INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

  static Stream<ValidationCase> networkPolicies() {
    return Stream.of(
        of("NetworkPolicy", "valid"),
        of("NetworkPolicy", "empty pod selector selects all pods").set("spec.podSelector", "{}"),
        of("NetworkPolicy", "missing pod selector").remove("spec.podSelector")
            .expect("spec.podSelector: Required value"),
        of("NetworkPolicy", "missing spec").remove("spec").expect("spec.podSelector: Required value"),
        of("NetworkPolicy", "bad pod selector").set("spec.podSelector",
                "{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\"}]}")
            .expect("spec.podSelector.matchExpressions[0].values: Required value: must be specified when "
                + "`operator` is 'In' or 'NotIn'"),
        of("NetworkPolicy", "unknown policy type").set("spec.policyTypes", "[\"Ingress\",\"Sideways\"]")
            .expect("spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", "
                + "\"Egress\""),
        of("NetworkPolicy", "peer without selector").set("spec.ingress[0].from[0]", "{}")
            .expect("spec.ingress[0].from[0]: Required value: must specify a peer"),
        of("NetworkPolicy", "egress to an IP block").set("spec.egress", "[{\"to\":[{\"ipBlock\":{\"cidr\":"
            + "\"10.0.0.0/8\"}}]}]"),
        of("NetworkPolicy", "bad namespace selector").set("spec.egress",
                "[{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"team\":\"a b\"}}}]}]")
            .expect("spec.egress[0].to[0].namespaceSelector.matchLabels: Invalid value: \"a b\": "
                + ValidationCase.LABEL_VALUE),
        of("NetworkPolicy", "bad port protocol").set("spec.ingress[0].ports[0].protocol", "\"ICMP\"")
            .expect("spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", "
                + "\"TCP\", \"UDP\""),
        of("NetworkPolicy", "ipBlock with except").set("spec.ingress[0].from[0]",
            "{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\",\"except\":[\"10.1.0.0/16\",\"10.2.3.4/32\"]}}"),
        of("NetworkPolicy", "IPv6 ipBlock").set("spec.ingress[0].from[0]",
            "{\"ipBlock\":{\"cidr\":\"2001:db8::/64\",\"except\":[\"2001:db8::/96\"]}}"),
        of("NetworkPolicy", "ipBlock CIDR").set("spec.ingress[0].from[0]", "{\"ipBlock\":{\"cidr\":\"10.0.0.0/33\"}}")
            .expect("spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": " + INVALID_CIDR),
        of("NetworkPolicy", "ipBlock without a prefix").set("spec.egress", "[{\"to\":[{\"ipBlock\":{\"cidr\":"
            + "\"10.0.0.1\"}}]}]")
            .expect("spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0.1\": " + INVALID_CIDR),
        of("NetworkPolicy", "except outside the CIDR").set("spec.ingress[0].from[0]",
                "{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\",\"except\":[\"192.168.0.0/16\"]}}")
            .expect("spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/16\": must be a strict "
                + "subset of `cidr`"),
        of("NetworkPolicy", "except the whole CIDR").set("spec.ingress[0].from[0]",
                "{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\",\"except\":[\"10.0.0.0/8\"]}}")
            .expect("spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/8\": must be a strict "
                + "subset of `cidr`"),
        of("NetworkPolicy", "ipBlock with a selector").set("spec.ingress[0].from[0]",
                "{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\"},\"podSelector\":{}}")
            .expect("spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"),
        of("NetworkPolicy", "named port").set("spec.ingress[0].ports[0]", "{\"port\":\"http\"}"),
        of("NetworkPolicy", "port range").set("spec.ingress[0].ports[0]", "{\"port\":32000,\"endPort\":32768}"),
        of("NetworkPolicy", "protocol only").set("spec.ingress[0].ports[0]", "{\"protocol\":\"UDP\"}"),
        of("NetworkPolicy", "port 0").set("spec.ingress[0].ports[0].port", "0")
            .expect("spec.ingress[0].ports[0].port: Invalid value: 0: " + ValidationCase.PORT_RANGE),
        of("NetworkPolicy", "endPort below port").set("spec.ingress[0].ports[0]", "{\"port\":80,\"endPort\":70}")
            .expect("spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`"),
        of("NetworkPolicy", "endPort after a name").set("spec.ingress[0].ports[0]",
                "{\"port\":\"http\",\"endPort\":90}")
            .expect("spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is "
                + "non-numeric"),
        of("NetworkPolicy", "endPort without port").set("spec.ingress[0].ports[0]", "{\"endPort\":90}")
            .expect("spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not "
                + "specified"),
        of("NetworkPolicy", "bad port name").set("spec.ingress[0].ports[0].port", "\"web-server-port-1\"")
            .expect("spec.ingress[0].ports[0].port: Invalid value: \"web-server-port-1\": must be no more than 15 "
                + "characters"),
        of("NetworkPolicy", "three policy types").set("spec.policyTypes", "[\"Ingress\",\"Egress\",\"Ingress\"]")
            .expect("spec.policyTypes: Invalid value: [\"Ingress\",\"Egress\",\"Ingress\"]: may not specify more "
                + "than two policyTypes"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"configMaps", "metadataOnlyKinds", "ingresses", "networkPolicies"})
  void validatesOtherKinds(ValidationCase row) {
    row.check();
  }
}
