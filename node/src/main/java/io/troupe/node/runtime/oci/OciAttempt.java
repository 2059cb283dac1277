package io.troupe.node.runtime.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.RunningContainer;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * One attempt of a container as recorded on disk ({@code <attempt>.json}): enough to find its shim and its runc
 * container again after the agent restarts.
 *
 * @param runcId the container's id in runc's state
 * @param shimPid the shim that runs {@code runc run} and records its exit status (0 while starting)
 * @param shimStartTime the shim's start time in {@code /proc/<pid>/stat}: a pid reused later is not it
 * @param memoryEventsBefore the container cgroup's memory counter when the attempt started ({@link OciCgroups})
 * @param overlay whether the root filesystem is an overlay mount (else a copy)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OciAttempt(String podUid, String podNamespace, String podName, String container, int attempt,
    String runcId, long shimPid, long shimStartTime, Instant startedAt, long memoryLimitBytes,
    long memoryEventsBefore, boolean overlay) {

  OciAttempt started(long pid, long startTime) {
    return new OciAttempt(podUid, podNamespace, podName, container, attempt, runcId, pid, startTime, startedAt,
        memoryLimitBytes, memoryEventsBefore, overlay);
  }

  RunningContainer view(CompletionStage<ContainerExit> exited) {
    return new RunningContainer(podUid, container, attempt, shimPid, startedAt, memoryLimitBytes > 0, exited);
  }

  String key() {
    return key(podUid, container, attempt);
  }

  static String key(String podUid, String container, int attempt) {
    return podUid + "/" + container + "/" + attempt;
  }
}
