package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.replicaset.TestPods.NOW;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ReplicaSetStatus;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.control.controller.replicaset.TestPods;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deployments and their ReplicaSets for the reconciler tests. A Deployment starts as "web": 5 replicas of
 * web:1, RollingUpdate with maxSurge 1 and maxUnavailable 1, the API's other defaults; each method changes one
 * thing. Its ReplicaSets are made by the reconciler itself (the Create it asks for) and then given what the store
 * and the ReplicaSet controller would add: uid, creation time, size and status.
 */
final class TestDeployments {
  private TestDeployments() {}

  static Deployment deployment() {
    return new Deployment();
  }

  static final class Deployment {
    private final ObjectNode spec = Json.object();
    private ObjectNode status;
    private long generation = 1;
    private final Map<String, String> annotations = new HashMap<>();
    private boolean deleting;

    private Deployment() {
      spec.put("replicas", 5);
      spec.putObject("selector").putObject("matchLabels").put("app", "web");
      ObjectNode template = spec.putObject("template");
      template.putObject("metadata").putObject("labels").put("app", "web");
      template.putObject("spec").putArray("containers").addObject().put("name", "web").put("image", "web:1");
      ObjectNode strategy = spec.putObject("strategy");
      strategy.put("type", "RollingUpdate");
      strategy.putObject("rollingUpdate").put("maxSurge", 1).put("maxUnavailable", 1);
      spec.put("revisionHistoryLimit", 10);
      spec.put("progressDeadlineSeconds", 600);
    }

    Deployment replicas(int value) {
      spec.put("replicas", value);
      return this;
    }

    Deployment image(String value) {
      ((ObjectNode) spec.path("template").path("spec").path("containers").get(0)).put("image", value);
      return this;
    }

    Deployment recreate() {
      spec.putObject("strategy").put("type", "Recreate");
      return this;
    }

    Deployment rolling(JsonNode maxSurge, JsonNode maxUnavailable) {
      ObjectNode rolling = ((ObjectNode) spec.path("strategy")).putObject("rollingUpdate");
      rolling.set("maxSurge", maxSurge);
      rolling.set("maxUnavailable", maxUnavailable);
      return this;
    }

    Deployment spec(String field, JsonNode value) {
      spec.set(field, value);
      return this;
    }

    Deployment spec(String field, int value) {
      spec.put(field, value);
      return this;
    }

    Deployment paused() {
      spec.put("paused", true);
      return this;
    }

    Deployment generation(long value) {
      generation = value;
      return this;
    }

    Deployment annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    Deployment revision(long value) {
      return annotation(RevisionAnnotations.REVISION, Long.toString(value));
    }

    Deployment status(DeploymentStatus value) {
      status = value.writeInto(null);
      return this;
    }

    Deployment deleting() {
      deleting = true;
      return this;
    }

    KubeObject build() {
      ObjectMeta meta = new ObjectMeta("web", null, "default", "uid-web", "10", generation,
          Rfc3339.format(NOW.minusSeconds(86400)), deleting ? Rfc3339.format(NOW) : null, null, Map.of(),
          annotations, List.of(), List.of());
      ObjectNode body = Json.object();
      body.set("spec", spec.deepCopy());
      if (status != null) body.set("status", status.deepCopy());
      return new KubeObject("apps/v1", "Deployment", meta, body);
    }
  }

  /**
   * The ReplicaSet {@code deployment} creates for its template, as stored: {@code replicas} of which
   * {@code available} are available (and ready), at {@code revision}, created at {@code created}.
   */
  static KubeObject replicaSetOf(KubeObject deployment, int replicas, int available, long revision,
      Instant created) {
    KubeObject fresh = deployment.withField("status", null);
    List<Action> actions = new DeploymentReconciler().reconcile(fresh, List.of(), List.of(), NOW);
    KubeObject rs = TestPods.creates(actions).get(0).object();
    Map<String, String> annotations = new HashMap<>(rs.metadata().annotations());
    annotations.put(RevisionAnnotations.REVISION, Long.toString(revision));
    ObjectMeta m = rs.metadata();
    ObjectMeta stored = new ObjectMeta(m.name(), null, m.namespace(), "uid-" + m.name(), "20", 1L,
        Rfc3339.format(created), null, null, m.labels(), annotations, m.ownerReferences(), List.of());
    ObjectNode spec = ((ObjectNode) rs.spec()).deepCopy();
    spec.put("replicas", replicas);
    return rs.withMetadata(stored).withField("spec", spec)
        .withField("status", new ReplicaSetStatus(replicas, replicas, available, available, 1).writeInto(null));
  }

  static KubeObject withStatus(KubeObject rs, ReplicaSetStatus status) {
    return rs.withField("status", status.writeInto(rs.status()));
  }

  /** The spec.replicas this reconcile leaves a ReplicaSet at: its write's, or what it had. */
  static int replicasAfter(List<Action> actions, KubeObject rs) {
    String name = rs.metadata().name();
    for (Action a : actions) {
      KubeObject o = a instanceof Action.Create c ? c.object() : a instanceof Action.Update u ? u.object() : null;
      if (o != null && name.equals(o.metadata().name())) return o.spec().path("replicas").asInt();
    }
    return rs.spec().path("replicas").asInt();
  }

  /** The object of the one Create or Update of {@code rs} among the actions. */
  static KubeObject only(List<Action> actions, KubeObject rs) {
    KubeObject found = null;
    for (Action a : actions) {
      KubeObject o = a instanceof Action.Create c ? c.object() : a instanceof Action.Update u ? u.object() : null;
      if (o == null || !rs.metadata().name().equals(o.metadata().name())) continue;
      if (found != null) throw new AssertionError("two writes of " + rs.metadata().name() + ": " + actions);
      found = o;
    }
    if (found == null) throw new AssertionError("no write of " + rs.metadata().name() + ": " + actions);
    return found;
  }

  static DeploymentStatus statusWritten(List<Action> actions) {
    List<Action.UpdateStatus> writes = TestPods.statusUpdates(actions);
    if (writes.size() != 1) throw new AssertionError("expected one status write, got " + actions);
    return DeploymentStatus.of(writes.get(0).object().status());
  }

  static DeploymentStatus status(int replicas, int updated, int ready, int available, DeploymentCondition... cs) {
    return new DeploymentStatus(1, replicas, updated, ready, available, Math.max(0, replicas - available), null,
        List.of(cs));
  }

  static DeploymentCondition condition(String type, String status, String reason, String message, Instant at) {
    return DeploymentCondition.of(type, status, reason, message, at);
  }
}
