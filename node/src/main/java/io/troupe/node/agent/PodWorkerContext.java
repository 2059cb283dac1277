package io.troupe.node.agent;

import io.troupe.node.probe.Prober;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.volume.PodVolumes;
import io.troupe.persistence.store.Store;

/**
 * What every pod worker of one node shares: the store, the runtime, the prober, the settings, the node's
 * identity, the volume manager.
 *
 * @param probesRun false in the simulated runtime: nothing listens there, so containers are ready at once
 * @param volumes null where pods have no files (the simulated runtime): their volumes are not set up
 */
record PodWorkerContext(Store store, ContainerRuntime runtime, Prober prober, boolean probesRun,
    NodeAgentSettings settings, String nodeName, String hostIp, ContainerSpecs containerSpecs, PodEvents events,
    PodVolumes volumes) {}
