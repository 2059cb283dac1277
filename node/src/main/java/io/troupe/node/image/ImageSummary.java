package io.troupe.node.image;

import java.util.List;

/**
 * One image a node holds, as {@code troupe image ls} and the Node's {@code status.images} show it.
 *
 * @param id the config digest
 * @param names its references ({@code docker.io/library/busybox:latest}) and {@code repo@sha256:...} digests
 * @param sizeBytes the unpacked size of its layers
 */
public record ImageSummary(String id, List<String> names, long sizeBytes) {
  public ImageSummary {
    names = List.copyOf(names);
  }
}
