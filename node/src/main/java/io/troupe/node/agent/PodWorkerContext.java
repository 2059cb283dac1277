package io.troupe.node.agent;

import io.troupe.node.probe.Prober;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.persistence.store.Store;

/**
 * What every pod worker of one node shares: the store, the runtime, the prober, the settings, the node's
 * identity.
 *
 * @param probesRun false in the simulated runtime: nothing listens there, so containers are ready at once
 */
record PodWorkerContext(Store store, ContainerRuntime runtime, Prober prober, boolean probesRun,
    NodeAgentSettings settings, String nodeName, String hostIp, ContainerSpecs containerSpecs, PodEvents events) {}
