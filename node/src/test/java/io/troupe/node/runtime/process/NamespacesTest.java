package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static io.troupe.node.runtime.process.RuntimeFixture.exit;
import static io.troupe.node.runtime.process.RuntimeFixture.shell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.DnsConfig;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pods in their own PID, UTS, IPC and mount namespaces; skipped where the host cannot make them. */
class NamespacesTest {
  @TempDir
  Path dir;
  RuntimeFixture fixture;
  ProcessRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(HostTools.probe().namespacesWork(), "needs root and a working unshare");
    fixture = new RuntimeFixture(dir);
    runtime = fixture.runtime(fixture.settings(ProcessRuntimeSettings.Namespaces.ON));
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aPodHasItsOwnHostnameAndPidNamespace() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("web-1"),
        shell("main", "echo \"pid $$ host $(hostname)\""), 0));

    assertEquals(0, exit(c).exitCode());
    String log = RuntimeFixture.read(fixture.log(runtime, c));
    Matcher m = Pattern.compile("pid (\\d+) host (\\S+)").matcher(log);
    assertTrue(m.find(), log);
    assertTrue(Long.parseLong(m.group(1)) < 10, "not a new PID namespace: " + log);
    assertEquals("web-1", m.group(2));
  }

  @Test
  void theContainersOfAPodShareTheirNamespacesAndExecJoinsThem() throws Exception {
    PodSandbox pod = fixture.pod("shared");
    RunningContainer server = await(runtime.startContainer(pod, shell("server", "exec sleep 1000"), 0));
    RunningContainer sidecar = await(runtime.startContainer(pod,
        shell("sidecar", "for p in /proc/[0-9]*; do cat $p/comm; done"), 0));

    assertEquals(0, exit(sidecar).exitCode());
    String seen = RuntimeFixture.read(fixture.log(runtime, sidecar));
    assertTrue(seen.contains(" sleep\n"), "the sidecar does not see the server's process: " + seen);
    assertFalse(seen.contains(" java\n"), "the sidecar sees the host's processes: " + seen);

    var hostname = await(runtime.exec(server, List.of("hostname"), Duration.ofSeconds(5)));
    assertEquals("shared\n", hostname.output());
    var ps = await(runtime.exec(server, List.of("sh", "-c", "echo $$"), Duration.ofSeconds(5)));
    assertTrue(Long.parseLong(ps.output().trim()) < 100, ps.output());

    ContainerExit exit = await(runtime.stopContainer(server, Duration.ofSeconds(5)));
    assertEquals(143, exit.exitCode());
    assertTrue(RuntimeFixture.gone(server.pid()));
  }

  @Test
  void whatAnExecLeavesRunningInThePodIsKilledWhenTheExecEnds() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("exec-leaver"), shell("main", "exec sleep 1000"),
        0));

    var exec = await(runtime.exec(c, List.of("sh", "-c", "sleep 987654 > /dev/null 2>&1 & echo started"),
        Duration.ofSeconds(5)));

    assertEquals("started\n", exec.output());
    // orphaned by the exec's shell, the sleep went to the pod's init: found there, by its process group
    assertTrue(Await.until(Duration.ofSeconds(5), () -> ProcessTable.withArgument("987654").isEmpty()),
        "the exec's background sleep outlived it: " + ProcessTable.withArgument("987654"));
    assertFalse(c.exited().toCompletableFuture().isDone(), "the container ended with the exec");

    var timedOut = await(runtime.exec(c, List.of("sh", "-c", "sleep 987655; echo done"), Duration.ofMillis(300)));

    assertTrue(timedOut.timedOut());
    assertTrue(Await.until(Duration.ofSeconds(5), () -> ProcessTable.withArgument("987655").isEmpty()),
        "the timed-out exec's sleep outlived it: " + ProcessTable.withArgument("987655"));
  }

  @Test
  void aContainerIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("stubborn"),
        shell("main", "trap '' TERM; echo ready; while :; do sleep 0.05; done"), 0));
    fixture.awaitLog(runtime, c, "ready");

    ContainerExit exit = await(runtime.stopContainer(c, Duration.ofMillis(300)));

    assertEquals(137, exit.exitCode());
    assertTrue(RuntimeFixture.gone(c.pid()));
  }

  @Test
  void aContainerInNamespacesIsAdoptedAfterARestart() throws Exception {
    PodSandbox pod = fixture.pod("adopted");
    RunningContainer started = await(runtime.startContainer(pod, shell("main", "echo up; exec sleep 1000"), 0));
    fixture.awaitLog(runtime, started, "up");
    runtime.close();

    ProcessRuntime after = fixture.runtime(fixture.settings(ProcessRuntimeSettings.Namespaces.ON));
    RunningContainer adopted = await(after.recover()).get(0);

    assertEquals(started.pid(), adopted.pid());
    assertEquals("adopted\n", await(after.exec(adopted, List.of("hostname"), Duration.ofSeconds(5))).output());
    await(after.removePodSandbox(pod.uid()));
    assertEquals(137, await(adopted.exited()).exitCode());
    assertTrue(RuntimeFixture.gone(adopted.pid()));
  }

  @Test
  void everyContainerOfAPodSeesItsResolvConfAndTheHostKeepsItsOwn() throws Exception {
    Path hostFile = Path.of("/etc/resolv.conf");
    Assumptions.assumeTrue(java.nio.file.Files.exists(hostFile), "the host has no /etc/resolv.conf");
    String host = java.nio.file.Files.readString(hostFile);
    DnsConfig dns = new DnsConfig(List.of("127.32.0.10"),
        List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local"), List.of("ndots:5"));
    PodSandbox pod = fixture.pod("resolver", dns);
    RunningContainer plain = await(runtime.startContainer(pod, shell("plain", "cat /etc/resolv.conf; exec sleep 1000"),
        0));
    java.nio.file.Path volume = java.nio.file.Files.createDirectories(dir.resolve("volume"));
    RunningContainer mounted = await(runtime.startContainer(pod, new io.troupe.node.runtime.ContainerSpec("mounted",
        "host", List.of("sh", "-c", "cat /etc/resolv.conf"), List.of(), null, java.util.Map.of(), 0,
        List.of(new io.troupe.node.runtime.Mount(volume.toString(), "/var/lib/data", false))), 0));

    String expected = "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.32.0.10\n"
        + "options ndots:5\n";
    assertEquals(expected, dns.resolvConf());
    assertTrue(fixture.awaitLog(runtime, plain, "nameserver 127.32.0.10").contains(" options ndots:5"));
    assertEquals(0, exit(mounted).exitCode());
    assertTrue(RuntimeFixture.read(fixture.log(runtime, mounted)).contains(" nameserver 127.32.0.10"),
        "a container with its own mount namespace sees it too");
    assertEquals(expected, await(runtime.exec(plain, List.of("cat", "/etc/resolv.conf"), Duration.ofSeconds(5)))
        .output());
    assertEquals(host, java.nio.file.Files.readString(hostFile), "the host's file is untouched");

    RunningContainer other = await(runtime.startContainer(fixture.pod("host-dns"),
        shell("main", "cat /etc/resolv.conf"), 0));
    assertEquals(0, exit(other).exitCode());
    assertFalse(RuntimeFixture.read(fixture.log(runtime, other)).contains("127.32.0.10"),
        "a pod without DNS settings has the host's");
  }
}
