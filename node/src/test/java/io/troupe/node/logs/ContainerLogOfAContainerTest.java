package io.troupe.node.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.runtime.process.ProcessRuntime;
import io.troupe.node.runtime.process.ProcessRuntimeSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kubectl logs -f} of a real container: its lines as it writes them, to its end. */
class ContainerLogOfAContainerTest {
  @TempDir
  Path dir;

  @Test
  void followingAContainersLogEndsWithTheContainer() throws Exception {
    ActorSystem system = ActorSystem.create("ContainerLogOfAContainerTest");
    ProcessRuntime runtime = new ProcessRuntime(ProcessRuntimeSettings.of(dir.resolve("state"),
        dir.resolve("images"), "test-" + UUID.randomUUID().toString().substring(0, 8))
        .withNamespaces(ProcessRuntimeSettings.Namespaces.OFF));
    PodSandbox pod = new PodSandbox(UUID.randomUUID().toString(), "default", "talker", "127.0.0.1", "talker",
        Map.of());
    try {
      RunningContainer c = runtime.startContainer(pod, new ContainerSpec("main", "host", List.of("sh", "-c",
          "for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done; echo bye >&2"), List.of(), null, Map.of(), 0),
          0).toCompletableFuture().get(10, TimeUnit.SECONDS);
      Path log = runtime.logFile(pod.uid(), "main", 0).orElseThrow();

      String out = ContainerLog.read(log, LogOptions.DEFAULT.withFollow(true), c.exited())
          .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Materializer.createMaterializer(system))
          .toCompletableFuture().get(10, TimeUnit.SECONDS).utf8String();

      assertTrue(c.exited().toCompletableFuture().isDone());
      assertEquals("line 1\nline 2\nline 3\nline 4\nline 5\nbye\n", out);
    } finally {
      runtime.removePodSandbox(pod.uid()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      runtime.close();
      TestKit.shutdownActorSystem(system);
    }
  }
}
