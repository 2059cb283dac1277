package io.troupe.control.controller.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeLifecycleReconcilerTest {
  private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
  private static final NodeLifecycleSettings SETTINGS = NodeLifecycleSettings.DEFAULTS;
  private static final String NOT_READY = "node.kubernetes.io/not-ready";
  private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

  // ---- the node's conditions and taints ----

  static Stream<Arguments> conditionCases() {
    return Stream.of(
        // name, node, memberUp, expected Ready status written (null: no status write), NodeNotReady event
        Arguments.of("fresh heartbeat", node().heartbeat(NOW.minusSeconds(3)).build(), true, null, false),
        Arguments.of("heartbeat just inside the grace", node().heartbeat(NOW.minusSeconds(9)).build(), true,
            null, false),
        Arguments.of("heartbeat exactly the grace old", node().heartbeat(NOW.minusSeconds(10)).build(), true,
            "Unknown", true),
        Arguments.of("stale heartbeat", node().heartbeat(NOW.minusSeconds(30)).build(), true, "Unknown", true),
        Arguments.of("member gone, heartbeat fresh", node().heartbeat(NOW.minusSeconds(1)).build(), false,
            "Unknown", true),
        Arguments.of("stale and already Unknown", node().ready("Unknown", NOW.minusSeconds(20))
            .heartbeat(NOW.minusSeconds(60)).taint(UNREACHABLE).build(), true, null, false),
        Arguments.of("stale while False: Unknown, no second event", node().ready("False", NOW.minusSeconds(20))
            .heartbeat(NOW.minusSeconds(60)).taint(NOT_READY).build(), true, "Unknown", false),
        Arguments.of("agent reports False, heartbeat fresh", node().ready("False", NOW.minusSeconds(1)).build(),
            true, null, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditionCases")
  void conditions(String name, KubeObject node, boolean memberUp, String writtenReady, boolean event) {
    List<Action> actions = NodeLifecycleReconciler.reconcile(node, List.of(), memberUp, NOW, SETTINGS);

    List<Action.UpdateStatus> statusWrites = only(actions, Action.UpdateStatus.class);
    if (writtenReady == null) {
      assertEquals(List.of(), statusWrites);
    } else {
      assertEquals(1, statusWrites.size());
      assertEquals(writtenReady, readyOf(statusWrites.get(0).object()).path("status").asText());
    }
    List<String> events = new ArrayList<>();
    for (Action.RecordEvent e : only(actions, Action.RecordEvent.class)) events.add(e.reason() + ": " + e.message());
    assertEquals(event ? List.of("NodeNotReady: Node node-1 status is now: NodeNotReady") : List.of(), events);
  }

  @Test
  void staleHeartbeatTurnsEveryConditionUnknownThenTaintsUnreachable() {
    KubeObject node = node().heartbeat(NOW.minusSeconds(30)).memoryPressure().build();

    List<Action> first = NodeLifecycleReconciler.reconcile(node, List.of(), true, NOW, SETTINGS);

    // One write for the node: the status. The taint waits for the next reconcile.
    assertEquals(2, first.size());
    KubeObject written = only(first, Action.UpdateStatus.class).get(0).object();
    assertEquals("7", written.metadata().resourceVersion());
    for (JsonNode c : written.status().get("conditions")) {
      assertEquals("Unknown", c.path("status").asText(), c.toString());
      assertEquals("NodeStatusUnknown", c.path("reason").asText());
      assertEquals("Kubelet stopped posting node status.", c.path("message").asText());
      assertEquals(Rfc3339.format(NOW), c.path("lastTransitionTime").asText());
    }
    assertEquals(Rfc3339.format(NOW.minusSeconds(30)), readyOf(written).path("lastHeartbeatTime").asText());
    assertEquals("8Gi", written.status().path("capacity").path("memory").asText(), "the rest of the status kept");
    Action.RecordEvent event = only(first, Action.RecordEvent.class).get(0);
    assertEquals("Normal", event.type());
    assertEquals("Node", event.involved().kind());

    // The store applies it; the next reconcile adds the taint, and only that.
    KubeObject stored = written.withResourceVersion(8);
    List<Action> second = NodeLifecycleReconciler.reconcile(stored, List.of(), true, NOW.plusSeconds(1), SETTINGS);
    assertEquals(1, second.size(), second.toString());
    KubeObject tainted = only(second, Action.Update.class).get(0).object();
    assertEquals("8", tainted.metadata().resourceVersion());
    assertEquals(List.of(UNREACHABLE + ":NoExecute"), taints(tainted));
    assertEquals(Rfc3339.format(NOW.plusSeconds(1)), tainted.spec().get("taints").get(0).path("timeAdded").asText());

    // Converged: nothing more until the eviction delay.
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(tainted, List.of(), true, NOW.plusSeconds(2),
        SETTINGS));
  }

  @Test
  void memberGoneIsUnknownAtOnceAndThenUnreachable() {
    KubeObject node = node().heartbeat(NOW).build();
    List<Action> first = NodeLifecycleReconciler.reconcile(node, List.of(), false, NOW, SETTINGS);
    KubeObject written = only(first, Action.UpdateStatus.class).get(0).object();
    assertEquals("Unknown", readyOf(written).path("status").asText());

    List<Action> second = NodeLifecycleReconciler.reconcile(written, List.of(), false, NOW, SETTINGS);
    assertEquals(List.of(UNREACHABLE + ":NoExecute"), taints(only(second, Action.Update.class).get(0).object()));
  }

  @Test
  void nodeWithoutReadyConditionGetsOneNeverUpdatedAfterTheGrace() {
    KubeObject node = node().noConditions().created(NOW.minusSeconds(60)).build();
    KubeObject written = only(NodeLifecycleReconciler.reconcile(node, List.of(), true, NOW, SETTINGS),
        Action.UpdateStatus.class).get(0).object();
    JsonNode ready = readyOf(written);
    assertEquals("Unknown", ready.path("status").asText());
    assertEquals("NodeStatusNeverUpdated", ready.path("reason").asText());
    assertEquals("Kubelet never posted node status.", ready.path("message").asText());

    KubeObject young = node().noConditions().created(NOW.minusSeconds(2)).build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(young, List.of(), true, NOW, SETTINGS));
  }

  static Stream<Arguments> taintCases() {
    return Stream.of(
        // name, node, expected taints after the Update (null: no Update), NodeNotReady event
        Arguments.of("Ready=False gets not-ready", node().ready("False", NOW.minusSeconds(1)).build(),
            List.of(NOT_READY + ":NoExecute"), true),
        Arguments.of("Ready=Unknown gets unreachable", node().ready("Unknown", NOW.minusSeconds(1))
            .heartbeat(NOW.minusSeconds(12)).build(), List.of(UNREACHABLE + ":NoExecute"), false),
        Arguments.of("False after Unknown swaps the taint without an event", node().ready("False", NOW)
            .taint(UNREACHABLE).build(), List.of(NOT_READY + ":NoExecute"), false),
        Arguments.of("Unknown after False swaps the taint", node().ready("Unknown", NOW).heartbeat(NOW.minusSeconds(12))
            .taint(NOT_READY).build(), List.of(UNREACHABLE + ":NoExecute"), false),
        Arguments.of("recovered: unreachable removed", node().heartbeat(NOW).taint(UNREACHABLE).build(),
            List.of(), false),
        Arguments.of("recovered: not-ready removed, others kept", node().heartbeat(NOW)
            .taint("dedicated", "NoSchedule").taint(NOT_READY).build(), List.of("dedicated:NoSchedule"), false),
        Arguments.of("Ready with foreign taints only: untouched", node().heartbeat(NOW)
            .taint("dedicated", "NoSchedule").taint(UNREACHABLE, "NoSchedule").build(), null, false),
        Arguments.of("already tainted: untouched", node().ready("False", NOW).taint(NOT_READY).build(), null,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("taintCases")
  void taints(String name, KubeObject node, List<String> expected, boolean event) {
    List<Action> actions = NodeLifecycleReconciler.reconcile(node, List.of(), true, NOW, SETTINGS);

    assertEquals(List.of(), only(actions, Action.UpdateStatus.class));
    List<Action.Update> updates = only(actions, Action.Update.class);
    if (expected == null) {
      assertEquals(List.of(), updates);
    } else {
      assertEquals(1, updates.size());
      KubeObject updated = updates.get(0).object();
      assertEquals(expected, taints(updated));
      assertEquals("7", updated.metadata().resourceVersion());
      assertEquals(node.status(), updated.status(), "a spec write carries the status as read");
    }
    assertEquals(event ? 1 : 0, only(actions, Action.RecordEvent.class).size());
  }

  // ---- evictions ----

  static Stream<Arguments> evictionCases() {
    NodeBuilder unknownFor6 = node().ready("Unknown", NOW.minusSeconds(6)).heartbeat(NOW.minusSeconds(20))
        .taint(UNREACHABLE);
    NodeBuilder unknownFor4 = node().ready("Unknown", NOW.minusSeconds(4)).heartbeat(NOW.minusSeconds(20))
        .taint(UNREACHABLE);
    NodeBuilder falseFor6 = node().ready("False", NOW.minusSeconds(6)).taint(NOT_READY);
    return Stream.of(
        // name, node, pod, deleted (with grace 0 from an Unknown node, gracefully from a NotReady one)
        Arguments.of("Unknown for longer than the delay", unknownFor6, pod("a"), true),
        Arguments.of("Unknown exactly the delay", node().ready("Unknown", NOW.minusSeconds(5))
            .heartbeat(NOW.minusSeconds(20)).taint(UNREACHABLE), pod("a"), true),
        Arguments.of("Unknown not yet for the delay", unknownFor4, pod("a"), false),
        Arguments.of("False for longer than the delay", falseFor6, pod("a"), true),
        Arguments.of("Ready node", node().heartbeat(NOW), pod("a"), false),
        Arguments.of("pod held by finalizers (grace 0)", unknownFor6, pod("a").deleting(), false),
        Arguments.of("pod terminating on an unreachable node", unknownFor6, pod("a").terminating(30), true),
        Arguments.of("pod terminating, tolerating forever", unknownFor6,
            pod("a").terminating(30).toleration("node.kubernetes.io/unreachable", "Exists", null), true),
        Arguments.of("pod terminating, Unknown not yet for the delay", unknownFor4, pod("a").terminating(30), false),
        Arguments.of("pod terminating on a NotReady node: its agent finishes", falseFor6, pod("a").terminating(30),
            false),
        Arguments.of("pod on another node", unknownFor6, pod("a").on("node-2"), false),
        Arguments.of("tolerates unreachable forever", unknownFor6,
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", null), false),
        Arguments.of("tolerates everything (empty key, Exists)", falseFor6, pod("a").toleration("", "Exists", null),
            false),
        Arguments.of("tolerates unreachable 60s, 6s in", unknownFor6,
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", 60L), false),
        Arguments.of("tolerates unreachable 60s, 61s in", node().ready("Unknown", NOW.minusSeconds(61))
            .heartbeat(NOW.minusSeconds(90)).taint(UNREACHABLE),
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", 60L), true),
        Arguments.of("tolerationSeconds shorter than the delay wins", unknownFor4,
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", 2L), true),
        Arguments.of("tolerationSeconds 0", node().ready("Unknown", NOW).heartbeat(NOW.minusSeconds(20))
            .taint(UNREACHABLE), pod("a").toleration("node.kubernetes.io/unreachable", "Exists", 0L), true),
        Arguments.of("forever and 30s: the shortest wins", node().ready("Unknown", NOW.minusSeconds(31))
            .heartbeat(NOW.minusSeconds(60)).taint(UNREACHABLE),
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", null)
                .toleration("node.kubernetes.io/unreachable", "Exists", 30L), true),
        Arguments.of("tolerates the other taint only", falseFor6,
            pod("a").toleration("node.kubernetes.io/unreachable", "Exists", null), true),
        Arguments.of("Equal with the empty value tolerates", falseFor6,
            pod("a").toleration("node.kubernetes.io/not-ready", "Equal", null), false),
        Arguments.of("NoSchedule toleration does not", falseFor6,
            pod("a").toleration("node.kubernetes.io/not-ready", "Exists", null, "NoSchedule"), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evictionCases")
  void eviction(String name, NodeBuilder node, PodBuilder pod, boolean deleted) {
    KubeObject p = pod.build();
    KubeObject n = node.build();
    List<Action> actions = NodeLifecycleReconciler.reconcile(n, List.of(p), true, NOW, SETTINGS);

    List<Action.Delete> deletes = only(actions, Action.Delete.class);
    if (!deleted) {
      assertEquals(List.of(), deletes);
      return;
    }
    // from an unreachable node with grace 0 (no agent finishes a graceful deletion); from a NotReady one gracefully
    boolean unreachable = "Unknown".equals(readyOf(n).path("status").asText());
    assertEquals(List.of(unreachable ? Action.Delete.now("Pod/default/a", "uid-a")
        : new Action.Delete("Pod/default/a", "uid-a")), deletes);
    List<Action.RecordEvent> events = only(actions, Action.RecordEvent.class);
    if (p.metadata().isDeleting()) {
      assertEquals(List.of(), events, "a pod already terminating is not evicted again");
      return;
    }
    Action.RecordEvent event = events.get(0);
    assertEquals("TaintManagerEviction", event.reason());
    assertEquals("Normal", event.type());
    assertEquals("Marking for deletion Pod default/a", event.message());
    assertEquals(p, event.involved());
  }

  @Test
  void evictsEveryIntolerantPodAfterTheDelayAndNoneBefore() {
    KubeObject node = node().ready("Unknown", NOW).heartbeat(NOW.minusSeconds(20)).taint(UNREACHABLE).build();
    List<KubeObject> pods = List.of(pod("a").build(), pod("b").namespace("shop").build(),
        pod("ds").toleration("node.kubernetes.io/unreachable", "Exists", null).build(), pod("gone").deleting().build(),
        pod("stopping").terminating(30).build());

    for (int s = 0; s < 5; s++) {
      assertEquals(List.of(), only(NodeLifecycleReconciler.reconcile(node, pods, true, NOW.plusSeconds(s), SETTINGS),
          Action.Delete.class), "at " + s + "s");
    }
    List<Action> actions = NodeLifecycleReconciler.reconcile(node, pods, true, NOW.plusSeconds(5), SETTINGS);
    assertEquals(List.of(Action.Delete.now("Pod/default/a", "uid-a"), Action.Delete.now("Pod/shop/b", "uid-b"),
        Action.Delete.now("Pod/default/stopping", "uid-stopping")), only(actions, Action.Delete.class));
    List<String> messages = new ArrayList<>();
    for (Action.RecordEvent e : only(actions, Action.RecordEvent.class)) messages.add(e.message());
    assertEquals(List.of("Marking for deletion Pod default/a", "Marking for deletion Pod shop/b"), messages);
    assertEquals(List.of(), only(actions, Action.Update.class));
  }

  @Test
  void aNodeWhoseJvmLeftTheClusterLosesItsIntolerantPodsAtOnce() {
    KubeObject node = node().ready("Unknown", NOW).heartbeat(NOW.minusSeconds(2)).taint(UNREACHABLE).build();
    List<KubeObject> pods = List.of(pod("a").build(),
        pod("ds").toleration("node.kubernetes.io/unreachable", "Exists", null).build(),
        pod("stopping").terminating(30).build());
    List<Action> actions = NodeLifecycleReconciler.reconcile(node, pods, false, NOW, SETTINGS);
    assertEquals(List.of(Action.Delete.now("Pod/default/a", "uid-a"),
        Action.Delete.now("Pod/default/stopping", "uid-stopping")), only(actions, Action.Delete.class));
  }

  @Test
  void aReadyNodeWhoseJvmLeftTheClusterLosesItsPodsInTheSamePassAsItTurnsUnknown() {
    KubeObject node = node().heartbeat(NOW).build();
    List<KubeObject> pods = List.of(pod("a").build(),
        pod("ds").toleration("node.kubernetes.io/unreachable", "Exists", null).build());
    List<Action> actions = NodeLifecycleReconciler.reconcile(node, pods, false, NOW, SETTINGS);
    assertEquals("Unknown", readyOf(only(actions, Action.UpdateStatus.class).get(0).object()).path("status").asText());
    assertEquals(List.of(Action.Delete.now("Pod/default/a", "uid-a")), only(actions, Action.Delete.class));
  }

  @Test
  void customSettings() {
    NodeLifecycleSettings slow = new NodeLifecycleSettings(Duration.ofSeconds(40), Duration.ofSeconds(120));
    KubeObject stale30 = node().heartbeat(NOW.minusSeconds(30)).build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(stale30, List.of(), true, NOW, slow));
    KubeObject unknown60 = node().ready("Unknown", NOW.minusSeconds(60)).heartbeat(NOW.minusSeconds(100))
        .taint(UNREACHABLE).build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(unknown60, List.of(pod("a").build()), true, NOW, slow));
    assertThrows(IllegalArgumentException.class, () -> new NodeLifecycleSettings(Duration.ofSeconds(-1),
        Duration.ZERO));
    assertEquals(Duration.ofSeconds(10), NodeLifecycleSettings.DEFAULTS.gracePeriod());
    assertEquals(Duration.ofSeconds(5), NodeLifecycleSettings.DEFAULTS.evictionDelay());
  }

  @Test
  void deletingNodeIsLeftAlone() {
    KubeObject node = node().heartbeat(NOW.minusSeconds(60)).deleting().build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(node, List.of(pod("a").build()), false, NOW, SETTINGS));
  }

  @Test
  void readyNodeNeverAsksForItsPodsATaintedOneDoes() {
    AtomicInteger asked = new AtomicInteger();
    Supplier<List<KubeObject>> pods = () -> {
      asked.incrementAndGet();
      return List.of(pod("a").build());
    };
    KubeObject ready = node().heartbeat(NOW.minusSeconds(3)).build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(ready, pods, null, true, NOW, SETTINGS));
    assertEquals(Optional.of(NOW.plusSeconds(7)),
        NodeLifecycleReconciler.nextCheckAt(ready, pods, null, true, NOW, SETTINGS));
    assertEquals(0, asked.get());

    KubeObject unknown = node().ready("Unknown", NOW.minusSeconds(10)).heartbeat(NOW.minusSeconds(20))
        .taint(UNREACHABLE).build();
    assertEquals(1, only(NodeLifecycleReconciler.reconcile(unknown, pods, null, true, NOW, SETTINGS),
        Action.Delete.class).size());
    NodeLifecycleReconciler.nextCheckAt(unknown, pods, null, true, NOW, SETTINGS);
    assertEquals(2, asked.get());
  }

  @Test
  void nextCheckAt() {
    KubeObject healthy = node().heartbeat(NOW.minusSeconds(3)).build();
    assertEquals(Optional.of(NOW.plusSeconds(7)),
        NodeLifecycleReconciler.nextCheckAt(healthy, List.of(), true, NOW, SETTINGS));
    KubeObject unknown = node().ready("Unknown", NOW.minusSeconds(2)).heartbeat(NOW.minusSeconds(20))
        .taint(UNREACHABLE).build();
    assertEquals(Optional.of(NOW.plusSeconds(3)),
        NodeLifecycleReconciler.nextCheckAt(unknown, List.of(pod("a").build()), true, NOW, SETTINGS));
    assertEquals(Optional.empty(), NodeLifecycleReconciler.nextCheckAt(unknown, List.of(), true, NOW, SETTINGS));
    assertEquals(Optional.of(NOW.plusSeconds(28)), NodeLifecycleReconciler.nextCheckAt(unknown,
        List.of(pod("a").toleration("node.kubernetes.io/unreachable", "Exists", 30L).build()), true, NOW, SETTINGS));
    // a pod terminating there is deleted with grace 0 after the eviction delay, whatever it tolerates
    assertEquals(Optional.of(NOW.plusSeconds(3)), NodeLifecycleReconciler.nextCheckAt(unknown,
        List.of(pod("a").terminating(30).toleration("node.kubernetes.io/unreachable", "Exists", null).build()), true,
        NOW, SETTINGS));
    assertEquals(Optional.empty(), NodeLifecycleReconciler.nextCheckAt(unknown, List.of(pod("a").deleting().build()),
        true, NOW, SETTINGS));
  }

  @Test
  void aRenewedLeaseIsAHeartbeat() {
    // the agent posted its status 4 minutes ago and renewed its Lease 3 s ago: alive, looked at again in 7 s
    KubeObject node = node().heartbeat(NOW.minusSeconds(240)).build();
    Supplier<List<KubeObject>> none = List::of;
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(node, none, NOW.minusSeconds(3), true, NOW, SETTINGS));
    assertEquals(Optional.of(NOW.plusSeconds(7)),
        NodeLifecycleReconciler.nextCheckAt(node, none, NOW.minusSeconds(3), true, NOW, SETTINGS));
    // the Lease's last renewal the grace period old: Unknown, as without one
    KubeObject written = only(NodeLifecycleReconciler.reconcile(node, none, NOW.minusSeconds(10), true, NOW,
        SETTINGS), Action.UpdateStatus.class).get(0).object();
    assertEquals("Unknown", readyOf(written).path("status").asText());
    // a Lease older than the posted status does not make a fresh status stale
    KubeObject posted = node().heartbeat(NOW.minusSeconds(2)).build();
    assertEquals(List.of(), NodeLifecycleReconciler.reconcile(posted, none, NOW.minusSeconds(60), true, NOW,
        SETTINGS));
  }

  @Test
  void fullOutageAndRecovery() {
    KubeObject node = node().heartbeat(NOW).build();
    List<KubeObject> pods = List.of(pod("a").build());
    // The agent goes silent: Unknown at 10 s, tainted at 11 s, pod evicted at 15 s.
    Instant t = NOW.plusSeconds(10);
    node = apply(node, NodeLifecycleReconciler.reconcile(node, pods, true, t, SETTINGS));
    assertEquals("Unknown", readyOf(node).path("status").asText());
    node = apply(node, NodeLifecycleReconciler.reconcile(node, pods, true, t.plusSeconds(1), SETTINGS));
    assertEquals(List.of(UNREACHABLE + ":NoExecute"), taints(node));
    assertEquals(List.of(), only(NodeLifecycleReconciler.reconcile(node, pods, true, t.plusSeconds(4), SETTINGS),
        Action.Delete.class));
    assertEquals(1, only(NodeLifecycleReconciler.reconcile(node, pods, true, t.plusSeconds(5), SETTINGS),
        Action.Delete.class).size());
    // The agent posts Ready=True again: the taint goes, nothing else.
    Instant back = t.plusSeconds(30);
    KubeObject heard = node().heartbeat(back).build().withField("spec", node.spec());
    List<Action> actions = NodeLifecycleReconciler.reconcile(heard, List.of(), true, back, SETTINGS);
    assertEquals(1, actions.size());
    assertEquals(List.of(), taints(only(actions, Action.Update.class).get(0).object()));
  }

  // ---- builders ----

  private static KubeObject apply(KubeObject node, List<Action> actions) {
    KubeObject result = node;
    int writes = 0;
    for (Action a : actions) {
      if (a instanceof Action.UpdateStatus u && u.object().key().equals(node.key())) {
        result = result.withField("status", u.object().status());
        writes++;
      } else if (a instanceof Action.Update u && u.object().key().equals(node.key())) {
        result = result.withField("spec", u.object().spec());
        writes++;
      }
    }
    assertTrue(writes <= 1, "one write per node per reconcile: " + actions);
    return result;
  }

  private static JsonNode readyOf(KubeObject node) {
    for (JsonNode c : node.status().path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) return c;
    }
    throw new AssertionError("no Ready condition in " + node.status());
  }

  private static List<String> taints(KubeObject node) {
    List<String> out = new ArrayList<>();
    JsonNode spec = node.spec();
    if (spec != null) for (JsonNode t : spec.path("taints")) out.add(t.path("key").asText() + ":" + t.path("effect").asText());
    return out;
  }

  private static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Action a : actions) if (type.isInstance(a)) out.add(type.cast(a));
    return out;
  }

  static NodeBuilder node() {
    return new NodeBuilder();
  }

  static PodBuilder pod(String name) {
    return new PodBuilder(name);
  }

  /** A node as the store returns it: Ready=True since an hour ago, heartbeat now, unless told otherwise. */
  static final class NodeBuilder {
    private String ready = "True";
    private Instant transition = NOW.minusSeconds(3600);
    private Instant heartbeat = NOW;
    private Instant created = NOW.minusSeconds(7200);
    private boolean conditions = true;
    private boolean memoryPressure;
    private boolean deleting;
    private Long grace;
    private final List<String[]> taints = new ArrayList<>();

    NodeBuilder ready(String status, Instant since) {
      ready = status;
      transition = since;
      return this;
    }

    NodeBuilder heartbeat(Instant value) {
      heartbeat = value;
      return this;
    }

    NodeBuilder created(Instant value) {
      created = value;
      return this;
    }

    NodeBuilder noConditions() {
      conditions = false;
      return this;
    }

    NodeBuilder memoryPressure() {
      memoryPressure = true;
      return this;
    }

    NodeBuilder deleting() {
      deleting = true;
      return this;
    }

    NodeBuilder taint(String key) {
      return taint(key, "NoExecute");
    }

    NodeBuilder taint(String key, String effect) {
      taints.add(new String[] {key, effect});
      return this;
    }

    KubeObject build() {
      ObjectMeta meta = new ObjectMeta("node-1", null, null, "uid-node-1", "7", 1L, Rfc3339.format(created),
          deleting ? Rfc3339.format(NOW) : null, null, Map.of("kubernetes.io/hostname", "node-1"), Map.of(),
          List.of(), deleting ? List.of("example.com/hold") : List.of());
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      if (!taints.isEmpty()) {
        ArrayNode array = spec.putArray("taints");
        for (String[] t : taints) array.addObject().put("key", t[0]).put("effect", t[1]);
      }
      ObjectNode status = body.putObject("status");
      status.putObject("capacity").put("cpu", "4").put("memory", "8Gi");
      if (conditions) {
        ArrayNode array = status.putArray("conditions");
        if (memoryPressure) {
          array.addObject().put("type", "MemoryPressure").put("status", "False").put("reason", "KubeletHasSufficientMemory")
              .put("lastHeartbeatTime", Rfc3339.format(heartbeat)).put("lastTransitionTime", Rfc3339.format(transition));
        }
        array.addObject().put("type", "Ready").put("status", ready).put("reason", "KubeletReady")
            .put("lastHeartbeatTime", Rfc3339.format(heartbeat)).put("lastTransitionTime", Rfc3339.format(transition));
      }
      return new KubeObject("v1", "Node", meta, body);
    }
  }

  /** A running pod bound to node-1. */
  static final class PodBuilder {
    private final String name;
    private String namespace = "default";
    private String node = "node-1";
    private boolean deleting;
    private Long grace;
    private final ArrayNode tolerations = Json.MAPPER.createArrayNode();

    PodBuilder(String name) {
      this.name = name;
    }

    PodBuilder namespace(String value) {
      namespace = value;
      return this;
    }

    PodBuilder on(String value) {
      node = value;
      return this;
    }

    /** Marked for deletion with grace 0: what finalizers hold. */
    PodBuilder deleting() {
      deleting = true;
      grace = 0L;
      return this;
    }

    /** Marked for deletion with a grace period: its agent is to stop it and delete it. */
    PodBuilder terminating(long seconds) {
      deleting = true;
      grace = seconds;
      return this;
    }

    PodBuilder toleration(String key, String operator, Long seconds) {
      return toleration(key, operator, seconds, "NoExecute");
    }

    PodBuilder toleration(String key, String operator, Long seconds, String effect) {
      ObjectNode t = tolerations.addObject();
      if (!key.isEmpty()) t.put("key", key);
      t.put("operator", operator);
      t.put("effect", effect);
      if (seconds != null) t.put("tolerationSeconds", seconds);
      return this;
    }

    KubeObject build() {
      ObjectMeta meta = new ObjectMeta(name, null, namespace, "uid-" + name, "3", 1L,
          Rfc3339.format(NOW.minusSeconds(600)), deleting ? Rfc3339.format(NOW) : null, grace, Map.of(), Map.of(),
          List.of(), List.of());
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      spec.put("nodeName", node);
      spec.putArray("containers").addObject().put("name", "c").put("image", "img:1");
      if (!tolerations.isEmpty()) spec.set("tolerations", tolerations.deepCopy());
      body.putObject("status").put("phase", "Running");
      return new KubeObject("v1", "Pod", meta, body);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
