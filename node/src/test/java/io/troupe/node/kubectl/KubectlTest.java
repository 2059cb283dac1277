package io.troupe.node.kubectl;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.node.agent.NodeAgents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real kubectl against a real Troupe (API, controllers, scheduler and a node running real processes, in this
 * JVM): what a user types and what they see. Works with or without server-side Table output; which kubectl runs
 * is {@link Kubectl#binary()}'s choice (v1.32 and v1.35 both pass).
 */
class KubectlTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final String NS = "kubectl-test";
  /** $0 of every container's shell, so that whatever a failed run leaves behind can be found and stopped. */
  static final String MARKER = "troupe-kubectl-test";
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-kubectl-test");
    plane = TestControlPlane.start(dir.resolve("data"), Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.pod-cidr", "127.79.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    kubectl = Kubectl.connect(TestControlPlane.url(plane), NS, dir);
    awaitUntil(DEADLINE, () -> kubectl.run("get", "node", "node-1").exit() == 0, () -> "node-1 registered");
    // not `kubectl create namespace`: its typed client sends protobuf, which Troupe answers with 415
    Path namespace = Files.writeString(dir.resolve("namespace.yaml"), "apiVersion: v1\nkind: Namespace\n"
        + "metadata:\n  name: " + NS + "\n");
    assertEquals("namespace/" + NS + " created", kubectl.run("apply", "-f", namespace.toString()).succeeded().out()
        .trim());
  }

  @AfterAll
  static void stop() throws Exception {
    if (kubectl != null) kubectl.run("delete", "deployments", "--all", "--wait=false");
    if (agents != null) agents.close();
    if (plane != null) plane.close();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(MARKER)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static Path manifest(String name, String greeting, String... extraEnv) throws Exception {
    StringBuilder env = new StringBuilder("        - name: GREETING\n          value: " + greeting + "\n");
    for (String e : extraEnv) env.append("        - name: ").append(e).append("\n          value: extra\n");
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, String.join("\n",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: web",
        "  labels: {app: web}",
        "spec:",
        "  replicas: 2",
        "  selector:",
        "    matchLabels: {app: web}",
        "  template:",
        "    metadata:",
        "      labels: {app: web}",
        "    spec:",
        "      terminationGracePeriodSeconds: 2",
        "      containers:",
        "      - name: main",
        "        image: host",
        "        command: [sh, -c, 'echo \"$GREETING from $HOSTNAME\"; sleep 3600', " + MARKER + "]",
        "        env:",
        env.toString()));
    return file;
  }

  List<String> phases() {
    String out = kubectl.run("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.phase}")
        .succeeded().out().trim();
    return out.isEmpty() ? List.of() : Arrays.asList(out.split(" "));
  }

  List<String> env() {
    return List.of(kubectl.run("get", "deployment", "web", "-o",
        "jsonpath={.spec.template.spec.containers[0].env[*].name}").succeeded().out().trim().split(" "));
  }

  @Test
  void aDeploymentFromApplyToDelete() throws Exception {
    Path first = manifest("web", "hi", "REMOVED");
    assertEquals("deployment.apps/web created", kubectl.run("apply", "-f", first.toString()).succeeded().out().trim());
    assertTrue(kubectl.run("rollout", "status", "deployment/web", "--timeout=60s").succeeded().out()
        .contains("deployment \"web\" successfully rolled out"));
    awaitUntil(DEADLINE, () -> phases().equals(List.of("Running", "Running")), () -> "two pods Running: " + phases());
    Kubectl.Result pods = kubectl.run("get", "pods", "-l", "app=web").succeeded();
    assertEquals(3, pods.out().trim().lines().count(), pods.out());
    assertTrue(pods.out().lines().skip(1).allMatch(l -> l.startsWith("web-")), pods.out());

    try (Kubectl.Streaming watch = kubectl.stream("get", "pods", "-l", "app=web", "-w", "--output-watch-events")) {
      watch.awaitLine("web-", DEADLINE);
      assertEquals("deployment.apps/web scaled",
          kubectl.run("scale", "deployment/web", "--replicas=3").succeeded().out().trim());
      assertTrue(watch.awaitLine("ADDED", DEADLINE).size() >= 1);
    }
    kubectl.run("rollout", "status", "deployment/web", "--timeout=60s").succeeded();
    awaitUntil(DEADLINE, () -> phases().equals(List.of("Running", "Running", "Running")),
        () -> "three pods Running: " + phases());

    // a new greeting and one variable fewer: apply's three-way merge removes what left the file
    Path second = manifest("web", "hello");
    assertEquals("deployment.apps/web configured", kubectl.run("apply", "-f", second.toString()).succeeded().out()
        .trim());
    assertEquals(List.of("GREETING"), env());
    assertEquals("2", kubectl.run("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").succeeded().out());
    kubectl.run("rollout", "status", "deployment/web", "--timeout=60s").succeeded();
    assertEquals("deployment.apps/web unchanged", kubectl.run("apply", "-f", second.toString()).succeeded().out()
        .trim());
    awaitUntil(DEADLINE, () -> kubectl.run("logs", "deploy/web").out().startsWith("hello from web-"),
        () -> "the log of a new pod: " + kubectl.run("logs", "deploy/web"));

    String deleted = kubectl.run("delete", "-f", second.toString()).succeeded().out().trim();
    assertTrue(deleted.startsWith("deployment.apps \"web\" deleted"), deleted);
    awaitUntil(DEADLINE, () -> phases().isEmpty(), () -> "the pods go: " + phases());
    Kubectl.Result gone = kubectl.run("get", "deployment", "web");
    assertEquals(1, gone.exit());
    assertEquals("Error from server (NotFound): deployments.apps \"web\" not found", gone.err().trim());
  }

  @Test
  void theClusterAsKubectlShowsIt() {
    assertTrue(kubectl.run("get", "nodes").succeeded().out().lines().anyMatch(l -> l.startsWith("node-1 ")));
    List<String> namespaces = kubectl.run("get", "ns", "-o", "name").succeeded().out().lines().toList();
    assertTrue(namespaces.containsAll(List.of("namespace/default", "namespace/kube-system", "namespace/" + NS)),
        namespaces.toString());
    String resources = kubectl.run("api-resources").succeeded().out();
    for (String row : List.of("pods +po +v1 +true +Pod", "deployments +deploy +apps/v1 +true +Deployment",
        "nodes +no +v1 +false +Node", "ingresses +ing +networking.k8s.io/v1 +true +Ingress",
        "serviceaccounts +sa +v1 +true +ServiceAccount", "leases +coordination.k8s.io/v1 +true +Lease")) {
      assertTrue(resources.lines().anyMatch(l -> l.matches(row + " *")), row + " in\n" + resources);
    }
    // the node agent holds its node's Lease, as a kubelet does
    awaitUntil(DEADLINE, () -> kubectl.run("get", "leases", "-n", "kube-node-lease").succeeded().out().lines()
        .anyMatch(l -> l.matches("node-1 +node-1 +.*")), () -> "kubectl get leases shows node-1's");
    // every namespace gets its default service account from the controller
    awaitUntil(DEADLINE, () -> kubectl.run("get", "sa").succeeded().out().lines()
        .anyMatch(l -> l.matches("default +0 +.*")), () -> "kubectl get sa shows default");
    String explained = kubectl.run("explain", "deployment.spec.strategy").succeeded().out();
    assertTrue(explained.contains("KIND:       Deployment") && explained.contains("rollingUpdate"), explained);
    assertTrue(kubectl.run("version").succeeded().out().contains("Server Version: v1.32"));
  }
}
