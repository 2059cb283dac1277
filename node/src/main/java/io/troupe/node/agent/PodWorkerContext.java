package io.troupe.node.agent;

import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.persistence.store.Store;

/** What every pod worker of one node shares: the store, the runtime, the settings, the node's identity. */
record PodWorkerContext(Store store, ContainerRuntime runtime, NodeAgentSettings settings, String nodeName,
    String hostIp, ContainerSpecs environment, PodEvents events) {}
