package io.troupe.control.api.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceTypes;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a created pod reads back with, as Kubernetes' SetDefaults_* fill it: one field per row. */
class PodDefaultsTest {
  private static final String POD = """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
       "spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"name":"http","containerPort":80}],
         "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}],
         "livenessProbe":{"httpGet":{"port":"http"}},
         "readinessProbe":{"tcpSocket":{"port":80},"periodSeconds":5,"timeoutSeconds":0},
         "startupProbe":{"exec":{"command":["true"]},"failureThreshold":30},
         "lifecycle":{"preStop":{"httpGet":{"port":80,"path":""}}}}],
        "initContainers":[{"name":"setup","image":"busybox"}],
        "volumes":[{"name":"cache"},{"name":"conf","configMap":{"name":"web-config"}},
          {"name":"info","downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}},
          {"name":"all","projected":{"sources":[{"downwardAPI":{"items":[{"path":"ns",
            "fieldRef":{"fieldPath":"metadata.namespace"}}]}}]}}]}}""";

  static Stream<Arguments> defaults() {
    String c = "spec.containers.0.";
    return Stream.of(
        Arguments.of("spec.restartPolicy", "Always"),
        Arguments.of("spec.terminationGracePeriodSeconds", "30"),
        Arguments.of("spec.dnsPolicy", "ClusterFirst"),
        Arguments.of(c + "imagePullPolicy", "IfNotPresent"),
        Arguments.of("spec.initContainers.0.imagePullPolicy", "Always"),
        Arguments.of(c + "terminationMessagePolicy", "File"),
        Arguments.of(c + "ports.0.protocol", "TCP"),
        Arguments.of(c + "env.0.valueFrom.fieldRef.apiVersion", "v1"),
        Arguments.of(c + "livenessProbe.httpGet.path", "/"),
        Arguments.of(c + "livenessProbe.httpGet.scheme", "HTTP"),
        Arguments.of(c + "livenessProbe.timeoutSeconds", "1"),
        Arguments.of(c + "livenessProbe.periodSeconds", "10"),
        Arguments.of(c + "livenessProbe.successThreshold", "1"),
        Arguments.of(c + "livenessProbe.failureThreshold", "3"),
        Arguments.of(c + "readinessProbe.periodSeconds", "5"),
        Arguments.of(c + "readinessProbe.timeoutSeconds", "1"),
        Arguments.of(c + "startupProbe.failureThreshold", "30"),
        Arguments.of(c + "startupProbe.periodSeconds", "10"),
        Arguments.of(c + "lifecycle.preStop.httpGet.path", "/"),
        Arguments.of(c + "lifecycle.preStop.httpGet.scheme", "HTTP"),
        Arguments.of("spec.volumes.1.configMap.defaultMode", "420"),
        Arguments.of("spec.volumes.2.downwardAPI.defaultMode", "420"),
        Arguments.of("spec.volumes.2.downwardAPI.items.0.fieldRef.apiVersion", "v1"),
        Arguments.of("spec.volumes.3.projected.defaultMode", "420"),
        Arguments.of("spec.volumes.3.projected.sources.0.downwardAPI.items.0.fieldRef.apiVersion", "v1"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("defaults")
  void aCreatedPodGetsKubernetesDefaults(String path, String expected) throws IOException {
    KubeObject pod = Admission.forCreate(ResourceTypes.POD, "default", (ObjectNode) Json.MAPPER.readTree(POD));
    assertEquals(expected, at(pod.toTree(), path), path);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("defaults")
  void aDeploymentTemplateGetsTheSameDefaults(String path, String expected) throws IOException {
    ObjectNode template = (ObjectNode) Json.MAPPER.readTree(POD);
    ObjectNode deployment = Json.object();
    deployment.put("apiVersion", "apps/v1");
    deployment.put("kind", "Deployment");
    deployment.putObject("metadata").put("name", "web");
    ObjectNode spec = deployment.putObject("spec");
    spec.putObject("selector").putObject("matchLabels").put("app", "web");
    ObjectNode t = spec.putObject("template");
    t.putObject("metadata").putObject("labels").put("app", "web");
    t.set("spec", template.get("spec"));
    KubeObject created = Admission.forCreate(ResourceTypes.DEPLOYMENT, "default", deployment);
    assertEquals(expected, at(created.toTree().path("spec").path("template"), path), path);
  }

  @org.junit.jupiter.api.Test
  void aVolumeWithNothingButANameIsAnEmptyDir() throws IOException {
    KubeObject pod = Admission.forCreate(ResourceTypes.POD, "default", (ObjectNode) Json.MAPPER.readTree(POD));
    assertEquals("{}", pod.toTree().path("spec").path("volumes").path(0).path("emptyDir").toString());
  }

  @org.junit.jupiter.api.Test
  void aPodStoredBeforeADefaultExistedCanStillBeUpdated() throws IOException {
    // as the store may hold it from before probes were defaulted: no timeoutSeconds, periodSeconds...
    ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(POD);
    ((ObjectNode) stored.path("metadata")).put("namespace", "default").put("uid", "u-1");
    KubeObject current = KubeObject.fromTree(stored);
    ObjectNode relabelled = stored.deepCopy();
    ((ObjectNode) relabelled.path("metadata")).putObject("labels").put("tier", "front");
    KubeObject updated = Admission.forUpdate(ResourceTypes.POD, "default", "web", relabelled, current);
    assertEquals("front", updated.metadata().labels().get("tier"));
    assertEquals("10", at(updated.toTree(), "spec.containers.0.livenessProbe.periodSeconds"));
  }

  /** The text at a dotted path whose numeric parts are array indexes. */
  private static String at(JsonNode root, String path) {
    JsonNode node = root;
    for (String part : path.split("\\.")) {
      node = part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
    }
    return node.asText();
  }
}
