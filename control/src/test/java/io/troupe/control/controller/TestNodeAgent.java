package io.troupe.control.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.admission.Admission;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Stands in for the node agent in controller tests (the issue allows "a test agent that marks bound pods
 * Running"): registers Ready nodes, marks every pod bound to one of them Running and Ready, with an IP, and
 * finishes the graceful deletion of those pods as a kubelet does (a delete with grace 0).
 */
public final class TestNodeAgent implements AutoCloseable {
  private final Store store;
  private final Set<String> nodes;
  private final UniqueKillSwitch watch;
  private final org.apache.pekko.actor.Cancellable heartbeats;
  private final AtomicInteger ips = new AtomicInteger(1);

  private TestNodeAgent(ActorSystem<?> system, Store store, Set<String> nodes) {
    this.store = store;
    this.nodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    this.nodes.addAll(nodes);
    this.watch = store.cache().watch(new WatchRequest("Pod", null, o -> true, null, false, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(this::onPod), Keep.left())
        .run(system);
    this.heartbeats = system.scheduler().scheduleAtFixedRate(Duration.ofMillis(500), Duration.ofSeconds(1),
        this::heartbeat, system.executionContext());
  }

  /** The node's agent is gone: no more heartbeats, no more pods started there. */
  public void lose(String node) {
    nodes.remove(node);
  }

  /** As the kubelet: Ready=True with a fresh lastHeartbeatTime on every live node. */
  private void heartbeat() {
    String now = Admission.now();
    for (String name : nodes) {
      store.get(io.troupe.persistence.model.ObjectKey.of("Node", null, name)).ifPresent(stored -> {
        ObjectNode status = stored.object().status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
        ArrayNode conditions = Json.MAPPER.createArrayNode();
        status.path("conditions").forEach(c -> {
          if (!"Ready".equals(c.path("type").asText())) conditions.add(c);
        });
        conditions.add(ready(now));
        status.set("conditions", conditions);
        store.replaceStatus(stored.object().withField("status", status), ResourceEntity.ANY_REVISION);
      });
    }
  }

  private static ObjectNode ready(String now) {
    ObjectNode ready = Json.object();
    ready.put("type", "Ready");
    ready.put("status", "True");
    ready.put("reason", "KubeletReady");
    ready.put("lastHeartbeatTime", now);
    ready.put("lastTransitionTime", now);
    return ready;
  }

  /** Registers nodes {@code name -> zone} and starts running the pods bound to them. */
  public static TestNodeAgent start(ActorSystem<?> system, Store store, Map<String, String> nodeZones)
      throws Exception {
    for (Map.Entry<String, String> n : nodeZones.entrySet()) {
      store.create(node(n.getKey(), n.getValue())).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    return new TestNodeAgent(system, store, Set.copyOf(nodeZones.keySet()));
  }

  /** The node annotation naming the directory under which the node's local-path volumes live. */
  public static final String LOCAL_PATH_ROOT = "troupe.io/local-path-root";

  /** Where the local-path volumes of a test node would live (nothing is created there). */
  public static String localPathRoot(String node) {
    return "/var/lib/troupe-test/" + node + "/local-path";
  }

  /**
   * A Ready Node with 4 cpu, 8Gi of memory and room for 110 pods, annotated with its local-path root, as an agent
   * registers it.
   */
  public static KubeObject node(String name, String zone) {
    ObjectNode body = Json.object();
    body.putObject("spec");
    ObjectNode status = body.putObject("status");
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", "4");
    capacity.put("memory", "8Gi");
    capacity.put("pods", "110");
    status.set("allocatable", capacity.deepCopy());
    status.putArray("conditions").add(ready(Admission.now()));
    ObjectMeta meta = ObjectMeta.named(null, name).withCreation(UUID.randomUUID().toString(), Admission.now());
    meta = new ObjectMeta(meta.name(), null, null, meta.uid(), null, 1L, meta.creationTimestamp(), null, null,
        Map.of("kubernetes.io/hostname", name, "topology.kubernetes.io/zone", zone),
        Map.of(LOCAL_PATH_ROOT, localPathRoot(name)), null, null);
    return new KubeObject("v1", "Node", meta, body);
  }

  private void onPod(WatchEvent e) {
    KubeObject pod = e.object();
    if (e.type() == WatchEvent.Type.DELETED) return;
    String node = Json.text(pod.body(), "spec.nodeName");
    if (node == null || !nodes.contains(node)) return;
    if (pod.metadata().isDeleting()) {
      finishDeletion(pod);
      return;
    }
    if ("Running".equals(Json.text(pod.body(), "status.phase"))) return;
    ObjectNode status = pod.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    String now = Admission.now();
    status.put("phase", "Running");
    status.put("podIP", "10.0.0." + (ips.getAndIncrement() % 250 + 1));
    status.put("hostIP", "192.168.0.1");
    status.put("startTime", now);
    ArrayNode conditions = Json.MAPPER.createArrayNode();
    if (status.get("conditions") instanceof ArrayNode old) {
      old.forEach(c -> {
        if (!Set.of("Ready", "ContainersReady", "Initialized").contains(c.path("type").asText())) conditions.add(c);
      });
    }
    for (String type : new String[] {"Initialized", "ContainersReady", "Ready"}) {
      ObjectNode c = conditions.addObject();
      c.put("type", type);
      c.put("status", "True");
      c.put("lastTransitionTime", now);
    }
    status.set("conditions", conditions);
    store.replaceStatus(pod.withField("status", status), ResourceEntity.ANY_REVISION);
  }

  /**
   * As the kubelet once a terminating pod's containers are gone (here at once): deletes it with grace 0, on the
   * precondition of its uid, so that a pod of the same name created since is left alone. A pod already at grace 0
   * waits on its finalizers, not on the agent.
   */
  private void finishDeletion(KubeObject pod) {
    Long grace = pod.metadata().deletionGracePeriodSeconds();
    if (grace == null || grace == 0) return;
    store.delete(pod.key(), Admission.now(), pod.metadata().uid(), ResourceEntity.ANY_REVISION, 0L, List.of());
  }

  @Override
  public void close() {
    heartbeats.cancel();
    watch.shutdown();
  }
}
