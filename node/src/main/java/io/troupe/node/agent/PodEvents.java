package io.troupe.node.agent;

import io.troupe.persistence.model.Events;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.EventRecorder;
import io.troupe.persistence.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The events a node agent records about its pods (Started, Killing, BackOff, Unhealthy, Failed...). */
final class PodEvents {
  private static final Logger log = LoggerFactory.getLogger(PodEvents.class);
  private final Store store;
  private final String nodeName;

  PodEvents(Store store, String nodeName) {
    this.store = store;
    this.nodeName = nodeName;
  }

  void normal(KubeObject pod, String reason, String message) {
    record(pod, "Normal", reason, message);
  }

  void warning(KubeObject pod, String reason, String message) {
    record(pod, "Warning", reason, message);
  }

  /** Fire and forget, as Kubernetes' event recorder: an event lost to a failed write is only logged. */
  private void record(KubeObject pod, String type, String reason, String message) {
    EventRecorder.record(store, Events.about(pod, type, reason, message, "kubelet", nodeName)).whenComplete((r, e) -> {
      if (e != null) log.debug("event {} for {} not recorded: {}", reason, pod.key(), e.getMessage());
    });
  }
}
