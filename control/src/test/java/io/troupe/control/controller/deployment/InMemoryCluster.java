package io.troupe.control.controller.deployment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A store for the simulation: applies Actions as the entities would (uid, resourceVersion and generation
 * assigned; conditional writes refused on a stale resourceVersion; Create of an existing name and Delete of a
 * missing object count as done) and keeps the Events. Deletion is immediate: no finalizers, no grace period.
 */
final class InMemoryCluster {
  private final Map<String, KubeObject> objects = new TreeMap<>();
  private final List<Action.RecordEvent> events = new ArrayList<>();
  private long revision = 1000;
  private int uids;
  private int conflicts;
  Instant now;

  InMemoryCluster(Instant start) {
    this.now = start;
  }

  void apply(Action action) {
    if (action instanceof Action.Create c) {
      create(c.object());
    } else if (action instanceof Action.Update u) {
      replace(u.object(), false);
    } else if (action instanceof Action.UpdateStatus s) {
      replace(s.object(), true);
    } else if (action instanceof Action.Delete d) {
      KubeObject current = objects.get(d.key());
      if (current != null && (d.uid() == null || d.uid().equals(current.metadata().uid()))) objects.remove(d.key());
    } else if (action instanceof Action.RecordEvent e) {
      events.add(e);
    }
  }

  KubeObject create(KubeObject object) {
    if (object.metadata().name() == null) throw new IllegalArgumentException("the reconcilers name what they create");
    if (objects.containsKey(object.key())) return objects.get(object.key());
    ObjectMeta stored = object.metadata().withCreation("uid-" + (++uids), Rfc3339.format(now))
        .withResourceVersion(Long.toString(++revision));
    KubeObject created = object.withMetadata(stored);
    objects.put(created.key(), created);
    return created;
  }

  /** A write as a user or an agent makes it, unconditionally: the spec and metadata of {@code object}. */
  void write(KubeObject object) {
    replace(object.withMetadata(object.metadata().withResourceVersion(get(object.key()).metadata().resourceVersion())),
        false);
  }

  /** A status write as an agent makes it, unconditionally. */
  void writeStatus(KubeObject object) {
    replace(object.withMetadata(object.metadata().withResourceVersion(get(object.key()).metadata().resourceVersion())),
        true);
  }

  private void replace(KubeObject object, boolean statusOnly) {
    KubeObject current = objects.get(object.key());
    if (current == null) return;
    if (!Objects.equals(current.metadata().resourceVersion(), object.metadata().resourceVersion())) {
      conflicts++;
      return;
    }
    KubeObject next;
    if (statusOnly) {
      next = current.withField("status", object.status());
    } else {
      next = object.withMetadata(object.metadata().withServerFieldsOf(current.metadata()))
          .withField("status", current.status());
      if (!Objects.equals(current.spec(), next.spec())) {
        next = next.withMetadata(next.metadata().withGeneration(current.metadata().generation() + 1));
      }
    }
    objects.put(next.key(), next.withMetadata(next.metadata().withResourceVersion(Long.toString(++revision))));
  }

  KubeObject get(String key) {
    return objects.get(key);
  }

  List<KubeObject> list(String kind) {
    List<KubeObject> out = new ArrayList<>();
    for (KubeObject o : objects.values()) {
      if (kind.equals(o.kind())) out.add(o);
    }
    return out;
  }

  List<Action.RecordEvent> events() {
    return events;
  }

  int conflicts() {
    return conflicts;
  }

  /** The node agent of the simulation: binds every pod and makes it Running and Ready at once. */
  void startPods() {
    for (KubeObject pod : list("Pod")) {
      if (pod.status() != null && "Running".equals(pod.status().path("phase").asText())) continue;
      ObjectNode spec = ((ObjectNode) pod.spec()).deepCopy();
      spec.put("nodeName", "node-1");
      write(pod.withField("spec", spec));
      KubeObject bound = get(pod.key());
      ObjectNode status = Json.object();
      status.put("phase", "Running");
      status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
          .put("lastTransitionTime", Rfc3339.format(now));
      writeStatus(bound.withField("status", status));
    }
  }
}
