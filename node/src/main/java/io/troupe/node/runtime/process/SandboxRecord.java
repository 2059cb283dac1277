package io.troupe.node.runtime.process;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A pod's sandbox as recorded on disk ({@code sandbox.json}). With namespaces it is a pause process: {@code
 * unshare} (the process group's leader) and its child, the init of the pod's PID namespace that every
 * container joins; without, just the pod's folder (the pids are 0).
 *
 * @param netns the pod's own network namespace ({@code /run/netns/troupe-<uid>}, bridge mode), which the pause
 *     process joined; null where the pod shares the host's
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record SandboxRecord(String uid, String namespace, String name, String hostname, long pausePid,
    long pauseStartTime, long initPid, long initStartTime, String netns) {

  boolean namespaced() {
    return initPid > 0;
  }

  /** Whether its namespaces still exist (always true without namespaces). */
  boolean alive() {
    return !namespaced() || ProcessTable.alive(initPid, initStartTime);
  }
}
