package io.troupe.node.runtime.process;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A pod's sandbox as recorded on disk ({@code sandbox.json}). With namespaces it is a pause process: {@code
 * unshare} (the process group's leader) and its child, the init of the pod's PID namespace that every
 * container joins; without, just the pod's folder (the pids are 0).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record SandboxRecord(String uid, String namespace, String name, String hostname, long pausePid,
    long pauseStartTime, long initPid, long initStartTime) {

  boolean namespaced() {
    return initPid > 0;
  }

  /** Whether its namespaces still exist (always true without namespaces). */
  boolean alive() {
    return !namespaced() || ProcessTable.alive(initPid, initStartTime);
  }
}
