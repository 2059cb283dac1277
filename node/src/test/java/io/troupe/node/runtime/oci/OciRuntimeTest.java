package io.troupe.node.runtime.oci;

import static io.troupe.node.runtime.oci.OciFixture.BUSYBOX;
import static io.troupe.node.runtime.oci.OciFixture.await;
import static io.troupe.node.runtime.oci.OciFixture.exit;
import static io.troupe.node.runtime.oci.OciFixture.shell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real containers on runc, through the runtime alone (loopback mode: pods share the host's network). */
class OciRuntimeTest {
  @TempDir
  Path dir;
  private OciFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    OciFixture.assumeRunc();
    fixture = new OciFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (fixture != null) fixture.close();
  }

  @Test
  void twoContainersOfAPodReachEachOtherOnLocalhost() throws Exception {
    OciRuntime runtime = fixture.runtime();
    PodSandbox pod = fixture.pod("web");
    int port = freePort();
    await(runtime.runPodSandbox(pod));
    RunningContainer server = await(runtime.startContainer(pod, shell("server", BUSYBOX,
        "mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 127.0.0.1:" + port
            + " -h /www"), 0));
    RunningContainer client = await(runtime.startContainer(pod, shell("client", BUSYBOX,
        "until wget -q -O - http://localhost:" + port + "/; do sleep 0.2; done"), 0));
    assertEquals(0, exit(client).exitCode(), fixture.log(runtime, client));
    assertTrue(fixture.log(runtime, client).contains("hello-from-server"), fixture.log(runtime, client));
    ContainerExit stopped = await(runtime.stopContainer(server, Duration.ofSeconds(1)));
    assertEquals(137, stopped.exitCode(), "httpd, pid 1 of its container without a handler, ignores SIGTERM");
  }

  @Test
  void aContainerSeesOnlyItsOwnProcessesAndThePodsHostname() throws Exception {
    OciRuntime runtime = fixture.runtime();
    PodSandbox pod = fixture.pod("lonely");
    RunningContainer c = await(runtime.startContainer(pod, shell("main", BUSYBOX,
        "echo host=$(hostname); ps -o pid,comm; cat /etc/hosts"), 0));
    assertEquals(0, exit(c).exitCode());
    String log = fixture.log(runtime, c);
    assertTrue(log.contains("host=lonely"), log);
    List<String> processes = log.lines().filter(l -> l.matches("^\\S+ +\\d+ .*")).toList();
    assertEquals(2, processes.size(), "sh and ps only: " + log);
    assertTrue(processes.get(0).matches("^\\S+ +1 sh$"), "its shell is pid 1: " + log);
  }

  @Test
  void aMemoryHogOverItsLimitEndsOomKilled() throws Exception {
    OciRuntime runtime = fixture.runtime();
    ContainerSpec hog = new ContainerSpec("hog", BUSYBOX, List.of("sh", "-c",
        "echo start; x=$(yes | head -c 200000000); echo survived"), List.of(), null, Map.of(), 32L << 20);
    RunningContainer c = await(runtime.startContainer(fixture.pod("hog"), hog, 0));
    ContainerExit exit = exit(c);
    assertEquals("OOMKilled", exit.reason(), exit + " " + fixture.log(runtime, c));
    assertEquals(137, exit.exitCode());
  }

  @Test
  void aReadOnlyRootFilesystemCannotBeWrittenAndCapabilitiesAreDroppedByDefault() throws Exception {
    OciRuntime runtime = fixture.runtime();
    PodSandbox pod = fixture.pod("locked");
    ContainerSpec ro = shell("ro", BUSYBOX, "touch /newfile && echo wrote; touch /tmp/x && echo tmp-wrote; "
        + "mkdir -p /proc/x; mount -t tmpfs none /mnt 2>&1 || echo mount-denied")
        .withSecurity(new ContainerSpec.SecurityContext(null, null, true, false, List.of(), List.of()));
    RunningContainer c = await(runtime.startContainer(pod, ro, 0));
    exit(c);
    String log = fixture.log(runtime, c);
    assertTrue(!log.contains(" wrote") && log.contains("Read-only file system"), log);
    assertTrue(log.contains("mount-denied"), "no SYS_ADMIN: " + log);
    RunningContainer rw = await(runtime.startContainer(pod, shell("rw", BUSYBOX, "touch /newfile && echo wrote"),
        0));
    exit(rw);
    assertTrue(fixture.log(runtime, rw).contains("wrote"), fixture.log(runtime, rw));
  }

  @Test
  void theUserAndTheCpuAndPidsLimitsComeFromTheSpec() throws Exception {
    OciRuntime runtime = fixture.runtime();
    ContainerSpec spec = shell("main", BUSYBOX, "echo uid=$(id -u) gid=$(id -g); "
        + "echo quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max); "
        + "echo pids=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)")
        .withCpuLimitMillis(500)
        .withSecurity(new ContainerSpec.SecurityContext(1000L, 2000L, false, false, List.of(), List.of()));
    RunningContainer c = await(runtime.startContainer(fixture.pod("limited"), spec, 0));
    assertEquals(0, exit(c).exitCode(), fixture.log(runtime, c));
    String log = fixture.log(runtime, c);
    assertTrue(log.contains("uid=1000 gid=2000"), log);
    assertTrue(log.contains("quota=50000"), "500m is 50 ms of every 100 ms: " + log);
    assertTrue(log.contains("pids=4096"), log);
  }

  @Test
  void aMemoryVolumeIsATmpfsSharedByThePodsContainersAndGoneWithThePod() throws Exception {
    OciRuntime runtime = fixture.runtime();
    java.nio.file.Path volume = java.nio.file.Files.createDirectories(dir.resolve("volumes/cache"));
    PodSandbox pod = fixture.pod("cached", List.of(new io.troupe.node.runtime.MemoryVolume(volume.toString(),
        16L << 20)));
    ContainerSpec writer = new ContainerSpec("writer", BUSYBOX, List.of("sh", "-c",
        "grep ' /cache ' /proc/mounts; echo shared > /cache/note"), List.of(), null, Map.of(), 0,
        List.of(new io.troupe.node.runtime.Mount(volume.toString(), "/cache", false)));
    RunningContainer w = await(runtime.startContainer(pod, writer, 0));
    assertEquals(0, exit(w).exitCode(), fixture.log(runtime, w));
    assertTrue(fixture.log(runtime, w).contains("tmpfs /cache tmpfs"), fixture.log(runtime, w));
    ContainerSpec reader = new ContainerSpec("reader", BUSYBOX, List.of("cat", "/cache/note"), List.of(), null,
        Map.of(), 0, List.of(new io.troupe.node.runtime.Mount(volume.toString(), "/cache", true)));
    RunningContainer r = await(runtime.startContainer(pod, reader, 0));
    assertEquals(0, exit(r).exitCode());
    assertTrue(fixture.log(runtime, r).contains("shared"), fixture.log(runtime, r));
    await(runtime.removePodSandbox(pod.uid()));
    assertTrue(!java.nio.file.Files.exists(volume.resolve("note")), "the tmpfs is unmounted with the pod");
  }

  @Test
  void execRunsInsideTheContainer() throws Exception {
    OciRuntime runtime = fixture.runtime();
    ContainerSpec spec = new ContainerSpec("main", BUSYBOX, List.of("sh", "-c", "echo ready; exec sleep 600"),
        List.of(), "/tmp", Map.of("GREETING", "hi"), 0);
    RunningContainer c = await(runtime.startContainer(fixture.pod("exec"), spec, 0));
    fixture.awaitLog(runtime, c, "ready");
    ExecResult r = await(runtime.exec(c, List.of("sh", "-c", "echo $GREETING $(pwd); ps -o comm | grep -c sleep"),
        Duration.ofSeconds(10)));
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().startsWith("hi /tmp"), r.output());
    ExecResult failed = await(runtime.exec(c, List.of("sh", "-c", "exit 1"), Duration.ofSeconds(10)));
    assertEquals(1, failed.exitCode());
    ExecResult slow = await(runtime.exec(c, List.of("sleep", "30"), Duration.ofMillis(500)));
    assertTrue(slow.timedOut());
    await(runtime.stopContainer(c, Duration.ofSeconds(5)));
  }

  @Test
  void aMissingImageIsErrImagePull() throws Exception {
    OciRuntime runtime = fixture.runtime();
    ContainerStartException e = assertThrows(ContainerStartException.class, () -> await(runtime.startContainer(
        fixture.pod("nothing"), shell("main", "no-such-image:1", "true"), 0)));
    assertEquals("ErrImagePull", e.reason());
    ContainerStartException notFound = assertThrows(ContainerStartException.class, () -> await(
        runtime.startContainer(fixture.pod("nocmd"), new ContainerSpec("main", BUSYBOX, List.of("no-such-cmd"),
            List.of(), null, Map.of(), 0), 0)));
    assertEquals("RunContainerError", notFound.reason());
  }

  @Test
  void aRestartedRuntimeAdoptsRunningContainersAndReadsTheExitsOfEndedOnes() throws Exception {
    OciRuntime first = fixture.runtime();
    PodSandbox pod = fixture.pod("survivor");
    RunningContainer running = await(first.startContainer(pod, shell("long", BUSYBOX,
        "echo started; trap 'echo bye; exit 3' TERM; while :; do sleep 0.1; done"), 0));
    RunningContainer quick = await(first.startContainer(pod, shell("quick", BUSYBOX, "sleep 1; exit 7"), 0));
    fixture.awaitLog(first, running, "started");
    first.close(); // as a kill of the agent: its containers run on

    OciFixture.eventually(Duration.ofSeconds(10), "quick ended", () -> !io.troupe.node.runtime.process.ProcessTable
        .alive(quick.pid(), io.troupe.node.runtime.process.ProcessTable.startTime(quick.pid()).orElse(-1L)));
    OciRuntime second = fixture.runtime();
    List<RunningContainer> found = await(second.recover());
    RunningContainer adopted = found.stream().filter(c -> c.name().equals("long")).findFirst().orElseThrow();
    RunningContainer ended = found.stream().filter(c -> c.name().equals("quick")).findFirst().orElseThrow();
    assertEquals(running.pid(), adopted.pid(), "the same shim, not a second start");
    assertEquals(7, exit(ended).exitCode());
    assertEquals(1, fixture.log(second, adopted).lines().filter(l -> l.endsWith(" started")).count());
    ContainerExit exit = await(second.stopContainer(adopted, Duration.ofSeconds(5)));
    assertEquals(3, exit.exitCode());
    assertTrue(fixture.awaitLog(second, adopted, "bye").contains("bye"));
    assertNotEquals(null, exit.finishedAt());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
