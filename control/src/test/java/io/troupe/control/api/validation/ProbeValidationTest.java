package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.PORT_RANGE;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Probes, as Kubernetes validates them once its defaults are filled, plus the two rules of Troupe's node agent. */
class ProbeValidationTest {
  private static final String C = "spec.containers[0]";
  private static final String LIVE = C + ".livenessProbe";
  private static final String READY = C + ".readinessProbe";
  private static final String START = C + ".startupProbe";

  static Stream<ValidationCase> handlers() {
    return Stream.of(
        of("Pod", "exec").set(LIVE, "{\"exec\":{\"command\":[\"cat\",\"/tmp/healthy\"]}}"),
        of("Pod", "httpGet by number").set(READY, "{\"httpGet\":{\"path\":\"/ready\",\"port\":8080}}"),
        of("Pod", "httpGet by the name of a container port").set(READY, "{\"httpGet\":{\"port\":\"http\"}}"),
        of("Pod", "tcpSocket by name").set(START, "{\"tcpSocket\":{\"port\":\"http\"}}"),
        of("Pod", "HTTPS").set(LIVE, "{\"httpGet\":{\"port\":443,\"scheme\":\"HTTPS\"}}"),
        of("Pod", "headers").set(LIVE,
            "{\"httpGet\":{\"port\":80,\"httpHeaders\":[{\"name\":\"X-Probe\",\"value\":\"1\"}]}}"),
        of("Pod", "no handler").set(LIVE, "{\"periodSeconds\":5}")
            .expect(LIVE + ": Required value: must specify a handler type"),
        of("Pod", "two handlers").set(LIVE, "{\"exec\":{\"command\":[\"true\"]},\"tcpSocket\":{\"port\":80}}")
            .expect(LIVE + ".tcpSocket: Forbidden: may not specify more than 1 handler type"),
        of("Pod", "grpc is not run by the node agent").set(LIVE, "{\"grpc\":{\"port\":9000}}")
            .expect(LIVE + ".grpc: Forbidden: " + ProbeValidation.GRPC_UNSUPPORTED),
        of("Pod", "exec without command").set(LIVE, "{\"exec\":{}}")
            .expect(LIVE + ".exec.command: Required value"),
        of("Pod", "exec with an empty command").set(LIVE, "{\"exec\":{\"command\":[]}}")
            .expect(LIVE + ".exec.command: Required value"),
        of("Pod", "httpGet without port").set(LIVE, "{\"httpGet\":{\"path\":\"/\"}}")
            .expect(LIVE + ".httpGet.port: Invalid value: 0: " + PORT_RANGE),
        of("Pod", "port out of range").set(LIVE, "{\"tcpSocket\":{\"port\":70000}}")
            .expect(LIVE + ".tcpSocket.port: Invalid value: 70000: " + PORT_RANGE),
        of("Pod", "port name that no container port has").set(LIVE, "{\"tcpSocket\":{\"port\":\"metrics\"}}")
            .expect(LIVE + ".tcpSocket.port: Invalid value: \"metrics\": " + ProbeValidation.UNKNOWN_PORT_NAME),
        of("Pod", "port name with bad syntax").set(LIVE, "{\"httpGet\":{\"port\":\"HTTP\"}}")
            .expect(LIVE + ".httpGet.port: Invalid value: \"HTTP\": must contain only alpha-numeric characters "
                    + "(a-z, 0-9), and hyphens (-)",
                LIVE + ".httpGet.port: Invalid value: \"HTTP\": must contain at least one letter (a-z)"),
        of("Pod", "port as a string of digits").set(LIVE, "{\"httpGet\":{\"port\":\"8080\"}}")
            .expect(LIVE + ".httpGet.port: Invalid value: \"8080\": must contain at least one letter (a-z)"),
        of("Pod", "unknown scheme").set(LIVE, "{\"httpGet\":{\"port\":80,\"scheme\":\"FTP\"}}")
            .expect(LIVE + ".httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\""),
        of("Pod", "bad header name").set(LIVE,
                "{\"httpGet\":{\"port\":80,\"httpHeaders\":[{\"name\":\"X Probe\",\"value\":\"1\"}]}}")
            .expect(LIVE + ".httpGet.httpHeaders: Invalid value: \"X Probe\": a valid HTTP header must consist of "
                + "alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is "
                + "'[-A-Za-z0-9]+')"),
        of("Pod", "probe not an object").set(LIVE, "\"tcp:80\"")
            .expect(LIVE + ": Invalid value: \"tcp:80\": must be an object"));
  }

