package io.troupe.net.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.net.ingress.IngressRoutes.Backend;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The matching rules of the Ingress API, table by table; no server. */
class IngressRoutesTest {

  /** An Ingress from compact JSON (single quotes for double). */
  static KubeObject ingress(String name, String created, String json) {
    ObjectNode tree = (ObjectNode) Json.MAPPER.valueToTree(parse(json));
    tree.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
    ObjectNode meta = tree.putObject("metadata").put("name", name).put("namespace", "default");
    if (created != null) meta.put("creationTimestamp", created);
    return KubeObject.fromTree(tree);
  }

  private static Object parse(String json) {
    try {
      return Json.MAPPER.readTree(json.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String path(String type, String path, String service) {
    return "{'pathType':'" + type + "','path':'" + path + "','backend':{'service':{'name':'" + service
        + "','port':{'number':80}}}}";
  }

  /** The Kubernetes documentation's table of path matches (concepts/services-networking/ingress, "Examples"). */
  static Stream<Arguments> kubernetesExamples() {
    return Stream.of(
        Arguments.of("Prefix", "/", "/", true, "any path"),
        Arguments.of("Prefix", "/", "/aaa/bbb", true, "any path"),
        Arguments.of("Exact", "/foo", "/foo", true, ""),
        Arguments.of("Exact", "/foo", "/bar", false, ""),
        Arguments.of("Exact", "/foo", "/foo/", false, "exact: the trailing slash counts"),
        Arguments.of("Exact", "/foo/", "/foo", false, ""),
        Arguments.of("Prefix", "/foo", "/foo", true, ""),
        Arguments.of("Prefix", "/foo", "/foo/", true, ""),
        Arguments.of("Prefix", "/foo/", "/foo", true, "trailing slash ignored"),
        Arguments.of("Prefix", "/foo/", "/foo/", true, ""),
        Arguments.of("Prefix", "/aaa", "/aaa/ccc", true, "element-wise"),
        Arguments.of("Prefix", "/aaa", "/aaaxyz", false, "not a string prefix"),
        Arguments.of("Prefix", "/aaa/bbb", "/aaa/bbb", true, ""),
        Arguments.of("Prefix", "/aaa/bbb", "/aaa/bbb/", true, ""),
        Arguments.of("Prefix", "/aaa/bbb/", "/aaa/bbb", true, ""),
        Arguments.of("Prefix", "/aaa/bbb", "/aaa/bbbxyz", false, ""),
        Arguments.of("Prefix", "/aaa/bbb", "/aaa/bbb/ccc", true, ""),
        Arguments.of("ImplementationSpecific", "/aaa", "/aaa/ccc", true, "as Prefix"),
        Arguments.of("ImplementationSpecific", "/aaa", "/aaaccc", false, "as Prefix"));
  }

  @ParameterizedTest(name = "{0} {1} vs {2}: {3} {4}")
  @MethodSource("kubernetesExamples")
  void matchesPathsAsKubernetesDocumentsThem(String type, String rulePath, String requestPath, boolean matches,
      String note) {
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("i", null,
        "{'spec':{'rules':[{'http':{'paths':[" + path(type, rulePath, "web") + "]}}]}}")), "troupe");
    assertEquals(matches, routes.route("any.example.com", requestPath).isPresent());
  }

  @Test
  void longestPathWinsThenExactOverPrefix() {
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("i", null, "{'spec':{'rules':[{'host':'a.example.com',"
        + "'http':{'paths':[" + path("Prefix", "/", "root") + "," + path("Prefix", "/aaa", "aaa") + ","
        + path("Prefix", "/aaa/bbb", "bbb") + "," + path("Prefix", "/foo", "foo-prefix") + ","
        + path("Exact", "/foo", "foo-exact") + "]}}]}}")), "troupe");
    assertEquals("root", service(routes, "a.example.com", "/x"));
    assertEquals("aaa", service(routes, "a.example.com", "/aaa/ccc"));
    assertEquals("bbb", service(routes, "a.example.com", "/aaa/bbb/ccc"));
    assertEquals("foo-exact", service(routes, "a.example.com", "/foo"));
    assertEquals("foo-prefix", service(routes, "a.example.com", "/foo/bar"));
  }

  @Test
  void hostsAreExactOrAWildcardOverOneLabel() {
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("i", null, "{'spec':{'rules':["
        + "{'host':'foo.bar.com','http':{'paths':[" + path("Prefix", "/", "exact") + "]}},"
        + "{'host':'*.bar.com','http':{'paths':[" + path("Prefix", "/", "wild") + "]}}]}}")), "troupe");
    assertEquals("exact", service(routes, "foo.bar.com", "/"));
    assertEquals("exact", service(routes, "FOO.bar.com:8080", "/"), "case and port ignored");
    assertEquals("wild", service(routes, "baz.bar.com", "/"));
    assertEquals(null, service(routes, "bar.com", "/"), "the wildcard needs one label");
    assertEquals(null, service(routes, "foo.baz.bar.com", "/"), "the wildcard covers one label only");
    assertEquals(null, service(routes, "other.com", "/"));
  }

  @Test
  void aMoreSpecificHostWinsThenHostlessRulesThenTheDefaultBackend() {
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("i", null, "{'spec':{"
        + "'defaultBackend':{'service':{'name':'fallback','port':{'name':'http'}}},'rules':["
        + "{'host':'a.example.com','http':{'paths':[" + path("Prefix", "/api", "exact-api") + "]}},"
        + "{'host':'*.example.com','http':{'paths':[" + path("Prefix", "/", "wild-root") + "]}},"
        + "{'http':{'paths':[" + path("Prefix", "/static", "any-static") + "]}}]}}")), "troupe");
    assertEquals("exact-api", service(routes, "a.example.com", "/api/v1"));
    assertEquals("wild-root", service(routes, "a.example.com", "/other"), "falls to the wildcard");
    assertEquals("any-static", service(routes, "elsewhere.org", "/static/x.css"));
    Backend fallback = routes.route("elsewhere.org", "/nothing").orElseThrow();
    assertEquals("fallback", fallback.service());
    assertEquals("http", fallback.portName());
    assertEquals(0, fallback.portNumber());
  }

  @Test
  void theOlderIngressWinsAConflictAndItsDefaultBackendToo() {
    KubeObject older = ingress("older", "2024-01-01T00:00:00Z", "{'spec':{'defaultBackend':{'service':{'name':"
        + "'old-default','port':{'number':80}}},'rules':[{'host':'a.com','http':{'paths':["
        + path("Prefix", "/", "old") + "]}}]}}");
    KubeObject newer = ingress("newer", "2024-06-01T00:00:00Z", "{'spec':{'defaultBackend':{'service':{'name':"
        + "'new-default','port':{'number':80}}},'rules':[{'host':'a.com','http':{'paths':["
        + path("Prefix", "/", "new") + "," + path("Prefix", "/only-new", "new") + "]}}]}}");
    IngressRoutes routes = IngressRoutes.of(List.of(newer, older), "troupe");
    assertEquals("old", service(routes, "a.com", "/"));
    assertEquals("new", service(routes, "a.com", "/only-new"));
    assertEquals("old-default", service(routes, "b.com", "/"));
    assertEquals("default/older", routes.route("a.com", "/").orElseThrow().ingress());
  }

  @Test
  void servesIngressesOfItsClassOrWithoutOne() {
    assertTrue(IngressRoutes.served(ingress("a", null, "{'spec':{}}"), "troupe"));
    assertTrue(IngressRoutes.served(ingress("a", null, "{'spec':{'ingressClassName':'troupe'}}"), "troupe"));
    assertFalse(IngressRoutes.served(ingress("a", null, "{'spec':{'ingressClassName':'nginx'}}"), "troupe"));
    KubeObject annotated = ingress("a", null, "{'spec':{}}");
    annotated = annotated.withMetadata(new io.troupe.persistence.model.ObjectMeta("a", null, "default", null, null,
        null, null, null, null, null, java.util.Map.of(IngressRoutes.CLASS_ANNOTATION, "nginx"), null, null));
    assertFalse(IngressRoutes.served(annotated, "troupe"));
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("other", null, "{'spec':{'ingressClassName':'nginx',"
        + "'rules':[{'http':{'paths':[" + path("Prefix", "/", "web") + "]}}]}}")), "troupe");
    assertEquals(null, service(routes, "a.com", "/"));
  }

  @Test
  void aResourceBackendIsRoutedWithoutAService() {
    IngressRoutes routes = IngressRoutes.of(List.of(ingress("i", null, "{'spec':{'defaultBackend':{'resource':"
        + "{'kind':'Bucket','name':'b'}}}}")), "troupe");
    Backend b = routes.route("a.com", "/").orElseThrow();
    assertEquals(null, b.service());
  }

  private static String service(IngressRoutes routes, String host, String path) {
    return routes.route(host, path).map(Backend::service).orElse(null);
  }
}
