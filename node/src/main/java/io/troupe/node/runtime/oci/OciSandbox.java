package io.troupe.node.runtime.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.troupe.node.runtime.process.ProcessTable;
import java.util.List;

/**
 * A pod's sandbox as recorded on disk ({@code sandbox.json}): its pause process, which holds the pod's IPC and
 * UTS namespaces and sits in its network namespace; the containers join them by path.
 *
 * @param memoryVolumes the host folders of its memory volumes, tmpfs mounts until the pod is removed
 * @param netns the pod's own network namespace (bridge mode), null where the pod shares the host's
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OciSandbox(String uid, String namespace, String name, String hostname, long pausePid, long pauseStartTime,
    String netns, List<String> memoryVolumes) {

  OciSandbox {
    memoryVolumes = memoryVolumes == null ? List.of() : List.copyOf(memoryVolumes);
  }

  boolean alive() {
    return ProcessTable.alive(pausePid, pauseStartTime);
  }
}
