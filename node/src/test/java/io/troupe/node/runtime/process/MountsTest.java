package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.Mount;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's volume mounts in the process runtime: bind mounts in a mount namespace of the container's own
 * where the host allows namespaces (exec joins it), the node's directory in a variable where it does not.
 */
class MountsTest {
  @TempDir
  Path dir;
  RuntimeFixture fixture;

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) fixture.close();
  }

  ContainerSpec withMounts(String script, Mount... mounts) {
    return new ContainerSpec("main", "host", List.of("sh", "-c", script), List.of(), null, Map.of(), 0,
        List.of(mounts));
  }

  @Test
  void withoutNamespacesAContainerFindsItsVolumeThroughItsVariable() throws Exception {
    fixture = new RuntimeFixture(dir);
    ProcessRuntime runtime = fixture.runtime(); // namespaces off
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Mount mount = new Mount(volume.toString(), "/var/lib/data", false);
    assertEquals("TROUPE_MOUNT_VAR_LIB_DATA", mount.variable());
    RunningContainer c = await(runtime.startContainer(fixture.pod("plain"),
        withMounts("echo written > \"$TROUPE_MOUNT_VAR_LIB_DATA/file\"; echo at $TROUPE_MOUNT_VAR_LIB_DATA", mount),
        0));
    fixture.awaitLog(runtime, c, "at " + volume);
    assertEquals("written", Files.readString(volume.resolve("file")).trim());
  }

  @Test
  void withNamespacesEachMountIsTheContainersOwnAndExecSeesIt() throws Exception {
    Assumptions.assumeTrue(HostTools.probe().namespacesWork(), "needs root and a working unshare");
    fixture = new RuntimeFixture(dir);
    ProcessRuntime runtime = fixture.runtime(fixture.settings(ProcessRuntimeSettings.Namespaces.ON));
    Path data = Files.createDirectories(dir.resolve("data"));
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("setting"), "on\n");
    Path target = dir.resolve("mnt");
    RunningContainer c = await(runtime.startContainer(fixture.pod("mounted"), withMounts(
        "echo kept > " + target + "/data/file; if touch " + target + "/config/new 2>/dev/null; then echo writable;"
            + " else echo read-only; fi; echo var=$TROUPE_MOUNT_" + new Mount("", target + "/data", false).variable()
            .substring("TROUPE_MOUNT_".length()) + "; exec sleep 1000",
        new Mount(data.toString(), target + "/data", false),
        new Mount(config.toString(), target + "/config", true)), 0));
    String log = fixture.awaitLog(runtime, c, "var=");
    assertTrue(log.contains("read-only"), log);
    assertTrue(log.contains("var=" + target + "/data"), "the variable names the mount path: " + log);
    assertEquals("kept", Files.readString(data.resolve("file")).trim(), "written through the bind mount");
    assertFalse(Files.exists(target.resolve("data/file")), "the host sees only an empty mount point");
    ExecResult exec = await(runtime.exec(c, List.of("cat", target + "/config/setting"), Duration.ofSeconds(5)));
    assertEquals(0, exec.exitCode(), exec.output());
    assertEquals("on", exec.output().trim(), "exec runs in the container's mount namespace");
  }

  @Test
  void aMissingSourceIsAStartError() throws Exception {
    fixture = new RuntimeFixture(dir);
    ProcessRuntime runtime = fixture.runtime();
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> await(runtime.startContainer(
        fixture.pod("missing"), withMounts("true", new Mount(dir.resolve("nope").toString(), "/data", false)), 0)));
    assertTrue(e.getMessage().contains("source path " + dir.resolve("nope") + " does not exist"), e.getMessage());
  }
}
