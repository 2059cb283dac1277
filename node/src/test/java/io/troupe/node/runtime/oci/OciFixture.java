package io.troupe.node.runtime.oci;

import static org.junit.jupiter.api.Assertions.fail;

import io.troupe.node.image.ImageService;
import io.troupe.node.image.ImageStore;
import io.troupe.node.image.ImageStoreSettings;
import io.troupe.node.image.TestImages;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** oci runtimes on a temporary state dir, and the pods a test made, removed after it. */
final class OciFixture {
  /** A tag: pulled only if not present (never, here: it is imported). */
  static final String BUSYBOX = "busybox:1.36";
  final Path stateDir;
  final String nodeName = "oci-" + UUID.randomUUID().toString().substring(0, 8);
  final ImageService images;
  private final List<OciRuntime> runtimes = new ArrayList<>();
  private final List<String> pods = new ArrayList<>();

  /** A fixture whose node holds the busybox image as {@link #BUSYBOX}, imported from a docker-save tarball. */
  OciFixture(Path dir) throws Exception {
    this.stateDir = Files.createDirectories(dir.resolve("state"));
    this.images = ImageStore.open(ImageStoreSettings.of(dir.resolve("images")));
    await(images.importTarball(TestImages.dockerSaveTarball(dir, BUSYBOX)));
  }

  /** Skips the calling test where containers cannot run: not root, no runc, no busybox to build images of. */
  static void assumeRunc() {
    TestImages.assumeBusybox();
    String problem = OciRuntime.problem("").orElse(null);
    Assumptions.assumeTrue(problem == null, () -> "skipped: " + problem);
  }

  OciRuntime runtime() {
    OciRuntime runtime = new OciRuntime(OciSettings.of(stateDir, nodeName), images, null);
    runtimes.add(runtime);
    return runtime;
  }

  /** A pod in loopback mode: the host's network, its own 127.x address. */
  PodSandbox pod(String name) {
    return pod(name, List.of());
  }

  /** A pod with {@code emptyDir}s of {@code medium: Memory}. */
  PodSandbox pod(String name, List<io.troupe.node.runtime.MemoryVolume> memoryVolumes) {
    PodSandbox pod = new PodSandbox(UUID.randomUUID().toString(), "default", name, "127.0.0.1", name, Map.of(),
        memoryVolumes, null);
    pods.add(pod.uid());
    return pod;
  }

  static ContainerSpec shell(String name, String image, String script) {
    return new ContainerSpec(name, image, List.of("sh", "-c", script), List.of(), null, Map.of(), 0);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return await(stage, Duration.ofSeconds(30));
  }

  static <T> T await(CompletionStage<T> stage, Duration timeout) throws Exception {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new AssertionError("not done within " + timeout, e);
    }
  }

  static ContainerExit exit(RunningContainer container) throws Exception {
    return await(container.exited());
  }

  static void eventually(Duration deadline, String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) fail("not within " + deadline + ": " + what);
      Thread.sleep(20);
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  String log(OciRuntime runtime, RunningContainer c) {
    return runtime.logFile(c.podUid(), c.name(), c.attempt()).map(OciFixture::read).orElse("");
  }

  String awaitLog(OciRuntime runtime, RunningContainer c, String text) throws InterruptedException {
    eventually(Duration.ofSeconds(20), "log of " + c.name() + " holds \"" + text + "\"",
        () -> log(runtime, c).contains(text));
    return log(runtime, c);
  }

  /** Removes every pod a test made (killing what is left) and closes the runtimes. */
  void close() throws Exception {
    OciRuntime cleaner = runtime();
    try {
      for (String uid : pods) await(cleaner.removePodSandbox(uid), Duration.ofSeconds(30));
    } finally {
      runtimes.forEach(OciRuntime::close);
      images.close();
    }
  }
}
