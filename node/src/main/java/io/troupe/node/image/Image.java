package io.troupe.node.image;

import java.nio.file.Path;
import java.util.List;

/**
 * An image ready to run.
 *
 * @param reference the normalized reference asked for ({@code docker.io/library/busybox:latest})
 * @param id the digest of the image's config ({@code sha256:...}), as {@code crictl images} shows it
 * @param layers the unpacked layers, bottom first: the lower directories of an overlay (or what to copy in order)
 * @param config the image's defaults
 */
public record Image(String reference, String id, List<Path> layers, ImageConfig config) {
  public Image {
    layers = List.copyOf(layers);
  }
}
