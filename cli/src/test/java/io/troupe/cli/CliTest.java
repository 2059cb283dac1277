package io.troupe.cli;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.cli.client.Kubeconfig;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.persistence.model.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every {@code troupe} client verb against a real control plane (scheduler and controllers) with one real node
 * that runs pods as processes: what a user reads on stdout and stderr, and the exit code.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static Cli cli;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-cli-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.pod-cidr", "127.78.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    url = TestControlPlane.url(plane);
    client = Fabric8Clients.connect(url);
    cli = new Cli(url);
    awaitUntil(DEADLINE, () -> client.nodes().withName("node-1").get() != null, () -> "node-1 registered");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.apps().deployments().inNamespace("default").delete();
      client.pods().inNamespace("default").delete();
      awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").list().getItems().isEmpty(), () -> "pods gone");
      client.close();
    }
    if (agents != null) agents.close();
    if (plane != null) plane.close();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static Cli.Result ok(String... args) {
    Cli.Result r = cli.run(args);
    assertEquals(0, r.exit(), () -> String.join(" ", args) + ": " + r);
    return r;
  }

  static Cli.Result fails(String... args) {
    Cli.Result r = cli.run(args);
    assertEquals(1, r.exit(), () -> String.join(" ", args) + ": " + r);
    return r;
  }

  static final String POD = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: hello
        labels: {app: hello}
      spec:
        terminationGracePeriodSeconds: 1
        containers:
        - name: main
          image: host
          command: [sh, -c, "echo hello from the pod; sleep 3600"]
      """;

  @Test
  @Order(1)
  void getPrintsTablesAndObjectsAndLogsShowTheOutput() throws Exception {
    assertEquals("pod/hello created\n", ok("apply", "-f", file("pod.yaml", POD).toString()).out());
    awaitUntil(DEADLINE, () -> cli.run("get", "pods", "hello").out().contains("Running"),
        () -> "hello Running: " + cli.run("get", "pods"));
    List<String> lines = ok("get", "pods").lines();
    assertTrue(lines.get(0).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE"), lines.get(0));
    assertTrue(lines.get(1).matches("hello\\s+1/1\\s+Running\\s+0\\s+\\d+s"), lines.get(1));
    // columns are aligned as kubectl's tabwriter aligns them: widest cell + 3 spaces
    assertEquals(lines.get(0).indexOf("READY"), lines.get(1).indexOf("1/1"));
    assertEquals("NAME    READY   STATUS    RESTARTS   AGE", lines.get(0));

    String wide = ok("get", "po", "-o", "wide").out();
    assertTrue(wide.lines().findFirst().orElseThrow().matches(
        "NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE\\s+READINESS GATES"), wide);
    assertTrue(wide.contains("127.78.") && wide.contains("node-1"), wide);
    assertEquals("pod/hello\n", ok("get", "pod/hello", "-o", "name").out());
    assertTrue(ok("get", "pods", "hello", "-o", "yaml").out().contains("kind: Pod\nmetadata:"));
    JsonNode json = Json.MAPPER.readTree(ok("get", "pods", "-o", "json").out());
    assertEquals("List", json.path("kind").asText());
    assertEquals("hello", json.path("items").get(0).path("metadata").path("name").asText());
    String all = ok("get", "pods", "-A").out();
    assertTrue(all.lines().findFirst().orElseThrow().startsWith("NAMESPACE   NAME"), all);
    assertTrue(all.contains("default     hello"), all);
    assertFalse(ok("get", "pods", "--no-headers").out().contains("NAME"));
    assertEquals("", ok("get", "pods", "-l", "app=other").out());
    assertEquals("No resources found in default namespace.\n", ok("get", "pods", "-l", "app=other").err());
    assertTrue(ok("get", "pods", "--field-selector", "spec.nodeName=node-1").out().contains("hello"));
    String nodes = ok("get", "no").out();
    assertTrue(nodes.lines().findFirst().orElseThrow().matches("NAME\\s+STATUS\\s+ROLES\\s+AGE\\s+VERSION"), nodes);
    assertTrue(nodes.contains("node-1") && nodes.contains("Ready"), nodes);
    assertTrue(ok("get", "ns").out().contains("kube-system"));

    awaitUntil(DEADLINE, () -> cli.run("logs", "hello").out().equals("hello from the pod\n"),
        () -> "the log: " + cli.run("logs", "hello"));
    assertTrue(ok("logs", "hello", "-c", "main", "--timestamps").out()
        .matches("\\d{4}-\\d\\d-\\d\\dT\\S+ hello from the pod\n"));
    assertEquals("hello from the pod\n", ok("logs", "pod/hello", "--tail", "1").out());

    String described = ok("describe", "pod", "hello").out();
    assertTrue(described.startsWith("Name:"), described);
    assertTrue(described.matches("(?s).*Namespace:\\s+default\n.*"), described);
    assertTrue(described.matches("(?s).*Node:\\s+node-1\n.*"), described);
    assertTrue(described.contains("Events:\n  Type"), described);
    assertTrue(described.contains("Scheduled") || described.contains("Started"), described);
  }

  @Test
  @Order(2)
  void getWatchPrintsRowsAsTheyChange() {
    client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("before").endMetadata().addToData("k", "v").build()).create();
    // -w streams until the watch ends (the server's timeout, or the plane closing after the tests): its own thread,
    // its output read as it comes
    java.io.StringWriter out = new java.io.StringWriter();
    Thread t = new Thread(() -> Troupe.commandLine().setOut(new java.io.PrintWriter(out, true))
        .execute("get", "configmaps", "-w", "--server", url));
    t.setDaemon(true);
    t.start();
    awaitUntil(DEADLINE, () -> out.toString().contains("before"), () -> "the list printed: " + out);
    assertTrue(out.toString().startsWith("NAME"), out.toString());
    client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("after").endMetadata().addToData("a", "1").addToData("b", "2").build()).create();
    awaitUntil(DEADLINE, () -> out.toString().lines().anyMatch(l -> l.matches("after\\s+2\\s+\\d+s")),
        () -> "the new row printed: " + out);
    assertEquals(1, out.toString().lines().filter(l -> l.startsWith("NAME")).count(), out.toString());
    client.configMaps().inNamespace("default").withName("before").delete();
    client.configMaps().inNamespace("default").withName("after").delete();
  }

  @Test
  @Order(3)
  void applyCreatesConfiguresAndLeavesUnchangedWithAThreeWayMerge() throws Exception {
    Path f = file("cm.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels: {team: a, tier: web}
        data: {a: "1", b: "2"}
        """);
    assertEquals("configmap/settings created\n", ok("apply", "-f", f.toString()).out());
    assertEquals("configmap/settings unchanged\n", ok("apply", "-f", f.toString()).out());
    // someone else adds a key: apply keeps it (it was never in the applied configuration)
    client.configMaps().inNamespace("default").withName("settings")
        .edit(cm -> { cm.getData().put("c", "3"); return cm; });
    file("cm.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels: {team: a}
        data: {a: "10"}
        """);
    assertEquals("configmap/settings configured\n", ok("apply", "-f", f.toString()).out());
    var cm = client.configMaps().inNamespace("default").withName("settings").get();
    assertEquals(Map.of("a", "10", "c", "3"), cm.getData());
    assertEquals(Map.of("team", "a"), cm.getMetadata().getLabels());
    assertTrue(cm.getMetadata().getAnnotations().get("kubectl.kubernetes.io/last-applied-configuration")
        .contains("\"a\":\"10\""));
    assertEquals("configmap/settings unchanged\n", ok("apply", "-f", f.toString()).out());

    // a folder of several documents, JSON among them; and create -f
    Path folder = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(folder.resolve("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n");
    Files.writeString(folder.resolve("b.json"), "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"
        + "\"three\"},\"stringData\":{\"k\":\"v\"}}");
    assertEquals("configmap/one created\nconfigmap/two created\nsecret/three created\n",
        ok("apply", "-f", folder.toString()).out());
    assertEquals("configmap/four created\n", ok("create", "-f", file("four.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: four}\n").toString()).out());
    assertEquals("Error from server (AlreadyExists): configmaps \"four\" already exists\n",
        fails("create", "-f", dir.resolve("four.yaml").toString()).err());

    assertEquals("configmap \"one\" deleted\nconfigmap \"two\" deleted\nsecret \"three\" deleted\n",
        ok("delete", "-f", folder.toString()).out());
    assertEquals("configmap \"four\" deleted\n", ok("delete", "cm", "four").out());
    assertEquals("Error from server (NotFound): configmaps \"four\" not found\n", fails("delete", "cm", "four").err());
  }

  static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata:
            labels: {app: web}
          spec:
            terminationGracePeriodSeconds: 1
            containers:
            - name: main
              image: host
              command: [sh, -c, "sleep 3600"]
              env: [{name: VERSION, value: "%s"}]
      """;

  @Test
  @Order(4)
  void scaleRolloutStatusHistoryAndUndo() throws Exception {
    Path f = file("web.yaml", DEPLOYMENT.formatted("one"));
    assertEquals("deployment.apps/web created\n", ok("apply", "-f", f.toString()).out());
    Cli.Result status = ok("rollout", "status", "deployment/web", "--timeout=60s");
    assertTrue(status.out().endsWith("deployment \"web\" successfully rolled out\n"), status.toString());
    String deployments = ok("get", "deploy").out();
    assertTrue(deployments.lines().findFirst().orElseThrow()
        .matches("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE"), deployments);
    assertTrue(deployments.lines().skip(1).findFirst().orElseThrow().matches("web\\s+2/2\\s+2\\s+2\\s+\\S+"),
        deployments);

    assertEquals("deployment.apps/web scaled\n", ok("scale", "deployment/web", "--replicas=3").out());
    assertEquals(3, client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas());
    assertTrue(ok("rollout", "status", "deploy/web", "--timeout=60s").out()
        .endsWith("deployment \"web\" successfully rolled out\n"));
    // apply after scale: replicas are in the file (2) and were applied before, so apply sets them back
    Files.writeString(f, DEPLOYMENT.formatted("two"));
    assertEquals("deployment.apps/web configured\n", ok("apply", "-f", f.toString()).out());
    status = ok("rollout", "status", "deployment", "web", "--timeout=60s");
    assertTrue(status.out().contains("Waiting for deployment \"web\" rollout to finish: "), status.toString());
    assertTrue(status.out().endsWith("deployment \"web\" successfully rolled out\n"), status.toString());

    String history = ok("rollout", "history", "deployment/web").out();
    assertTrue(history.startsWith("deployment.apps/web\nREVISION   CHANGE-CAUSE\n"), history);
    assertTrue(history.contains("1          <none>\n2          <none>\n"), history);

    assertEquals("deployment.apps/web rolled back\n", ok("rollout", "undo", "deployment/web").out());
    awaitUntil(DEADLINE, () -> "one".equals(client.apps().deployments().inNamespace("default").withName("web").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).getValue()), () -> "undone");
    assertTrue(ok("rollout", "status", "deployment/web", "--timeout=60s").out()
        .endsWith("deployment \"web\" successfully rolled out\n"));
    assertTrue(ok("rollout", "history", "deployment/web").out().contains("2          <none>\n3          <none>\n"));
    assertEquals("error: unable to find specified revision 9 in history\n",
        fails("rollout", "undo", "deployment/web", "--to-revision=9").err());
    String described = ok("describe", "deployment", "web").out();
    assertTrue(described.matches("(?s).*Replicas:\\s+2 desired \\| 2 updated \\| 2 total \\| 2 available.*"),
        described);
    assertTrue(described.contains("ScalingReplicaSet"), described);
  }

  @Test
  @Order(5)
  void historyShowsEveryChangeWithItsAuthorAndAsOfTheObjectThen() throws Exception {
    ok("apply", "-f", file("palette.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: palette}
        data: {color: blue}
        """).toString());
    String history = ok("history", "configmap/palette").out();
    String createdAt = history.lines().filter(l -> l.contains("Created by troupe-cli")).findFirst()
        .orElseThrow(() -> new AssertionError("a Created entry by troupe-cli: " + history)).split(" ")[0];
    ok("label", "configmap", "palette", "tier=front");
    String after = ok("history", "cm", "palette").out();
    assertTrue(after.startsWith("History of configmap/palette since "), after);
    assertTrue(after.contains("Updated by troupe-cli"), after);
    assertTrue(after.contains("+ /metadata/labels {\"tier\":\"front\"}"), after);
    String then = ok("history", "configmap/palette", "--as-of", createdAt).out();
    assertTrue(then.contains("color: blue") && !then.contains("tier"), "the object before the label: " + then);
    assertEquals("Error from server (NotFound): configmaps \"nothing\" not found\n",
        fails("history", "configmap/nothing").err());
  }

  @Test
  @Order(5)
  void labelCordonAndUncordon() {
    assertEquals("pod/hello labeled\n", ok("label", "pod", "hello", "tier=front").out());
    assertEquals("error: 'tier' already has a value (front), and --overwrite is false\n",
        fails("label", "pod", "hello", "tier=back").err());
    assertEquals("pod/hello labeled\n", ok("label", "pod", "hello", "tier=back", "--overwrite").out());
    assertEquals("back", client.pods().inNamespace("default").withName("hello").get().getMetadata().getLabels()
        .get("tier"));
    assertEquals("pod/hello unlabeled\n", ok("label", "pods/hello", "tier-").out());
    assertFalse(client.pods().inNamespace("default").withName("hello").get().getMetadata().getLabels()
        .containsKey("tier"));

    assertEquals("node/node-1 cordoned\n", ok("cordon", "node-1").out());
    assertTrue(ok("get", "nodes", "node-1").out().contains("Ready,SchedulingDisabled"));
    assertEquals("node/node-1 already cordoned\n", ok("cordon", "node-1").out());
    assertEquals("node/node-1 uncordoned\n", ok("uncordon", "node-1").out());
    assertFalse(ok("get", "nodes", "node-1").out().contains("SchedulingDisabled"));
  }

  @Test
  @Order(6)
  void drainRefusesBarePodsWithoutForceThenEvictsEverything() {
    Cli.Result refused = fails("drain", "node-1");
    assertTrue(refused.out().startsWith("node/node-1 cordoned\n"), refused.toString());
    assertTrue(refused.err().startsWith("error: unable to drain node \"node-1\" due to error: cannot delete Pods "
        + "that declare no controller (use --force to override): default/hello"), refused.toString());
    Cli.Result drained = ok("drain", "node-1", "--force", "--ignore-daemonsets", "--timeout=60s");
    assertTrue(drained.out().contains("evicting pod default/hello\n"), drained.toString());
    assertTrue(drained.out().contains("pod/hello evicted\n"), drained.toString());
    assertTrue(drained.out().endsWith("node/node-1 drained\n"), drained.toString());
    assertTrue(client.pods().inNamespace("default").list().getItems().stream()
        .allMatch(p -> p.getMetadata().getDeletionTimestamp() == null && p.getSpec().getNodeName() == null
            || !"node-1".equals(p.getSpec().getNodeName())), "no pod left on node-1");
    ok("uncordon", "node-1");
  }

  @Test
  @Order(7)
  void badInputIsWordedAsKubectlWordsItWithExitCodeOne() throws Exception {
    assertEquals("error: the server doesn't have a resource type \"foo\"\n", fails("get", "foo").err());
    assertEquals("Error from server (NotFound): pods \"nope\" not found\n", fails("get", "pods", "nope").err());
    assertEquals("Error from server (NotFound): deployments.apps \"nope\" not found\n",
        fails("describe", "deploy", "nope").err());
    assertEquals("error: the path \"" + dir.resolve("missing.yaml") + "\" does not exist\n",
        fails("apply", "-f", dir.resolve("missing.yaml").toString()).err());
    Path bad = file("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n");
    assertTrue(fails("apply", "-f", bad.toString()).err().startsWith("error: error parsing " + bad
        + ": error converting YAML to JSON: "));
    assertTrue(fails("apply", "-f", file("nokind.yaml", "metadata: {name: x}\n").toString()).err()
        .startsWith("error: error validating data: [kind not set]"));
    try (var socket = new java.net.ServerSocket(0)) {
      int closed = socket.getLocalPort();
      socket.close();
      Cli.Result refused = Cli.runRaw("get", "pods", "--server", "127.0.0.1:" + closed);
      assertEquals(1, refused.exit());
      assertEquals("The connection to the server 127.0.0.1:" + closed
          + " was refused - did you specify the right host or port?\n", refused.err());
    }
  }

  @Test
  @Order(8)
  void aKubeconfigAsTroupeServerWritesItIsReadAsKubectlReadsIt() throws Exception {
    Path config = dir.resolve("kubeconfig");
    Kubeconfig.write(config, url);
    Kubeconfig read = Kubeconfig.read(config);
    assertEquals(url, read.server().toString());
    assertEquals("default", read.namespace());
    String text = Files.readString(config);
    assertTrue(text.contains("current-context: troupe") && text.contains("name: troupe-admin"), text);
    Cli.Result r = Cli.runRaw("get", "ns", "default", "--kubeconfig", config.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("default   Active"), r.toString());
    // fabric8 reads it as is
    try (var fabric8 = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(config))).build()) {
      assertEquals("default", fabric8.namespaces().withName("default").get().getMetadata().getName());
    }
  }
}
