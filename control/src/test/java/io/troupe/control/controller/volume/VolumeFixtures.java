package io.troupe.control.controller.volume;

import io.troupe.control.controller.Action;
import io.troupe.control.scheduler.Manifests;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Claims, volumes and classes for the volume reconcilers' tests, written as YAML. */
final class VolumeFixtures {
  static final StorageClass LOCAL_PATH =
      new StorageClass("local-path", LocalPathProvisioner.NAME, "Delete", StorageClass.WAIT_FOR_FIRST_CONSUMER, true);
  static final StorageClass STANDARD = new StorageClass("standard", null, "Retain", StorageClass.IMMEDIATE, false);
  static final Map<String, StorageClass> CLASSES = Map.of("local-path", LOCAL_PATH, "standard", STANDARD);

  private VolumeFixtures() {}

  /**
   * A claim {@code default/<name>} with uid {@code uid-<name>} and resourceVersion 7, the rest of it (spec, status,
   * more metadata) written as YAML.
   */
  static KubeObject claim(String name, String yaml) {
    return named(Manifests.object("PersistentVolumeClaim", yaml), "default", name, "uid-" + name, "7");
  }

  /** A volume with uid {@code uid-<name>} and resourceVersion 9, the rest of it written as YAML. */
  static KubeObject volume(String name, String yaml) {
    return named(Manifests.object("PersistentVolume", yaml), null, name, "uid-" + name, "9");
  }

  private static KubeObject named(KubeObject o, String namespace, String name, String uid, String resourceVersion) {
    ObjectMeta m = o.metadata();
    return o.withMetadata(new ObjectMeta(name, null, namespace, uid, resourceVersion, null, null,
        m.deletionTimestamp(), null, m.labels(), m.annotations(), null, m.finalizers()));
  }

  static KubeObject pod(String name, String phase, String... claims) {
    StringBuilder volumes = new StringBuilder();
    for (String c : claims) {
      volumes.append("  - {name: ").append(c).append(", persistentVolumeClaim: {claimName: ").append(c).append("}}\n");
    }
    return Manifests.object("Pod", """
        metadata: {name: %s, namespace: default, uid: uid-%s}
        spec:
          containers: [{name: app, image: nginx}]
          volumes:
        %sstatus: {phase: %s}
        """.formatted(name, name, volumes, phase));
  }

  static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Action a : actions) {
      if (type.isInstance(a)) out.add(type.cast(a));
    }
    return out;
  }

  /** "Type Reason: message" of each event action. */
  static List<String> events(List<Action> actions) {
    List<String> out = new ArrayList<>();
    for (Action.RecordEvent e : only(actions, Action.RecordEvent.class)) {
      out.add(e.type() + " " + e.reason() + ": " + e.message());
    }
    return out;
  }
}
