package io.troupe.node.runtime.oci;

import io.troupe.node.image.Image;
import io.troupe.node.image.ImageConfig;
import io.troupe.node.image.ImagePullException;
import io.troupe.node.image.ImageService;
import io.troupe.node.image.ImageSummary;
import io.troupe.node.image.PullPolicy;
import io.troupe.node.image.RegistryCredential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** TEMPORARY until the image store lands: one unpacked busybox layer as the image {@code busybox}. */
final class BusyboxLayer implements ImageService {
  private final Path layer;

  BusyboxLayer(Path dir) throws IOException {
    layer = Files.createDirectories(dir.resolve("busybox-layer"));
    for (String d : List.of("bin", "etc", "tmp", "proc", "sys", "dev", "root")) Files.createDirectories(layer.resolve(d));
    Files.copy(Path.of("/usr/bin/busybox"), layer.resolve("bin/busybox"));
    for (String a : List.of("sh", "ps", "wget", "httpd", "sleep", "cat", "echo", "mount", "touch", "yes", "head",
        "hostname", "id", "dd", "env", "ls", "true", "kill")) {
      Files.createSymbolicLink(layer.resolve("bin").resolve(a), Path.of("busybox"));
    }
    Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  }

  @Override
  public CompletionStage<Image> ensure(String reference, PullPolicy policy, List<RegistryCredential> credentials) {
    if (!reference.startsWith("busybox")) {
      return CompletableFuture.failedFuture(new ImagePullException("ErrImagePull", "no image " + reference));
    }
    return CompletableFuture.completedFuture(new Image("docker.io/library/busybox:latest", "sha256:0",
        List.of(layer), new ImageConfig(List.of(), List.of("sh"), List.of("PATH=/bin"), "", "")));
  }

  @Override
  public CompletionStage<List<ImageSummary>> importTarball(Path tarball) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<List<ImageSummary>> list() {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public CompletionStage<Boolean> remove(String reference) {
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public void close() {}
}
