package io.troupe.control.api.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server-side Table kubectl asks for, through the real HTTP API: columns, cells, objects, fallbacks, watch. */
class TableOutputTest {
  static final String KUBECTL_ACCEPT =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  static ControlPlane plane;
  static String base;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    base = TestControlPlane.url(plane);
  }

  @AfterAll
  static void stop() throws Exception {
    if (plane != null) plane.close();
  }

  static JsonNode send(String method, String path, String accept, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (accept != null) b.header("Accept", accept);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  static JsonNode create(String path, String yamlishJson) throws Exception {
    return send("POST", path, null, yamlishJson.replace('\'', '"'));
  }

  static List<String> columnNames(JsonNode table) {
    List<String> out = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> out.add(c.path("name").asText() + (c.path("priority").asInt() > 0
        ? "*" : "")));
    return out;
  }

  static List<String> cells(JsonNode row) {
    List<String> out = new ArrayList<>();
    row.path("cells").forEach(c -> out.add(c.asText()));
    return out;
  }

  @Test
  void podsListAsATableWithKubectlsColumnsAndStatus() throws Exception {
    create("/api/v1/namespaces/default/pods", "{'metadata':{'name':'table-pod','labels':{'app':'t'}},"
        + "'spec':{'containers':[{'name':'a','image':'host'},{'name':'b','image':'host'}]}}");
    JsonNode pod = send("GET", "/api/v1/namespaces/default/pods/table-pod", null, null);
    ((com.fasterxml.jackson.databind.node.ObjectNode) pod).set("status", Json.MAPPER.readTree(("{'phase':'Running',"
        + "'podIP':'127.1.0.7','containerStatuses':[{'name':'a','ready':true,'restartCount':2,'state':{'running':{}}},"
        + "{'name':'b','ready':true,'restartCount':1,'state':{'running':{}}}]}").replace('\'', '"')));
    send("PUT", "/api/v1/namespaces/default/pods/table-pod/status", null, Json.write(pod));

    JsonNode table = send("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dt", KUBECTL_ACCEPT, null);
    assertEquals("Table", table.path("kind").asText());
    assertEquals("meta.k8s.io/v1", table.path("apiVersion").asText());
    assertEquals(List.of("Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*",
        "Readiness Gates*"), columnNames(table));
    assertEquals("name", table.path("columnDefinitions").get(0).path("format").asText());
    assertFalse(table.path("metadata").path("resourceVersion").asText().isEmpty(), table.toString());
    assertEquals(1, table.path("rows").size(), table.toString());
    JsonNode row = table.path("rows").get(0);
    List<String> cells = cells(row);
    assertEquals(List.of("table-pod", "2/2", "Running", "3"), cells.subList(0, 4));
    assertTrue(cells.get(4).endsWith("s"), cells.get(4));
    assertEquals(List.of("127.1.0.7", "<none>", "<none>", "<none>"), cells.subList(5, 9));
    assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
    assertEquals("table-pod", row.path("object").path("metadata").path("name").asText());
    assertTrue(row.path("object").path("spec").isMissingNode());

    JsonNode withObjects = send("GET", "/api/v1/namespaces/default/pods?includeObject=Object", KUBECTL_ACCEPT, null);
    assertEquals("Pod", withObjects.path("rows").get(0).path("object").path("kind").asText());
    JsonNode one = send("GET", "/api/v1/namespaces/default/pods/table-pod", KUBECTL_ACCEPT, null);
    assertEquals("Table", one.path("kind").asText());
    assertEquals("table-pod", one.path("rows").get(0).path("cells").get(0).asText());
    // plain JSON first (or no Accept): the object itself
    assertEquals("Pod", send("GET", "/api/v1/namespaces/default/pods/table-pod", "application/json", null)
        .path("kind").asText());
    assertEquals("PodList", send("GET", "/api/v1/namespaces/default/pods", "application/json;as=Table;v=v1beta1;"
        + "g=meta.k8s.io,application/json", null).path("kind").asText());
  }

  @Test
  void listPagesKeepTheirContinueToken() throws Exception {
    for (String n : List.of("cm-a", "cm-b", "cm-c")) {
      create("/api/v1/namespaces/default/configmaps", "{'metadata':{'name':'" + n + "'},'data':{'k':'v','l':'w'}}");
    }
    JsonNode page = send("GET", "/api/v1/namespaces/default/configmaps?limit=2", KUBECTL_ACCEPT, null);
    assertEquals(List.of("Name", "Data", "Age"), columnNames(page));
    assertEquals(2, page.path("rows").size());
    assertFalse(page.path("metadata").path("continue").asText().isEmpty(), page.toString());
    assertEquals("2", page.path("rows").get(0).path("cells").get(1).asText());
  }

  @Test
  void deploymentsNodesAndServices() throws Exception {
    create("/apis/apps/v1/namespaces/default/deployments", "{'metadata':{'name':'web'},'spec':{'replicas':3,"
        + "'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{'labels':{'app':'web'}},"
        + "'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'}]}}}}");
    JsonNode deployments = send("GET", "/apis/apps/v1/namespaces/default/deployments", KUBECTL_ACCEPT, null);
    assertEquals(List.of("Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"),
        columnNames(deployments));
    List<String> d = cells(deployments.path("rows").get(0));
    assertEquals(List.of("web", "0/3", "0", "0"), d.subList(0, 4));
    assertEquals(List.of("nginx", "nginx:1.25", "app=web"), d.subList(5, 8));

    create("/api/v1/nodes", "{'metadata':{'name':'table-node','labels':{'node-role.kubernetes.io/control-plane':''}},"
        + "'spec':{'unschedulable':true}}");
    JsonNode node = send("GET", "/api/v1/nodes/table-node", null, null);
    ((com.fasterxml.jackson.databind.node.ObjectNode) node).set("status", Json.MAPPER.readTree(("{'conditions':"
        + "[{'type':'Ready','status':'True'}],'addresses':[{'type':'InternalIP','address':'10.0.0.5'}],"
        + "'nodeInfo':{'kubeletVersion':'v1.32.0-troupe','osImage':'Debian','kernelVersion':'6.1',"
        + "'containerRuntimeVersion':'process://1'}}").replace('\'', '"')));
    send("PUT", "/api/v1/nodes/table-node/status", null, Json.write(node));
    JsonNode nodes = send("GET", "/api/v1/nodes/table-node", KUBECTL_ACCEPT, null);
    assertEquals(List.of("Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*",
        "Kernel-Version*", "Container-Runtime*"), columnNames(nodes));
    List<String> n = cells(nodes.path("rows").get(0));
    assertEquals(List.of("table-node", "Ready,SchedulingDisabled", "control-plane"), n.subList(0, 3));
    assertEquals(List.of("v1.32.0-troupe", "10.0.0.5", "<none>", "Debian", "6.1", "process://1"), n.subList(4, 10));

    create("/api/v1/namespaces/default/services", "{'metadata':{'name':'web'},'spec':{'type':'NodePort',"
        + "'selector':{'app':'web'},'ports':[{'port':80,'targetPort':8080,'nodePort':30080}]}}");
    JsonNode services = send("GET", "/api/v1/namespaces/default/services/web", KUBECTL_ACCEPT, null);
    assertEquals(List.of("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"),
        columnNames(services));
    List<String> s = cells(services.path("rows").get(0));
    assertEquals("NodePort", s.get(1));
    assertEquals("<none>", s.get(3));
    assertEquals("80:30080/TCP", s.get(4));
    assertEquals("app=web", s.get(6));
  }

  @Test
  void aWatchAsksForTablesAndGetsOneRowPerEvent() throws Exception {
    JsonNode list = send("GET", "/api/v1/namespaces/default/secrets", KUBECTL_ACCEPT, null);
    String rv = list.path("metadata").path("resourceVersion").asText();
    HttpRequest watch = HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/secrets?watch=true"
        + "&resourceVersion=" + rv + "&timeoutSeconds=20")).header("Accept", KUBECTL_ACCEPT).build();
    HttpResponse<InputStream> stream = client.send(watch, HttpResponse.BodyHandlers.ofInputStream());
    create("/api/v1/namespaces/default/secrets", "{'metadata':{'name':'watched'},'stringData':{'a':'b'}}");
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      JsonNode event = Json.MAPPER.readTree(lines.readLine());
      assertEquals("ADDED", event.path("type").asText());
      JsonNode table = event.path("object");
      assertEquals("Table", table.path("kind").asText());
      assertEquals(List.of("Name", "Type", "Data", "Age"), columnNames(table));
      assertEquals(List.of("watched", "Opaque", "1"), cells(table.path("rows").get(0)).subList(0, 3));
    }
  }
}
