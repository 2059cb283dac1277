package io.troupe.node.runtime.oci;

import io.troupe.node.image.Image;
import io.troupe.node.runtime.process.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An attempt's root filesystem: an overlay of the image's layers (read-only, shared by every container of the
 * image) with a writable layer of its own, as containerd's overlayfs snapshotter makes it; a copy of the layers
 * where overlayfs cannot be mounted (the state dir on a filesystem that cannot be an upper layer, a kernel
 * without overlayfs, a lowerdir option past the page size).
 */
final class RootFilesystem {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RootFilesystem.class);

  private RootFilesystem() {}

  /** Blocking: {@code <bundle>/rootfs} made; true for an overlay, false for a copy. */
  static boolean create(HostTools tools, Image image, Path bundle) throws IOException {
    Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
    Path upper = Files.createDirectories(bundle.resolve("upper"));
    Path work = Files.createDirectories(bundle.resolve("work"));
    List<Path> layers = new ArrayList<>(image.layers());
    if (layers.isEmpty()) layers.add(Files.createDirectories(bundle.resolve("empty")));
    List<String> lower = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) lower.add(layers.get(i).toString()); // the top one first
    String options = "lowerdir=" + String.join(":", lower) + ",upperdir=" + upper + ",workdir=" + work;
    try {
      Mounts.run(List.of(HostTools.require(tools.mount(), "mount").toString(), "-t", "overlay", "overlay", "-o",
          options, rootfs.toString()), "CreateContainerError", "cannot mount the overlay");
      return true;
    } catch (RuntimeException e) {
      log.info("copying the layers of {} instead: {}", image.reference(), e.getMessage());
    }
    for (Path layer : image.layers()) {
      Mounts.run(List.of(HostTools.find("cp").orElse(Path.of("/bin/cp")).toString(), "-a", layer + "/.",
          rootfs + "/"), "CreateContainerError", "cannot copy the image's layer " + layer);
    }
    return false;
  }

  /** Unmounts the overlay (if any) and deletes the bundle. */
  static void remove(HostTools tools, Path bundle) {
    Mounts.unmount(tools, bundle.resolve("rootfs"));
    if (Mounts.isMountPoint(bundle.resolve("rootfs"))) return; // never delete through a mount
    deleteTree(bundle);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot remove {}: {}", dir, e.toString());
    }
  }
}
