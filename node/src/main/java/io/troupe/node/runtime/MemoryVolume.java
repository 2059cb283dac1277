package io.troupe.node.runtime;

/**
 * An {@code emptyDir} with {@code medium: Memory}: a tmpfs the runtime mounts on {@code path} in the pod's mount
 * namespace, shared by its containers and gone with the pod.
 *
 * @param sizeBytes the tmpfs' size ({@code sizeLimit}), 0 for the kernel's default (half the memory)
 */
public record MemoryVolume(String path, long sizeBytes) {}
