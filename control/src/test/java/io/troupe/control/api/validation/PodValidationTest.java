package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.LABEL;
import static io.troupe.control.api.validation.ValidationCase.LABEL_VALUE;
import static io.troupe.control.api.validation.ValidationCase.PORT_RANGE;
import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PodValidationTest {

  private static final String SIDECAR = "{\"name\":\"log\",\"image\":\"busybox\"}";

  static Stream<ValidationCase> containers() {
    return Stream.of(
        of("Pod", "valid pod"),
        of("Pod", "two containers").set("spec.containers[1]", SIDECAR),
        of("Pod", "no containers").set("spec.containers", "[]").expect("spec.containers: Required value"),
        of("Pod", "containers missing").remove("spec.containers").expect("spec.containers: Required value"),
        of("Pod", "spec missing").remove("spec").expect("spec.containers: Required value"),
        of("Pod", "container without name").remove("spec.containers[0].name")
            .expect("spec.containers[0].name: Required value"),
        of("Pod", "container name uppercase").set("spec.containers[0].name", "\"Web\"")
            .expect("spec.containers[0].name: Invalid value: \"Web\": " + LABEL),
        of("Pod", "container name with dot").set("spec.containers[0].name", "\"web.1\"")
            .expect("spec.containers[0].name: Invalid value: \"web.1\": " + LABEL),
        of("Pod", "duplicate container names").set("spec.containers[1]", "{\"name\":\"web\",\"image\":\"x\"}")
            .expect("spec.containers[1].name: Duplicate value: \"web\""),
        of("Pod", "init container named like a container")
            .set("spec.initContainers", "[{\"name\":\"web\",\"image\":\"busybox\"}]")
            .expect("spec.initContainers[0].name: Duplicate value: \"web\""),
        of("Pod", "init container with its own name")
            .set("spec.initContainers", "[{\"name\":\"setup\",\"image\":\"busybox\"}]"),
        of("Pod", "init container without image").set("spec.initContainers", "[{\"name\":\"setup\"}]")
            .expect("spec.initContainers[0].image: Required value"),
        of("Pod", "container without image").remove("spec.containers[0].image")
            .expect("spec.containers[0].image: Required value"),
        of("Pod", "image with trailing space").set("spec.containers[0].image", "\"nginx \"")
            .expect("spec.containers[0].image: Invalid value: \"nginx \": must not have leading or trailing "
                + "whitespace"),
        of("Pod", "container not an object").set("spec.containers[0]", "\"nginx\"")
            .expect("spec.containers[0]: Invalid value: \"nginx\": must be an object"),
        of("Pod", "pull policy").set("spec.containers[0].imagePullPolicy", "\"IfNotPresent\""),
        of("Pod", "unknown pull policy").set("spec.containers[0].imagePullPolicy", "\"Sometimes\"")
            .expect("spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: "
                + "\"Always\", \"IfNotPresent\", \"Never\""),
        of("Pod", "env var without name").set("spec.containers[0].env", "[{\"value\":\"1\"}]")
            .expect("spec.containers[0].env[0].name: Required value"));
  }

  static Stream<ValidationCase> ports() {
    String port = "spec.containers[0].ports[0]";
    return Stream.of(
        of("Pod", "port 65535").set(port + ".containerPort", "65535"),
        of("Pod", "port 1").set(port + ".containerPort", "1"),
        of("Pod", "port 0").set(port + ".containerPort", "0").expect(port + ".containerPort: Required value"),
        of("Pod", "port missing").remove(port + ".containerPort").expect(port + ".containerPort: Required value"),
        of("Pod", "port 65536").set(port + ".containerPort", "65536")
            .expect(port + ".containerPort: Invalid value: 65536: " + PORT_RANGE),
        of("Pod", "negative port").set(port + ".containerPort", "-1")
            .expect(port + ".containerPort: Invalid value: -1: " + PORT_RANGE),
        of("Pod", "port as a string").set(port + ".containerPort", "\"80\"")
            .expect(port + ".containerPort: Invalid value: \"80\": must be an integer"),
        of("Pod", "host port out of range").set(port + ".hostPort", "70000")
            .expect(port + ".hostPort: Invalid value: 70000: " + PORT_RANGE),
        of("Pod", "UDP port").set(port + ".protocol", "\"UDP\""),
        of("Pod", "protocol defaults").remove(port + ".protocol"),
        of("Pod", "unknown protocol").set(port + ".protocol", "\"HTTP\"")
            .expect(port + ".protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
        of("Pod", "bad port name").set(port + ".name", "\"HTTP\"")
            .expect(port + ".name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), "
                    + "and hyphens (-)",
                port + ".name: Invalid value: \"HTTP\": must contain at least one letter (a-z)"),
        of("Pod", "duplicate port names")
            .set("spec.containers[0].ports[1]", "{\"name\":\"http\",\"containerPort\":81}")
            .expect("spec.containers[0].ports[1].name: Duplicate value: \"http\""));
  }

  static Stream<ValidationCase> podFields() {
    return Stream.of(
        of("Pod", "OnFailure").set("spec.restartPolicy", "\"OnFailure\""),
        of("Pod", "Never").set("spec.restartPolicy", "\"Never\""),
        of("Pod", "restart policy defaults").remove("spec.restartPolicy"),
        of("Pod", "unknown restart policy").set("spec.restartPolicy", "\"Sometimes\"")
            .expect("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
                + "\"OnFailure\", \"Never\""),
        of("Pod", "empty restart policy").set("spec.restartPolicy", "\"\"")
            .expect("spec.restartPolicy: Required value"),
        of("Pod", "deadline").set("spec.activeDeadlineSeconds", "30"),
        of("Pod", "zero deadline").set("spec.activeDeadlineSeconds", "0")
            .expect("spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
        of("Pod", "negative grace period").set("spec.terminationGracePeriodSeconds", "-1")
            .expect("spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"),
        of("Pod", "node name").set("spec.nodeName", "\"node-1.example.com\""),
        of("Pod", "bad node name").set("spec.nodeName", "\"Node_1\"")
            .expect("spec.nodeName: Invalid value: \"Node_1\": " + SUBDOMAIN),
        of("Pod", "node selector").set("spec.nodeSelector", "{\"disktype\":\"ssd\"}"),
        of("Pod", "bad node selector value").set("spec.nodeSelector", "{\"disktype\":\"s s d\"}")
            .expect("spec.nodeSelector: Invalid value: \"s s d\": " + LABEL_VALUE),
        of("Pod", "tolerations").set("spec.tolerations",
            "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},{\"operator\":\"Exists\"},"
                + "{\"key\":\"zone\",\"operator\":\"Equal\",\"value\":\"a\",\"effect\":\"NoExecute\","
                + "\"tolerationSeconds\":30}]"),
        of("Pod", "toleration with unknown effect").set("spec.tolerations",
                "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"Never\"}]")
            .expect("spec.tolerations[0].effect: Unsupported value: \"Never\": supported values: \"NoExecute\", "
                + "\"NoSchedule\", \"PreferNoSchedule\""),
        of("Pod", "toleration with unknown operator").set("spec.tolerations",
                "[{\"key\":\"gpu\",\"operator\":\"In\"}]")
            .expect("spec.tolerations[0].operator: Unsupported value: \"In\": supported values: \"Equal\", "
                + "\"Exists\""),
        of("Pod", "toleration with empty key must be Exists").set("spec.tolerations",
                "[{\"operator\":\"Equal\",\"value\":\"a\"}]")
            .expect("spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is "
                + "empty, which means \"match all values and all keys\""),
        of("Pod", "Exists toleration with value").set("spec.tolerations",
                "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"value\":\"a\"}]")
            .expect("spec.tolerations[0].operator: Invalid value: {\"key\":\"gpu\",\"operator\":\"Exists\","
                + "\"value\":\"a\"}: value must be empty when `operator` is 'Exists'"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"containers", "ports", "podFields"})
  void validatesPods(ValidationCase row) {
    row.check();
  }
}