  static Stream<ValidationCase> timings() {
    String tcp = "\"tcpSocket\":{\"port\":80}";
    return Stream.of(
        of("Pod", "all timings").set(LIVE, "{" + tcp + ",\"initialDelaySeconds\":0,\"timeoutSeconds\":1,"
            + "\"periodSeconds\":1,\"successThreshold\":1,\"failureThreshold\":1,\"terminationGracePeriodSeconds\":5}"),
        of("Pod", "zero means the default").set(LIVE, "{" + tcp + ",\"timeoutSeconds\":0,\"periodSeconds\":0,"
            + "\"successThreshold\":0,\"failureThreshold\":0}"),
        of("Pod", "negative timings").set(READY, "{" + tcp + ",\"initialDelaySeconds\":-1,\"timeoutSeconds\":-1,"
                + "\"periodSeconds\":-1,\"successThreshold\":-1,\"failureThreshold\":-1}")
            .expect(READY + ".initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0",
                READY + ".timeoutSeconds: Invalid value: -1: must be greater than or equal to 0",
                READY + ".periodSeconds: Invalid value: -1: must be greater than or equal to 0",
                READY + ".successThreshold: Invalid value: -1: must be greater than or equal to 0",
                READY + ".failureThreshold: Invalid value: -1: must be greater than or equal to 0"),
        of("Pod", "readiness may need several successes").set(READY, "{" + tcp + ",\"successThreshold\":3}"),
        of("Pod", "liveness needs one success").set(LIVE, "{" + tcp + ",\"successThreshold\":2}")
            .expect(LIVE + ".successThreshold: Invalid value: 2: must be 1"),
        of("Pod", "startup needs one success").set(START, "{" + tcp + ",\"successThreshold\":3}")
            .expect(START + ".successThreshold: Invalid value: 3: must be 1"),
        of("Pod", "probe grace of zero").set(LIVE, "{" + tcp + ",\"terminationGracePeriodSeconds\":0}")
            .expect(LIVE + ".terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"),
        of("Pod", "readiness has no grace").set(READY, "{" + tcp + ",\"terminationGracePeriodSeconds\":5}")
            .expect(READY + ".terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"),
        of("Pod", "timing not a number").set(LIVE, "{" + tcp + ",\"periodSeconds\":\"10s\"}")
            .expect(LIVE + ".periodSeconds: Invalid value: \"10s\": must be an integer"));
  }

  static Stream<ValidationCase> initContainers() {
    String init = "spec.initContainers[0]";
    String probe = "{\"exec\":{\"command\":[\"true\"]}}";
    return Stream.of(
        of("Pod", "init container with a probe").set("spec.initContainers", "[{\"name\":\"setup\",\"image\":\"x\"}]")
            .set(init + ".readinessProbe", probe)
            .expect(init + ".readinessProbe: Forbidden: may not be set for init containers without "
                + "restartPolicy=Always"),
        of("Pod", "sidecar with probes").set("spec.initContainers",
                "[{\"name\":\"proxy\",\"image\":\"x\",\"restartPolicy\":\"Always\"}]")
            .set(init + ".startupProbe", probe).set(init + ".livenessProbe", probe),
        of("Pod", "init container restarting on failure").set("spec.initContainers",
                "[{\"name\":\"setup\",\"image\":\"x\",\"restartPolicy\":\"OnFailure\"}]")
            .expect(init + ".restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
        of("Pod", "restart policy on a regular container").set(C + ".restartPolicy", "\"Always\"")
            .expect(C + ".restartPolicy: Forbidden: may not be set for non-init containers"),
        of("Pod", "init container validated like a container").set("spec.initContainers",
                "[{\"name\":\"Setup\",\"image\":\"x\",\"env\":[{\"name\":\"A\",\"valueFrom\":{}}]}]")
            .expect("spec.initContainers[0].name: Invalid value: \"Setup\": " + ValidationCase.LABEL,
                "spec.initContainers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, "
                    + "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
        of("Deployment", "probes in a template").set("spec.template.spec.containers[0].livenessProbe",
                "{\"httpGet\":{\"port\":\"admin\"}}")
            .expect("spec.template.spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"admin\": "
                + ProbeValidation.UNKNOWN_PORT_NAME));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"handlers", "timings", "initContainers"})
  void validatesProbes(ValidationCase row) {
    row.check();
  }
}
