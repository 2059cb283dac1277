package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.LABEL;
import static io.troupe.control.api.validation.ValidationCase.LABEL_VALUE;
import static io.troupe.control.api.validation.ValidationCase.PORT_RANGE;
import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceValidationTest {

  private static final String TWO_PORTS = "[{\"name\":\"http\",\"port\":80},{\"name\":\"https\",\"port\":443}]";

  static Stream<ValidationCase> services() {
    return Stream.of(
        of("Service", "valid"),
        of("Service", "type defaults to ClusterIP").remove("spec.type"),
        of("Service", "NodePort").set("spec.type", "\"NodePort\"").set("spec.ports[0].nodePort", "30080"),
        of("Service", "LoadBalancer").set("spec.type", "\"LoadBalancer\""),
        of("Service", "unknown type").set("spec.type", "\"Magic\"")
            .expect("spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", "
                + "\"LoadBalancer\", \"NodePort\""),
        of("Service", "no ports").set("spec.ports", "[]").expect("spec.ports: Required value"),
        of("Service", "no ports on NodePort").set("spec.type", "\"NodePort\"").remove("spec.ports")
            .expect("spec.ports: Required value"),
        of("Service", "headless without ports").set("spec.clusterIP", "\"None\"").remove("spec.ports"),
        of("Service", "ExternalName").set("spec.type", "\"ExternalName\"").remove("spec.ports")
            .set("spec.externalName", "\"db.example.com.\""),
        of("Service", "ExternalName without a name").set("spec.type", "\"ExternalName\"").remove("spec.ports")
            .expect("spec.externalName: Required value"),
        of("Service", "ExternalName with a bad name").set("spec.type", "\"ExternalName\"").remove("spec.ports")
            .set("spec.externalName", "\"DB_host\"")
            .expect("spec.externalName: Invalid value: \"DB_host\": " + SUBDOMAIN),
        of("Service", "port 0").set("spec.ports[0].port", "0")
            .expect("spec.ports[0].port: Invalid value: 0: " + PORT_RANGE),
        of("Service", "port missing").remove("spec.ports[0].port")
            .expect("spec.ports[0].port: Invalid value: 0: " + PORT_RANGE),
        of("Service", "port 65536").set("spec.ports[0].port", "65536")
            .expect("spec.ports[0].port: Invalid value: 65536: " + PORT_RANGE),
        of("Service", "UDP").set("spec.ports[0].protocol", "\"UDP\""),
        of("Service", "SCTP").set("spec.ports[0].protocol", "\"SCTP\""),
        of("Service", "unknown protocol").set("spec.ports[0].protocol", "\"ICMP\"")
            .expect("spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", "
                + "\"UDP\""),
        of("Service", "two named ports").set("spec.ports", TWO_PORTS),
        of("Service", "two ports, one unnamed").set("spec.ports", "[{\"name\":\"http\",\"port\":80},{\"port\":443}]")
            .expect("spec.ports[1].name: Required value"),
        of("Service", "one port may be unnamed").set("spec.ports", "[{\"port\":80}]"),
        of("Service", "duplicate port names")
            .set("spec.ports", "[{\"name\":\"http\",\"port\":80},{\"name\":\"http\",\"port\":81}]")
            .expect("spec.ports[1].name: Duplicate value: \"http\""),
        of("Service", "bad port name").set("spec.ports[0].name", "\"HTTP\"")
            .expect("spec.ports[0].name: Invalid value: \"HTTP\": " + LABEL),
        of("Service", "same port twice")
            .set("spec.ports", "[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":80}]")
            .expect("spec.ports[1]: Duplicate value: {\"port\":80,\"protocol\":\"TCP\"}"),
        of("Service", "same port, other protocol")
            .set("spec.ports", "[{\"name\":\"a\",\"port\":53},{\"name\":\"b\",\"port\":53,\"protocol\":\"UDP\"}]"),
        // the configured node-port range is the allocator's to enforce (ServiceAddressesTest); validation wants a port
        of("Service", "node port outside the default range").set("spec.type", "\"NodePort\"")
            .set("spec.ports[0].nodePort", "8080"),
        of("Service", "node port not a port").set("spec.type", "\"LoadBalancer\"")
            .set("spec.ports[0].nodePort", "65536")
            .expect("spec.ports[0].nodePort: Invalid value: 65536: " + PORT_RANGE),
        of("Service", "node port at the edges").set("spec.type", "\"NodePort\"")
            .set("spec.ports", "[{\"name\":\"a\",\"port\":80,\"nodePort\":30000},"
                + "{\"name\":\"b\",\"port\":81,\"nodePort\":32767}]"),
        of("Service", "node port on ClusterIP").set("spec.ports[0].nodePort", "30080")
            .expect("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
        of("Service", "duplicate node port").set("spec.type", "\"NodePort\"")
            .set("spec.ports", "[{\"name\":\"a\",\"port\":80,\"nodePort\":30080},"
                + "{\"name\":\"b\",\"port\":81,\"nodePort\":30080}]")
            .expect("spec.ports[1].nodePort: Duplicate value: 30080"),
        of("Service", "named target port").set("spec.ports[0].targetPort", "\"http\""),
        of("Service", "bad target port number").set("spec.ports[0].targetPort", "70000")
            .expect("spec.ports[0].targetPort: Invalid value: 70000: " + PORT_RANGE),
        of("Service", "bad target port name").set("spec.ports[0].targetPort", "\"http--web\"")
            .expect("spec.ports[0].targetPort: Invalid value: \"http--web\": must not contain consecutive "
                + "hyphens"),
        of("Service", "bad selector").set("spec.selector", "{\"app\":\"web!\"}")
            .expect("spec.selector: Invalid value: \"web!\": " + LABEL_VALUE),
        of("Service", "unknown session affinity").set("spec.sessionAffinity", "\"Cookie\"")
            .expect("spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", "
                + "\"None\""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("services")
  void validatesServices(ValidationCase row) {
    row.check();
  }
}
