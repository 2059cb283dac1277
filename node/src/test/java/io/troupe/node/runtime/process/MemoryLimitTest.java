package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resources.limits.memory} through a memory cgroup; skipped where the host has no writable one. */
class MemoryLimitTest {
  private static final long LIMIT = 32L * 1024 * 1024;

  @TempDir
  Path dir;
  RuntimeFixture fixture;
  ProcessRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    fixture = new RuntimeFixture(dir);
    runtime = fixture.runtime();
    Assumptions.assumeTrue(await(runtime.memoryLimitsEnforced()), "no writable memory cgroup");
    Assumptions.assumeTrue(HostTools.find("python3").isPresent(), "needs python3");
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void aContainerAllocatingBeyondItsLimitIsOomKilled() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("hungry"),
        python("b = bytearray(256 * 1024 * 1024); print('survived', len(b))"), 0));

    ContainerExit exit = await(c.exited());

    assertTrue(c.memoryLimitEnforced());
    assertEquals("OOMKilled", exit.reason(), exit.toString());
    assertEquals(137, exit.exitCode());
  }

  @Test
  void aContainerWithinItsLimitRunsAndTheNextAttemptIsNotBlamedForAnEarlierOom() throws Exception {
    var pod = fixture.pod("modest");
    RunningContainer hungry = await(runtime.startContainer(pod, python("b = bytearray(256 * 1024 * 1024)"), 0));
    assertEquals("OOMKilled", await(hungry.exited()).reason());

    RunningContainer modest = await(runtime.startContainer(pod, python("b = bytearray(4 * 1024 * 1024)"), 1));

    assertEquals(new ContainerExit(0, "Completed", await(modest.exited()).finishedAt(), null),
        await(modest.exited()));
  }

  private static ContainerSpec python(String code) {
    return new ContainerSpec("main", "host", List.of("python3", "-c", code), List.of(), null, Map.of(), LIMIT);
  }
}
