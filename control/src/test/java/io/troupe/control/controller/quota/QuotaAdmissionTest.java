package io.troupe.control.controller.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuotaAdmissionTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, quotas, existing, candidate, expected message (null: allowed)
        Arguments.of("pods under the limit", List.of(quota("q", "pods", "4")), pods(3, "100m", "64Mi"),
            pod("new", "100m", "64Mi"), null),
        Arguments.of("pods at the limit", List.of(quota("q", "pods", "4")), pods(4, "100m", "64Mi"),
            pod("new", "100m", "64Mi"), "exceeded quota: q, requested: pods=1, used: pods=4, limited: pods=4"),
        Arguments.of("terminal and deleting pods do not count", List.of(quota("q", "pods", "2")),
            List.of(pod("a", "1", "1Gi"), pod("b", "1", "1Gi").phase("Succeeded"), pod("c", "1", "1Gi").phase("Failed"),
                pod("d", "1", "1Gi").deleting()),
            pod("new", "1", "1Gi"), null),
        Arguments.of("count/pods", List.of(quota("q", "count/pods", "1")), pods(1, "1", "1Gi"),
            pod("new", "1", "1Gi"), "exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1"),
        Arguments.of("the example: pods and requests.cpu", List.of(quota("compute", "pods", "4", "requests.cpu", "2")),
            pods(4, "500m", "64Mi"), pod("new", "500m", "64Mi"),
            "exceeded quota: compute, requested: pods=1,requests.cpu=500m, used: pods=4,requests.cpu=2, limited: pods=4,requests.cpu=2"),
        Arguments.of("only the exceeded resources are listed", List.of(quota("compute", "pods", "10", "requests.cpu", "2")),
            pods(4, "500m", "64Mi"), pod("new", "500m", "64Mi"),
            "exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2"),
        Arguments.of("requests.cpu fits exactly", List.of(quota("q", "requests.cpu", "2500m")), pods(4, "500m", "64Mi"),
            pod("new", "0.5", "64Mi"), null),
        Arguments.of("requests.memory in binary units", List.of(quota("mem", "requests.memory", "1Gi")),
            pods(7, "100m", "128Mi"), pod("new", "100m", "256Mi"),
            "exceeded quota: mem, requested: requests.memory=256Mi, used: requests.memory=896Mi, limited: requests.memory=1Gi"),
        Arguments.of("cpu and memory mean requests", List.of(quota("q", "cpu", "1", "memory", "1Gi")),
            pods(2, "400m", "512Mi"), pod("new", "300m", "1Mi"),
            "exceeded quota: q, requested: cpu=300m,memory=1Mi, used: cpu=800m,memory=1Gi, limited: cpu=1,memory=1Gi"),
        Arguments.of("limits.cpu and limits.memory", List.of(quota("lim", "limits.cpu", "2", "limits.memory", "1536Mi")),
            List.of(pod("a", "1", "1Gi").limits("1500m", "1Gi")), pod("new", "500m", "512Mi").limits("1", "1Gi"),
            "exceeded quota: lim, requested: limits.cpu=1,limits.memory=1Gi, used: limits.cpu=1500m,limits.memory=1Gi, limited: limits.cpu=2,limits.memory=1536Mi"),
        Arguments.of("requests default to limits", List.of(quota("q", "requests.cpu", "1")), List.of(),
            pod("new", null, null).limits("2", "1Gi"),
            "exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1"),
        Arguments.of("two containers sum, the larger init container wins",
            List.of(quota("q", "requests.cpu", "1")), List.of(),
            pod("new", "300m", "1Mi").container("300m", "1Mi").initContainer("1200m", "1Mi"),
            "exceeded quota: q, requested: requests.cpu=1200m, used: requests.cpu=0, limited: requests.cpu=1"),
        Arguments.of("compute quota without a request: must specify", List.of(quota("compute", "requests.cpu", "4",
            "limits.memory", "4Gi")), List.of(), pod("new", null, "64Mi"),
            "failed quota: compute: must specify limits.memory for: c0; requests.cpu for: c0"),
        Arguments.of("several quotas: the first by name that is exceeded",
            List.of(quota("b-pods", "pods", "1"), quota("a-cpu", "requests.cpu", "10"), quota("c-mem", "requests.memory", "1Mi")),
            pods(1, "1", "1Gi"), pod("new", "1", "1Gi"),
            "exceeded quota: b-pods, requested: pods=1, used: pods=1, limited: pods=1"),
        Arguments.of("several quotas, all fit", List.of(quota("a", "pods", "5"), quota("b", "requests.memory", "8Gi")),
            pods(2, "1", "1Gi"), pod("new", "1", "1Gi"), null),
        Arguments.of("a quota on other resources does not apply",
            List.of(quota("cm", "configmaps", "0", "count/deployments.apps", "0")), pods(5, "1", "1Gi"),
            pod("new", "1", "1Gi"), null),
        Arguments.of("configmaps (legacy name)", List.of(quota("objects", "configmaps", "2")),
            List.of(object("v1", "ConfigMap", "a"), object("v1", "ConfigMap", "b")), object("v1", "ConfigMap", "c"),
            "exceeded quota: objects, requested: configmaps=1, used: configmaps=2, limited: configmaps=2"),
        Arguments.of("count/configmaps", List.of(quota("objects", "count/configmaps", "3")),
            List.of(object("v1", "ConfigMap", "a"), object("v1", "ConfigMap", "b")), object("v1", "ConfigMap", "c"), null),
        Arguments.of("count/deployments.apps", List.of(quota("objects", "count/deployments.apps", "1",
            "count/configmaps", "0")), List.of(object("apps/v1", "Deployment", "a")), object("apps/v1", "Deployment", "b"),
            "exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"),
        Arguments.of("services", List.of(quota("svc", "services", "1")), List.of(object("v1", "Service", "a")),
            object("v1", "Service", "b"), "exceeded quota: svc, requested: services=1, used: services=1, limited: services=1"),
        Arguments.of("services.nodeports", List.of(quota("svc", "services.nodeports", "2")), List.of(),
            service("np", "NodePort", 3),
            "exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2"),
        Arguments.of("services.loadbalancers: a ClusterIP service uses none", List.of(quota("svc", "services.loadbalancers", "0")),
            List.of(), service("c", "ClusterIP", 1), null),
        Arguments.of("an unknown kind counts by its lowercase plural", List.of(quota("q", "count/widgets.example.com", "0")),
            List.of(), object("example.com/v1", "Widget", "w"),
            "exceeded quota: q, requested: count/widgets.example.com=1, used: count/widgets.example.com=0, limited: count/widgets.example.com=0"),
        Arguments.of("no quotas", List.of(), pods(100, "1", "1Gi"), pod("new", "1", "1Gi"), null),
        Arguments.of("a terminal candidate counts nothing", List.of(quota("q", "pods", "0")), List.of(),
            pod("new", "1", "1Gi").phase("Succeeded"), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void check(String name, List<KubeObject> quotas, List<Object> existing, Object candidate, String expected) {
    List<KubeObject> objects = new ArrayList<>();
    for (Object o : existing) objects.add(built(o));
    assertEquals(Optional.ofNullable(expected), QuotaAdmission.check(quotas, objects, built(candidate)));
  }

  static Stream<Arguments> quantities() {
    return Stream.of(
        Arguments.of("500m", "500m"), Arguments.of("0.5", "500m"), Arguments.of("2000m", "2"), Arguments.of("1500m", "1500m"),
        Arguments.of("2", "2"), Arguments.of("1000", "1k"), Arguments.of("12345", "12345"), Arguments.of("1e3", "1k"),
        Arguments.of("128Mi", "128Mi"), Arguments.of("1024Mi", "1Gi"), Arguments.of("1536Mi", "1536Mi"),
        Arguments.of("1Ki", "1Ki"), Arguments.of("0.5Gi", "512Mi"), Arguments.of("0", "0"), Arguments.of("100M", "100M"),
        Arguments.of("1.5Ki", "1536"), Arguments.of("0.1m", "100u"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("quantities")
  void canonicalQuantities(String in, String out) {
    assertEquals(out, QuotaQuantity.parse(in).toString());
  }

  @Test
  void sumsKeepTheFormatOfTheFirstNonZero() {
    assertEquals("1Gi", QuotaQuantity.ZERO.plus(QuotaQuantity.parse("512Mi")).plus(QuotaQuantity.parse("512Mi")).toString());
    assertEquals("2", QuotaQuantity.parse("1500m").plus(QuotaQuantity.parse("0.5")).toString());
  }

  // ---- builders ----

  private static KubeObject built(Object o) {
    return o instanceof PodBuilder p ? p.build() : (KubeObject) o;
  }

  static List<Object> pods(int n, String cpu, String memory) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(pod("p" + i, cpu, memory));
    return out;
  }

  static KubeObject quota(String name, String... hard) {
    ObjectNode body = Json.object();
    ObjectNode h = body.putObject("spec").putObject("hard");
    for (int i = 0; i < hard.length; i += 2) h.put(hard[i], hard[i + 1]);
    return new KubeObject("v1", "ResourceQuota", meta(name), body);
  }

  static KubeObject object(String apiVersion, String kind, String name) {
    return new KubeObject(apiVersion, kind, meta(name), Json.object());
  }

  static KubeObject service(String name, String type, int ports) {
    ObjectNode body = Json.object();
    ObjectNode spec = body.putObject("spec").put("type", type);
    ArrayNode array = spec.putArray("ports");
    for (int i = 0; i < ports; i++) array.addObject().put("port", 80 + i);
    return new KubeObject("v1", "Service", meta(name), body);
  }

  static ObjectMeta meta(String name) {
    return new ObjectMeta(name, null, "shop", "uid-" + name, "5", 1L, "2024-05-01T09:00:00Z", null, null, Map.of(),
        Map.of(), List.of(), List.of());
  }

  static PodBuilder pod(String name, String cpu, String memory) {
    return new PodBuilder(name).container(cpu, memory);
  }

  /** A pod with containers c0, c1... each requesting what it is told (null: nothing). */
  static final class PodBuilder {
    private final String name;
    private final ArrayNode containers = Json.MAPPER.createArrayNode();
    private final ArrayNode initContainers = Json.MAPPER.createArrayNode();
    private String phase = "Running";
    private boolean deleting;

    PodBuilder(String name) {
      this.name = name;
    }

    PodBuilder container(String cpu, String memory) {
      add(containers, "c" + containers.size(), cpu, memory);
      return this;
    }

    PodBuilder initContainer(String cpu, String memory) {
      add(initContainers, "init" + initContainers.size(), cpu, memory);
      return this;
    }

    /** Limits on the first container. */
    PodBuilder limits(String cpu, String memory) {
      ObjectNode resources = (ObjectNode) containers.get(0).get("resources");
      resources.putObject("limits").put("cpu", cpu).put("memory", memory);
      return this;
    }

    PodBuilder phase(String value) {
      phase = value;
      return this;
    }

    PodBuilder deleting() {
      deleting = true;
      return this;
    }

    private static void add(ArrayNode list, String name, String cpu, String memory) {
      ObjectNode c = list.addObject().put("name", name).put("image", "img:1");
      ObjectNode requests = c.putObject("resources").putObject("requests");
      if (cpu != null) requests.put("cpu", cpu);
      if (memory != null) requests.put("memory", memory);
    }

    KubeObject build() {
      ObjectMeta m = meta(name);
      if (deleting) m = m.withDeletion("2024-05-01T10:00:00Z", 30L);
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      spec.set("containers", containers.deepCopy());
      if (!initContainers.isEmpty()) spec.set("initContainers", initContainers.deepCopy());
      body.putObject("status").put("phase", phase);
      return new KubeObject("v1", "Pod", m, body);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  // ---- status ----

  @Test
  void statusUsedIsCountedAndWrittenWhenChanged() {
    KubeObject quota = quota("compute", "pods", "10", "requests.cpu", "4000m", "requests.memory", "2Gi",
        "limits.memory", "4Gi", "count/configmaps", "5", "configmaps", "5", "services", "2", "count/deployments.apps", "3");
    Map<String, List<KubeObject>> objects = Map.of(
        "Pod", List.of(pod("a", "500m", "512Mi").limits("1", "1Gi").build(), pod("b", "250m", "256Mi").build(),
            pod("done", "1", "1Gi").phase("Succeeded").build(),
            new PodBuilder("elsewhere").container("1", "1Gi").build().withMetadata(meta("x").withNamespace("other"))),
        "ConfigMap", List.of(object("v1", "ConfigMap", "cm1")),
        "Deployment", List.of(object("apps/v1", "Deployment", "d1"), object("apps/v1", "Deployment", "d2")));

    List<Action> actions = QuotaStatusReconciler.reconcile(quota, objects);

    assertEquals(1, actions.size());
    KubeObject written = ((Action.UpdateStatus) actions.get(0)).object();
    assertEquals("5", written.metadata().resourceVersion());
    assertEquals(Json.MAPPER.valueToTree(Map.of("pods", "10", "requests.cpu", "4", "requests.memory", "2Gi",
        "limits.memory", "4Gi", "count/configmaps", "5", "configmaps", "5", "services", "2",
        "count/deployments.apps", "3")), written.status().get("hard"));
    assertEquals(Json.MAPPER.valueToTree(Map.of("pods", "2", "requests.cpu", "750m", "requests.memory", "768Mi",
        "limits.memory", "1Gi", "count/configmaps", "1", "configmaps", "1", "services", "0",
        "count/deployments.apps", "2")), written.status().get("used"));

    // Converged: written again with the same objects, nothing to do.
    assertEquals(List.of(), QuotaStatusReconciler.reconcile(written, objects));
    // A pod more: used changes.
    Map<String, List<KubeObject>> more = new java.util.HashMap<>(objects);
    List<KubeObject> pods = new ArrayList<>(objects.get("Pod"));
    pods.add(pod("c", "250m", "256Mi").build());
    more.put("Pod", pods);
    KubeObject again = ((Action.UpdateStatus) QuotaStatusReconciler.reconcile(written, more).get(0)).object();
    assertEquals("3", again.status().path("used").path("pods").asText());
    assertEquals("1", again.status().path("used").path("requests.cpu").asText());
    assertEquals("1Gi", again.status().path("used").path("requests.memory").asText());
  }

  @Test
  void statusFollowsSpecHardAndKeepsOtherFields() {
    KubeObject quota = quota("q", "pods", "3").withField("status", Json.MAPPER.valueToTree(Map.of(
        "hard", Map.of("pods", "2", "services", "1"), "used", Map.of("pods", "0", "services", "0"), "note", "kept")));
    KubeObject written = ((Action.UpdateStatus) QuotaStatusReconciler.reconcile(quota, Map.of()).get(0)).object();
    assertEquals(Json.MAPPER.valueToTree(Map.of("hard", Map.of("pods", "3"), "used", Map.of("pods", "0"),
        "note", "kept")), written.status());
    assertEquals(List.of(), QuotaStatusReconciler.reconcile(
        quota.withMetadata(quota.metadata().withDeletion("2024-05-01T10:00:00Z", 0L)), Map.of()));
  }
}
