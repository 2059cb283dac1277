package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.OwnerReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Nodes, DaemonSets and daemon pods for the reconciler tests, built as the store returns them. A node starts
 * Ready, untainted, labelled with its hostname; a pod starts bound, Running and Ready for an hour. Each method
 * changes one thing, so a table row says only what is special about it.
 */
final class DaemonSetFixtures {
  static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

  private DaemonSetFixtures() {}

  /** A stored DaemonSet "agent" selecting and templating {@code app=agent}, image agent:1, generation 1. */
  static KubeObject daemonSet() {
    ObjectNode body = Json.object();
    ObjectNode spec = body.putObject("spec");
    spec.putObject("selector").putObject("matchLabels").put("app", "agent");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", "agent");
    template.putObject("spec").putArray("containers").addObject().put("name", "agent").put("image", "agent:1");
    ObjectMeta meta = new ObjectMeta("agent", null, "default", "uid-agent", "42", 1L,
        Rfc3339.format(NOW.minusSeconds(7200)), null, null, Map.of(), Map.of(), List.of(), List.of());
    return new KubeObject("apps/v1", "DaemonSet", meta, body);
  }

  /** {@code ds} with its spec changed by {@code change} (on a copy). */
  static KubeObject editSpec(KubeObject ds, Consumer<ObjectNode> change) {
    ObjectNode spec = ((ObjectNode) ds.spec()).deepCopy();
    change.accept(spec);
    return ds.withField("spec", spec);
  }

  /** {@code ds} with its template's pod spec changed by {@code change}, as a user's edit: generation + 1. */
  static KubeObject editPodSpec(KubeObject ds, Consumer<ObjectNode> change) {
    KubeObject edited = editSpec(ds, spec -> change.accept((ObjectNode) spec.path("template").path("spec")));
    return edited.withMetadata(edited.metadata().withGeneration(ds.metadata().generation() + 1));
  }

  static ObjectNode container(ObjectNode podSpec) {
    return (ObjectNode) podSpec.path("containers").get(0);
  }

  static Node node(String name) {
    return new Node(name);
  }

  static final class Node {
    private final String name;
    private final Map<String, String> labels = new HashMap<>();
    private final List<String[]> taints = new ArrayList<>();
    private boolean cordoned;
    private boolean deleting;

    private Node(String name) {
      this.name = name;
      labels.put("kubernetes.io/hostname", name);
    }

    Node label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    Node taint(String key, String value, String effect) {
      taints.add(new String[] {key, value, effect});
      return this;
    }

    Node cordoned() {
      cordoned = true;
      return this;
    }

    Node deleting() {
      deleting = true;
      return this;
    }

    KubeObject build() {
      ObjectMeta meta = new ObjectMeta(name, null, null, "uid-" + name, "3", null,
          Rfc3339.format(NOW.minusSeconds(86400)), deleting ? Rfc3339.format(NOW) : null, null, labels, Map.of(),
          List.of(), List.of());
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      if (cordoned) spec.put("unschedulable", true);
      if (!taints.isEmpty()) {
        ArrayNode array = spec.putArray("taints");
        for (String[] t : taints) {
          ObjectNode taint = array.addObject().put("key", t[0]).put("effect", t[2]);
          if (t[1] != null) taint.put("value", t[1]);
        }
      }
      body.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True");
      return new KubeObject("v1", "Node", meta, body);
    }
  }

  /** A daemon pod of the current template of {@code ds} on {@code node}. */
  static Pod pod(String name, KubeObject ds, String node) {
    return new Pod(name).ownedBy(ds).node(node).hash(DaemonSetReconciler.templateHash(ds));
  }

  static final class Pod {
    private final String name;
    private final Map<String, String> labels = new HashMap<>(Map.of("app", "agent"));
    private final List<OwnerReference> owners = new ArrayList<>();
    private String node;
    private String pinnedTo;
    private String phase = "Running";
    private boolean ready = true;
    private Instant readySince = NOW.minusSeconds(3600);
    private Instant created = NOW.minusSeconds(3600);
    private boolean deleting;

    Pod(String name) {
      this.name = name;
    }

    Pod ownedBy(KubeObject owner) {
      owners.add(ControllerRefClaim.controllerRefTo(owner));
      return this;
    }

    Pod orphan() {
      owners.clear();
      return this;
    }

    Pod node(String value) {
      node = value;
      return this;
    }

    /** Not bound yet, pinned to {@code value} by node affinity, as the controller creates it. */
    Pod pinnedTo(String value) {
      node = null;
      pinnedTo = value;
      return this;
    }

    Pod hash(String value) {
      labels.put(DaemonPodTemplate.HASH_LABEL, value);
      return this;
    }

    Pod labels(Map<String, String> value) {
      labels.clear();
      labels.putAll(value);
      return this;
    }

    Pod phase(String value) {
      phase = value;
      return this;
    }

    Pod notReady() {
      ready = false;
      return this;
    }

    Pod readySince(Instant value) {
      readySince = value;
      return this;
    }

    Pod created(Instant value) {
      created = value;
      return this;
    }

    Pod deleting() {
      deleting = true;
      return this;
    }

    KubeObject build() {
      ObjectMeta meta = new ObjectMeta(name, null, "default", "uid-" + name, "7", 1L, Rfc3339.format(created),
          deleting ? Rfc3339.format(NOW) : null, null, labels, Map.of(), owners, List.of());
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      spec.putArray("containers").addObject().put("name", "agent").put("image", "agent:1");
      if (node != null) spec.put("nodeName", node);
      if (pinnedTo != null) DaemonPodTemplate.pinnedTo(spec, pinnedTo);
      ObjectNode status = body.putObject("status");
      status.put("phase", phase);
      status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False")
          .put("lastTransitionTime", Rfc3339.format(readySince));
      return new KubeObject("v1", "Pod", meta, body);
    }
  }

  static List<KubeObject> built(Node... nodes) {
    List<KubeObject> out = new ArrayList<>();
    for (Node n : nodes) out.add(n.build());
    return out;
  }

  static List<KubeObject> built(Pod... pods) {
    List<KubeObject> out = new ArrayList<>();
    for (Pod p : pods) out.add(p.build());
    return out;
  }

  static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Action a : actions) {
      if (type.isInstance(a)) out.add(type.cast(a));
    }
    return out;
  }

  static List<KubeObject> created(List<Action> actions) {
    List<KubeObject> out = new ArrayList<>();
    for (Action.Create c : only(actions, Action.Create.class)) out.add(c.object());
    return out;
  }

  /** The names of the pods deleted (from their keys). */
  static List<String> deletedNames(List<Action> actions) {
    List<String> out = new ArrayList<>();
    for (Action.Delete d : only(actions, Action.Delete.class)) out.add(d.key().substring(d.key().lastIndexOf('/') + 1));
    return out;
  }

  /** The nodes the created pods are pinned to, in order. */
  static List<String> createdFor(List<Action> actions) {
    List<String> out = new ArrayList<>();
    for (KubeObject pod : created(actions)) out.add(DaemonPodTemplate.targetNode(pod.spec()));
    return out;
  }

  static List<String> eventMessages(List<Action> actions) {
    List<String> out = new ArrayList<>();
    for (Action.RecordEvent e : only(actions, Action.RecordEvent.class)) out.add(e.reason() + ": " + e.message());
    return out;
  }
}
