package io.troupe.node.runtime.process;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.troupe.node.runtime.RunningContainer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One attempt of a container as recorded on disk ({@code <attempt>.json}), enough to find its processes again
 * after the agent restarts and to run commands in it.
 *
 * @param pid the container's wrapper shell, which lives as long as the container's command (0 while starting)
 * @param pgid the attempt's process group: the wrapper's, or with namespaces the {@code nsenter} above it
 * @param startTime the wrapper's start time in {@code /proc/<pid>/stat}: a pid reused later is not it
 * @param groupStartTime the start time of the group's leader: a group numbered alike later is not it
 * @param memoryLimitBytes the limit asked for, 0 for none
 * @param oomKillsBefore the container cgroup's OOM kill count when the attempt started
 * @param cgroupProcs the container cgroup's {@code cgroup.procs}, or null without cgroups
 * @param sandboxInit the pod's namespaces as the host pid of their init, or 0 without namespaces
 * @param workingDir and {@code env}: what {@code exec} runs with
 * @param ownMounts whether the container has a mount namespace of its own (its volumes mounted there), which
 *     {@code exec} joins instead of the pod's
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record AttemptRecord(String podUid, String podNamespace, String podName, String container, int attempt,
    long pid, long pgid, long startTime, long groupStartTime, Instant startedAt, long memoryLimitBytes,
    boolean memoryLimitEnforced, long oomKillsBefore,
    String cgroupProcs, long sandboxInit, String workingDir, Map<String, String> env, boolean ownMounts) {

  AttemptRecord {
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  AttemptRecord started(long wrapperPid, long wrapperStartTime, long groupId, long groupLeaderStartTime) {
    return new AttemptRecord(podUid, podNamespace, podName, container, attempt, wrapperPid, groupId,
        wrapperStartTime, groupLeaderStartTime, startedAt, memoryLimitBytes, memoryLimitEnforced, oomKillsBefore,
        cgroupProcs, sandboxInit, workingDir, env, ownMounts);
  }

  RunningContainer view(CompletionStage<io.troupe.node.runtime.ContainerExit> exited) {
    return new RunningContainer(podUid, container, attempt, pid, startedAt, memoryLimitEnforced, exited);
  }

  String key() {
    return key(podUid, container, attempt);
  }

  static String key(String podUid, String container, int attempt) {
    return podUid + "/" + container + "/" + attempt;
  }
}
