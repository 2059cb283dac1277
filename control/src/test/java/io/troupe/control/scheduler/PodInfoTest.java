package io.troupe.control.scheduler;

import static io.troupe.control.scheduler.Manifests.object;
import static io.troupe.control.scheduler.Manifests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.selector.LabelSelector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodInfoTest {

  private static final long MI = 1024L * 1024;

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("one container", """
            containers:
            - {name: a, resources: {requests: {cpu: 250m, memory: 64Mi}}}
            """, new Resources(250, 64 * MI, 1), new Resources(250, 64 * MI, 1)),
        Arguments.of("containers are summed", """
            containers:
            - {name: a, resources: {requests: {cpu: 250m, memory: 64Mi}}}
            - {name: b, resources: {requests: {cpu: "1", memory: 1Gi}}}
            """, new Resources(1250, 1088 * MI, 1), new Resources(1250, 1088 * MI, 1)),
        Arguments.of("no requests: zero, but scored as 100m and 200Mi per container", """
            containers: [{name: a}, {name: b}]
            """, new Resources(0, 0, 1), new Resources(200, 400 * MI, 1)),
        Arguments.of("explicit zero stays zero when scoring", """
            containers: [{name: a, resources: {requests: {cpu: "0", memory: "0"}}}]
            """, new Resources(0, 0, 1), new Resources(0, 0, 1)),
        Arguments.of("a limit without a request is the request", """
            containers: [{name: a, resources: {limits: {cpu: 500m, memory: 128Mi}}}]
            """, new Resources(500, 128 * MI, 1), new Resources(500, 128 * MI, 1)),
        Arguments.of("a request wins over its limit", """
            containers: [{name: a, resources: {requests: {cpu: 100m}, limits: {cpu: "2", memory: 1Gi}}}]
            """, new Resources(100, 1024 * MI, 1), new Resources(100, 1024 * MI, 1)),
        Arguments.of("numbers as YAML numbers", """
            containers: [{name: a, resources: {requests: {cpu: 2, memory: 1e3}}}]
            """, new Resources(2000, 1000, 1), new Resources(2000, 1000, 1)),
        Arguments.of("a larger init container sets the request", """
            initContainers: [{name: init, resources: {requests: {cpu: "2", memory: 10Mi}}}]
            containers: [{name: a, resources: {requests: {cpu: 500m, memory: 1Gi}}}]
            """, new Resources(2000, 1024 * MI, 1), new Resources(2000, 1024 * MI, 1)),
        Arguments.of("init containers run one at a time: the largest counts, not the sum", """
            initContainers:
            - {name: i1, resources: {requests: {cpu: "1"}}}
            - {name: i2, resources: {requests: {cpu: "1"}}}
            containers: [{name: a, resources: {requests: {cpu: 500m}}}]
            """, new Resources(1000, 0, 1), new Resources(1000, 200 * MI, 1)),
        Arguments.of("a sidecar runs beside the containers and later init containers", """
            initContainers:
            - {name: proxy, restartPolicy: Always, resources: {requests: {cpu: 200m, memory: 100Mi}}}
            - {name: migrate, resources: {requests: {cpu: "1", memory: 50Mi}}}
            containers: [{name: a, resources: {requests: {cpu: 500m, memory: 1Gi}}}]
            """, new Resources(1200, 1124 * MI, 1), new Resources(1200, 1124 * MI, 1)),
        Arguments.of("overhead is added", """
            overhead: {cpu: 250m, memory: 120Mi}
            containers: [{name: a, resources: {requests: {cpu: 500m, memory: 1Gi}}}]
            """, new Resources(750, 1144 * MI, 1), new Resources(750, 1144 * MI, 1)),
        Arguments.of("no containers", "{}", new Resources(0, 0, 1), new Resources(0, 0, 1)),
        Arguments.of("containers not a list (validation's business): nothing counted", """
            containers: {name: a, resources: {requests: {cpu: "1"}}}
            """, new Resources(0, 0, 1), new Resources(0, 0, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void requests(String description, String spec, Resources requests, Resources nonZeroRequests) {
    PodInfo pod = pod("metadata: {name: p, namespace: default}\nspec:\n" + spec.indent(2));
    assertEquals(requests, pod.requests(), "requests");
    assertEquals(nonZeroRequests, pod.nonZeroRequests(), "non-zero requests");
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("""
            containers: [{name: a, resources: {requests: {cpu: lots}}}]""",
            "spec.containers[0].resources.requests.cpu: invalid quantity \"lots\""),
        Arguments.of("""
            initContainers: [{name: a, resources: {limits: {memory: 1GB}}}]""",
            "spec.initContainers[0].resources.limits.memory: invalid quantity \"1GB\""),
        Arguments.of("""
            affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
              {matchExpressions: [{key: cores, operator: Gt, values: [many]}]}]}}}""",
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                + ".matchExpressions[0]: key cores: Gt needs a single integer value"),
        Arguments.of("""
            affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
              {matchExpressions: [{key: disk, operator: Like, values: [ssd]}]}]}}}""",
            "\"Like\" is not a valid node selector operator"),
        Arguments.of("""
            affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [
              {labelSelector: {matchExpressions: [{key: app, operator: In}]}, topologyKey: zone}]}}""",
            "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]: "),
        Arguments.of("""
            affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [
              {labelSelector: {matchLabels: {app: web}}}]}}""",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]: topologyKey is required"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource
  void malformed(String spec, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> pod("metadata: {name: p}\nspec:\n" + spec.indent(2)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void readsTheSchedulingFieldsOfAPod() {
    PodInfo pod = pod("""
        metadata:
          name: web-1
          namespace: shop
          uid: u-1
          labels: {app: web}
          ownerReferences:
          - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9, uid: rs-1, controller: true}
          - {apiVersion: v1, kind: ConfigMap, name: settings, uid: cm-1}
        spec:
          nodeSelector: {disktype: ssd}
          tolerations:
          - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
          - {operator: Exists}
          - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions: [{key: cores, operator: Gt, values: ["4"]}]
                  matchFields: [{key: metadata.name, operator: NotIn, values: [n9]}]
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 20
                preference: {matchExpressions: [{key: zone, operator: In, values: [a, b]}]}
            podAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - labelSelector: {matchLabels: {app: cache}}
                topologyKey: topology.kubernetes.io/zone
            podAntiAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - labelSelector: {matchLabels: {app: web}}
                namespaces: [shop, other]
                topologyKey: kubernetes.io/hostname
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 50
                podAffinityTerm:
                  labelSelector: {matchLabels: {app: web}}
                  namespaceSelector: {}
                  topologyKey: topology.kubernetes.io/zone
          containers: [{name: web, image: nginx}]
        """);
    assertEquals("shop", pod.namespace());
    assertEquals("web-1", pod.name());
    assertEquals("u-1", pod.uid());
    assertEquals(Map.of("app", "web"), pod.labels());
    assertEquals(Map.of("disktype", "ssd"), pod.nodeSelector());
    assertEquals("rs-1", pod.ownerUid());
    assertEquals("ReplicaSet", pod.owner().kind());
    assertNull(pod.nodeName());
    assertEquals(List.of(
        new Toleration("dedicated", "Equal", "web", "NoSchedule", null),
        new Toleration("", "Exists", "", "", null),
        new Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300L)), pod.tolerations());

    NodeSelectorTerm required = pod.requiredNodeAffinity().nodeSelectorTerms().get(0);
    assertEquals(new NodeSelectorRequirement("cores", NodeSelectorRequirement.Operator.GT, List.of("4")),
        required.matchExpressions().get(0));
    assertEquals(new NodeSelectorRequirement("metadata.name", NodeSelectorRequirement.Operator.NOT_IN,
        List.of("n9")), required.matchFields().get(0));
    assertEquals(20, pod.preferredNodeAffinity().get(0).weight());

    PodAffinityTerm affinity = pod.requiredAffinityTerms().get(0);
    assertEquals(Set.of("shop"), affinity.namespaces(), "no namespaces: the pod's own");
    assertEquals(LabelSelector.nothing(), affinity.namespaceSelector());
    assertEquals("topology.kubernetes.io/zone", affinity.topologyKey());
    assertEquals(Set.of("shop", "other"), pod.requiredAntiAffinityTerms().get(0).namespaces());
    WeightedPodAffinityTerm preferred = pod.preferredAntiAffinityTerms().get(0);
    assertEquals(50, preferred.weight());
    assertEquals(Set.of(), preferred.podAffinityTerm().namespaces(), "a namespace selector replaces the default");
    assertTrue(preferred.podAffinityTerm().namespaceSelector().isEverything());
    assertTrue(pod.hasPodAffinity());
    assertTrue(pod.hasRequiredAntiAffinity());
  }

  @Test
  void aPodWithoutSchedulingFields() {
    PodInfo pod = pod("metadata: {name: p}\nspec: {containers: [{name: a}]}");
    assertEquals(PodInfo.DEFAULT_NAMESPACE, pod.namespace());
    assertTrue(pod.nodeSelector().isEmpty());
    assertNull(pod.requiredNodeAffinity());
    assertTrue(pod.tolerations().isEmpty());
    assertNull(pod.owner());
    assertFalse(pod.hasPodAffinity());
  }

  @Test
  void aBoundPodKnowsItsNode() {
    PodInfo pod = pod("metadata: {name: p}\nspec: {nodeName: n1, containers: [{name: a}]}");
    assertEquals("n1", pod.nodeName());
    assertEquals("n2", pod.withNodeName("n2").nodeName());
  }

  @Test
  void finishedPodsAreTerminal() {
    assertTrue(PodInfo.isTerminal(object("Pod", "metadata: {name: p}\nstatus: {phase: Succeeded}")));
    assertTrue(PodInfo.isTerminal(object("Pod", "metadata: {name: p}\nstatus: {phase: Failed}")));
    assertFalse(PodInfo.isTerminal(object("Pod", "metadata: {name: p}\nstatus: {phase: Running}")));
    assertFalse(PodInfo.isTerminal(object("Pod", "metadata: {name: p}")));
  }
}
