package io.troupe.node.runtime;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * One attempt of a container that the runtime started (or adopted after a restart).
 *
 * @param pid the process the runtime watches (0 in a runtime without processes)
 * @param memoryLimitEnforced whether a memory limit asked for is enforced (false where the host has no
 *     writable memory cgroup, or when no limit was asked for)
 * @param exited completes once every process of this attempt is gone
 */
public record RunningContainer(String podUid, String name, int attempt, long pid, Instant startedAt,
    boolean memoryLimitEnforced, CompletionStage<ContainerExit> exited) {}
