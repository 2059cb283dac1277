package io.troupe.cli;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code troupe image import|ls|rm} against a real control plane with two nodes of one node-agent JVM (simulated
 * nodes: they share that JVM's image store, as two kubelets on one host would not; enough to show the per-node
 * fan-out), through {@code nodes/NAME/proxy/images}.
 */
class ImageCliTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static Cli cli;

  @BeforeAll
  static void start() throws Exception {
    TestImages.assumeBusybox();
    dir = Files.createTempDirectory("troupe-image-cli");
    plane = TestControlPlane.start(dir, Map.of("troupe.controllers.enabled", true, "troupe.node.name", "img",
        "troupe.node.runtime", "simulated", "troupe.node.simulated.nodes", 2));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    String url = TestControlPlane.url(plane);
    cli = new Cli(url);
    try (KubernetesClient client = Fabric8Clients.connect(url)) {
      for (String node : List.of("img-0", "img-1")) {
        awaitUntil(DEADLINE, () -> ready(client.nodes().withName(node).get()), () -> node + " Ready");
      }
    }
  }

  static boolean ready(Node n) {
    return n != null && n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus()
        .getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agents != null) agents.close();
    if (plane != null) plane.close();
  }

  @Test
  void importListAndRemoveOnEveryNodeOrOne() throws Exception {
    Cli.Result empty = cli.run("image", "ls");
    assertEquals(0, empty.exit(), empty::toString);
    assertEquals("No images found.", empty.err().trim());

    Path tarball = TestImages.dockerSaveTarball(dir, "busybox:latest");
    String id = TestImages.busybox().id().substring(7, 20);
    Cli.Result imported = cli.run("image", "import", tarball.toString());
    assertEquals(0, imported.exit(), imported::toString);
    assertEquals(2, imported.lines().size(), imported::toString);
    assertTrue(imported.lines().get(0).matches("img-0: imported docker\\.io/library/busybox:latest \\(" + id
        + ", [0-9.]+MB\\)"), imported::toString);
    assertTrue(imported.lines().get(1).startsWith("img-1: imported docker.io/library/busybox:latest"));
    Path oci = TestImages.ociLayoutTarball(dir, "localhost:5000/team/busybox:1");
    Cli.Result one = cli.run("image", "import", oci.toString(), "--node", "img-1");
    assertEquals(0, one.exit(), one::toString);
    assertTrue(one.out().startsWith("img-1: imported localhost:5000/team/busybox:1 ("), one::toString);

    Cli.Result listed = cli.run("image", "ls", "--node", "img-1");
    assertEquals(0, listed.exit(), listed::toString);
    assertTrue(listed.lines().get(0).matches("NODE\\s+IMAGE\\s+ID\\s+SIZE"), listed::toString);
    assertTrue(listed.lines().get(1).matches("img-1\\s+docker\\.io/library/busybox:latest\\s+" + id + "\\s+[0-9.]+MB"),
        listed::toString);
    assertTrue(listed.lines().get(2).matches("img-1\\s+localhost:5000/team/busybox:1\\s+" + id + "\\s+[0-9.]+MB"),
        listed::toString);
    assertEquals(3, listed.lines().size(), listed::toString);
    assertEquals(5, cli.run("image", "ls").lines().size(), "a header and two names on each of two nodes");

    Cli.Result removed = cli.run("image", "rm", "localhost:5000/team/busybox:1", "--node", "img-0");
    assertEquals(0, removed.exit(), removed::toString);
    assertEquals("img-0: deleted localhost:5000/team/busybox:1", removed.out().trim());
    Cli.Result gone = cli.run("image", "rm", "localhost:5000/team/busybox:1");
    assertEquals(1, gone.exit(), gone::toString);
    assertEquals("error: image \"localhost:5000/team/busybox:1\" not found on any of the nodes img-0, img-1",
        gone.err().trim());
    assertEquals(0, cli.run("image", "rm", id).exit(), "by its short id");
    assertEquals("No images found.", cli.run("image", "ls").err().trim());
  }

  @Test
  void errorsAreClearMessagesWithExitCodeOne() throws Exception {
    Cli.Result missing = cli.run("image", "import", dir.resolve("missing.tar").toString());
    assertEquals(1, missing.exit(), missing::toString);
    assertEquals("error: " + dir.resolve("missing.tar") + ": no such file", missing.err().trim());

    Path garbage = Files.writeString(dir.resolve("garbage.tar"), "not a tarball");
    Cli.Result bad = cli.run("image", "import", garbage.toString(), "--node", "img-0");
    assertEquals(1, bad.exit(), bad::toString);
    assertTrue(bad.err().startsWith("img-0: Error from server (BadRequest): cannot import the tarball: neither a docker-save tarball"), bad::toString);
    assertTrue(bad.err().contains("error: the import of garbage.tar failed on img-0"), bad::toString);

    Cli.Result noNode = cli.run("image", "ls", "--node", "nope");
    assertEquals(1, noNode.exit(), noNode::toString);
    assertEquals("Error from server (NotFound): nodes \"nope\" not found", noNode.err().trim());
  }
}
