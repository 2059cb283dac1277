package io.troupe.control.controller.replicaset;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.OwnerReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pods and ReplicaSets for the reconciler tests, built the way the store returns them (uid, resourceVersion,
 * creationTimestamp set). A pod starts healthy (scheduled, Running, Ready for an hour); each method changes one
 * thing, so a table row says only what is special about it.
 */
public final class TestPods {
  public static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
  public static final Map<String, String> WEB = Map.of("app", "web");

  private TestPods() {}

  public static Pod pod(String name) {
    return new Pod(name);
  }

  /** A fluent pod description; {@link #build()} gives the stored object. */
  public static final class Pod {
    private final String name;
    private String namespace = "default";
    private Map<String, String> labels = WEB;
    private final List<OwnerReference> owners = new ArrayList<>();
    private String node = "node-1";
    private String phase = "Running";
    private boolean ready = true;
    private Instant readySince = NOW.minusSeconds(3600);
    private Instant created = NOW.minusSeconds(3600);
    private boolean deleting;
    private int restarts;

    private Pod(String name) {
      this.name = name;
    }

    public Pod labels(Map<String, String> value) {
      labels = value;
      return this;
    }

    public Pod namespace(String value) {
      namespace = value;
      return this;
    }

    public Pod ownedBy(KubeObject owner) {
      owners.add(ControllerRefClaim.controllerRefTo(owner));
      return this;
    }

    public Pod unscheduled() {
      node = null;
      return this;
    }

    public Pod phase(String value) {
      phase = value;
      return this;
    }

    public Pod notReady() {
      ready = false;
      return this;
    }

    public Pod readySince(Instant value) {
      readySince = value;
      return this;
    }

    public Pod created(Instant value) {
      created = value;
      return this;
    }

    public Pod deleting() {
      deleting = true;
      return this;
    }

    public Pod restarts(int value) {
      restarts = value;
      return this;
    }

    public KubeObject build() {
      ObjectMeta meta = new ObjectMeta(name, null, namespace, "uid-" + name, "7", 1L, Rfc3339.format(created),
          deleting ? Rfc3339.format(NOW) : null, null, labels, Map.of(), owners, List.of());
      ObjectNode body = Json.object();
      ObjectNode spec = body.putObject("spec");
      spec.putArray("containers").addObject().put("name", "web").put("image", "web:1");
      if (node != null) spec.put("nodeName", node);
      ObjectNode status = body.putObject("status");
      status.put("phase", phase);
      ArrayNode conditions = status.putArray("conditions");
      conditions.addObject().put("type", "Ready").put("status", ready ? "True" : "False")
          .put("lastTransitionTime", Rfc3339.format(readySince));
      status.putArray("containerStatuses").addObject().put("name", "web").put("restartCount", restarts);
      return new KubeObject("v1", "Pod", meta, body);
    }
  }

  /** A stored ReplicaSet {@code name} of {@code replicas} selecting and templating {@code app=web}. */
  public static KubeObject replicaSet(String name, int replicas) {
    ObjectNode body = Json.object();
    ObjectNode spec = body.putObject("spec");
    spec.put("replicas", replicas);
    spec.putObject("selector").putObject("matchLabels").put("app", "web");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", "web");
    template.putObject("spec").putArray("containers").addObject().put("name", "web").put("image", "web:1");
    ObjectMeta meta = new ObjectMeta(name, null, "default", "uid-" + name, "42", 1L,
        Rfc3339.format(NOW.minusSeconds(7200)), null, null, WEB, Map.of(), List.of(), List.of());
    return new KubeObject("apps/v1", "ReplicaSet", meta, body);
  }

  /** {@code object} with {@code field} of its spec set to a number. */
  public static KubeObject withSpec(KubeObject object, String field, int value) {
    ObjectNode spec = ((ObjectNode) object.spec()).deepCopy();
    spec.put(field, value);
    return object.withField("spec", spec);
  }

  public static List<Action.Create> creates(List<Action> actions) {
    return only(actions, Action.Create.class);
  }

  public static List<Action.Delete> deletes(List<Action> actions) {
    return only(actions, Action.Delete.class);
  }

  public static List<Action.Update> updates(List<Action> actions) {
    return only(actions, Action.Update.class);
  }

  public static List<Action.UpdateStatus> statusUpdates(List<Action> actions) {
    return only(actions, Action.UpdateStatus.class);
  }

  /** The Events' messages, in order. */
  public static List<String> eventMessages(List<Action> actions) {
    List<String> messages = new ArrayList<>();
    for (Action.RecordEvent e : only(actions, Action.RecordEvent.class)) messages.add(e.message());
    return messages;
  }

  public static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Action a : actions) {
      if (type.isInstance(a)) out.add(type.cast(a));
    }
    return out;
  }
}
