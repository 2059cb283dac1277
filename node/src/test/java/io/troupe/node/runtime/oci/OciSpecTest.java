package io.troupe.node.runtime.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.node.image.ImageConfig;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCI spec made from a pod's container: table tests, no runc needed. */
class OciSpecTest {
  @TempDir
  Path rootfs;

  static final ImageConfig IMAGE = new ImageConfig(List.of("/entry"), List.of("default-arg"),
      List.of("PATH=/image/bin", "FROM_IMAGE=1", "OVERRIDDEN=image"), "/srv", "");

  static ContainerSpec.SecurityContext security(List<String> add, List<String> drop, boolean privileged) {
    return new ContainerSpec.SecurityContext(null, null, false, privileged, add, drop);
  }

  @Test
  void commandAndArgsFollowKubernetesRulesOverTheImagesEntrypointAndCmd() {
    assertEquals(List.of("/entry", "default-arg"), OciSpec.commandLine(List.of(), List.of(), IMAGE));
    assertEquals(List.of("/entry", "mine"), OciSpec.commandLine(List.of(), List.of("mine"), IMAGE));
    assertEquals(List.of("run"), OciSpec.commandLine(List.of("run"), List.of(), IMAGE));
    assertEquals(List.of("run", "x"), OciSpec.commandLine(List.of("run"), List.of("x"), IMAGE));
  }

  @Test
  void capabilitiesAreContainerdsDefaultsWithAddsAndDrops() {
    assertEquals(OciSpec.DEFAULT_CAPABILITIES, OciSpec.capabilities(security(List.of(), List.of(), false)));
    assertFalse(OciSpec.capabilities(security(List.of(), List.of(), false)).contains("SYS_ADMIN"));
    List<String> added = OciSpec.capabilities(security(List.of("CAP_NET_ADMIN"), List.of("NET_RAW"), false));
    assertTrue(added.contains("NET_ADMIN") && !added.contains("NET_RAW"), added.toString());
    assertEquals(List.of("NET_BIND_SERVICE"), OciSpec.capabilities(security(List.of("NET_BIND_SERVICE"),
        List.of("ALL"), false)));
    assertEquals(OciSpec.ALL_CAPABILITIES, OciSpec.capabilities(security(List.of(), List.of("ALL"), true)));
  }

  @Test
  void theUserIsRunAsUserOverTheImagesNamedUser() throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nstaff:x:50:\n");
    ContainerSpec.SecurityContext none = ContainerSpec.SecurityContext.NONE;
    assertArrayEquals(new long[] {1001, 1002}, OciSpec.user("app", none, rootfs));
    assertArrayEquals(new long[] {1001, 50}, OciSpec.user("app:staff", none, rootfs));
    assertArrayEquals(new long[] {0, 0}, OciSpec.user("", none, rootfs));
    assertArrayEquals(new long[] {7, 8}, OciSpec.user("app", new ContainerSpec.SecurityContext(7L, 8L, false, false,
        List.of(), List.of()), rootfs));
    ContainerStartException e = assertThrows(ContainerStartException.class,
        () -> OciSpec.user("nobody-here", none, rootfs));
    assertEquals("CreateContainerError", e.reason());
  }

  @Test
  void theSpecJoinsThePodsNamespacesAndMountsItsFilesAndVolumes() {
    ContainerSpec container = new ContainerSpec("main", "img", List.of(), List.of(), null,
        Map.of("OVERRIDDEN", "container"), 0, List.of(new Mount("/host/data", "/data", true)))
        .withCpuLimitMillis(250)
        .withSecurity(new ContainerSpec.SecurityContext(null, null, true, false, List.of(), List.of()));
    JsonNode spec = OciSpec.of(new OciSpec.Inputs(container, IMAGE, rootfs, 4242, true, "web", Path.of("/pod/etc"),
        "/troupe-oci/n/uid/main/0", 100), io.troupe.node.runtime.RecordFiles.JSON);
    assertEquals("/srv", spec.path("process").path("cwd").asText());
    List<String> env = new ArrayList<>();
    spec.path("process").path("env").forEach(e -> env.add(e.asText()));
    assertTrue(env.containsAll(List.of("PATH=/image/bin", "FROM_IMAGE=1", "OVERRIDDEN=container", "HOSTNAME=web")),
        env.toString());
    assertTrue(spec.path("root").path("readonly").asBoolean());
    List<String> namespaces = new ArrayList<>();
    spec.path("linux").path("namespaces").forEach(n -> namespaces.add(n.path("type").asText() + "="
        + n.path("path").asText("")));
    assertEquals(List.of("pid=", "mount=", "ipc=/proc/4242/ns/ipc", "uts=/proc/4242/ns/uts",
        "network=/proc/4242/ns/net"), namespaces);
    assertEquals(25_000, spec.path("linux").path("resources").path("cpu").path("quota").asLong());
    assertEquals(100, spec.path("linux").path("resources").path("pids").path("limit").asLong());
    List<String> mounts = new ArrayList<>();
    spec.path("mounts").forEach(m -> mounts.add(m.path("destination").asText() + "<-" + m.path("source").asText()
        + (m.path("options").toString().contains("\"ro\"") ? " ro" : "")));
    assertTrue(mounts.containsAll(List.of("/etc/hosts<-/pod/etc/hosts", "/etc/resolv.conf<-/pod/etc/resolv.conf",
        "/data<-/host/data ro")), mounts.toString());
  }
}
