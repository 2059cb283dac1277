package io.troupe.node.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The node half of the local-path provisioner, for the nodes of this JVM (the controller half, a singleton,
 * creates the PersistentVolume objects): makes the directory of each PersistentVolume provisioned for one of
 * these nodes as soon as it appears, and once such a volume is being deleted, removes its directory (reclaim
 * policy {@code Delete}; {@code Retain} keeps the data) and then its finalizer, which lets the object go. Only
 * paths under the node's local-path root are ever made or removed. One watch of PersistentVolumes per JVM (one
 * JVM may simulate thousands of nodes); with the simulated runtime there are no files, only finalizers.
 */
public final class LocalPathVolumes extends AbstractBehavior<LocalPathVolumes.Command> {
  public static final String PROVISIONER = "troupe.io/local-path";
  public static final String FINALIZER = "troupe.io/local-path";
  static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

  public sealed interface Command {}

  private record Changed(WatchEvent event) implements Command {}

  private record WatchEnded(UniqueKillSwitch watch) implements Command {}

  private record Reclaimed(String name, Throwable failure) implements Command {}

  /**
   * @param roots each node of this JVM and its local-path root
   * @param files false where pods have no files (the simulated runtime): nothing is made or removed on disk
   */
  public static Behavior<Command> create(Store store, Map<String, Path> roots, boolean files) {
    return Behaviors.setup(context -> new LocalPathVolumes(context, store, Map.copyOf(roots), files));
  }

  private final Store store;
  private final Map<String, Path> roots;
  private final boolean files;
  private final Executor blocking;
  /** Volumes whose directory exists (made here, or found). */
  private final Set<String> made = new HashSet<>();
  /** Volumes being reclaimed: their directory going, then their finalizer. */
  private final Set<String> reclaiming = new HashSet<>();
  private UniqueKillSwitch watch;

  private LocalPathVolumes(ActorContext<Command> context, Store store, Map<String, Path> roots, boolean files) {
    super(context);
    this.store = store;
    this.roots = roots;
    this.files = files;
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.watch = startWatch();
  }

  /** From the current volumes (as ADDED) on: after a restart, what was missed is seen again. */
  private UniqueKillSwitch startWatch() {
    var self = getContext().getSelf();
    var run = store.cache().watch(new WatchRequest("PersistentVolume", null, this::ours, null, false, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(new Changed(e))), Keep.both())
        .run(getContext().getSystem());
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(run.first())));
    return run.first();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Reclaimed.class, this::onReclaimed)
        .onMessage(WatchEnded.class, w -> {
          if (w.watch() != watch) return this;
          if (store.cache().stopping()) return Behaviors.stopped();
          watch = startWatch();
          return this;
        })
        .onSignal(PostStop.class, s -> {
          watch.shutdown();
          return this;
        })
        .build();
  }

  private Behavior<Command> onChanged(Changed c) {
    if (c.event().type() == WatchEvent.Type.BOOKMARK) return this;
    KubeObject volume = c.event().object();
    String name = volume.metadata().name();
    if (c.event().type() == WatchEvent.Type.DELETED) {
      made.remove(name);
      return this;
    }
    Path path = path(volume);
    if (path == null) return this;
    if (!volume.metadata().isDeleting()) {
      if (files && made.add(name)) {
        CompletableFuture.runAsync(() -> makeDirectory(path), blocking).exceptionally(e -> {
          getContext().getLog().warn("local-path volume {}: cannot make {}: {}", name, path, e.getMessage());
          return null;
        });
      }
      return this;
    }
    if (volume.metadata().finalizers().contains(FINALIZER) && reclaiming.add(name)) {
      boolean delete = "Delete".equals(volume.spec().path("persistentVolumeReclaimPolicy").asText("Delete"));
      CompletableFuture<Void> reclaimed = CompletableFuture.runAsync(() -> {
        if (files && delete) removeDirectory(path);
      }, blocking).thenCompose(v -> removeFinalizer(name));
      getContext().pipeToSelf(reclaimed, (v, failure) -> new Reclaimed(name, failure));
    }
    return this;
  }

  private Behavior<Command> onReclaimed(Reclaimed r) {
    reclaiming.remove(r.name());
    if (r.failure() != null) {
      getContext().getLog().warn("local-path volume {}: reclaim failed, trying again: {}", r.name(),
          r.failure().getMessage());
      // the next change of the object (or the next start) tries again; so does a retry now
      store.cache().get(io.troupe.persistence.model.ObjectKey.of("PersistentVolume", null, r.name()))
          .ifPresent(s -> getContext().scheduleOnce(java.time.Duration.ofSeconds(1), getContext().getSelf(),
              new Changed(new WatchEvent(WatchEvent.Type.MODIFIED, s.object()))));
    } else {
      made.remove(r.name());
    }
    return this;
  }

  /** The volume's finalizer removed, on the version just read: a conflict is tried again by the caller. */
  private CompletableFuture<Void> removeFinalizer(String name) {
    Stored stored = store.cache().get(io.troupe.persistence.model.ObjectKey.of("PersistentVolume", null, name))
        .orElse(null);
    if (stored == null || !stored.object().metadata().finalizers().contains(FINALIZER)) {
      return CompletableFuture.completedFuture(null);
    }
    ObjectMeta m = stored.object().metadata();
    List<String> finalizers = m.finalizers().stream().filter(f -> !f.equals(FINALIZER)).toList();
    ObjectMeta without = new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(),
        m.generation(), m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(),
        m.annotations(), m.ownerReferences(), finalizers);
    return store.replace(stored.object().withMetadata(without), true, stored.sequenceNr()).toCompletableFuture()
        .thenAccept(result -> {
          if (result instanceof StoreResult.Refused refused && !"NotFound".equals(refused.reason())) {
            throw new IllegalStateException(refused.message());
          }
        });
  }

  /** A volume this JVM's nodes own: provisioned here, pinned to one of them. */
  private boolean ours(KubeObject volume) {
    return PROVISIONER.equals(volume.metadata().annotations().get(PROVISIONED_BY))
        && roots.containsKey(node(volume));
  }

  /** The volume's directory, when it lies under its node's root (anything else is never touched). */
  private Path path(KubeObject volume) {
    Path root = roots.get(node(volume));
    String text = volume.spec().path("hostPath").path("path").asText("");
    if (root == null || text.isEmpty()) return null;
    Path path = Path.of(text).normalize();
    if (!path.startsWith(root) || path.equals(root)) {
      getContext().getLog().warn("local-path volume {}: {} is not under the node's root {}; left alone",
          volume.metadata().name(), path, root);
      return null;
    }
    return path;
  }

  /** The node named by the volume's required node affinity ({@code kubernetes.io/hostname In [node]}). */
  static String node(KubeObject volume) {
    for (JsonNode term : volume.spec().path("nodeAffinity").path("required").path("nodeSelectorTerms")) {
      for (JsonNode e : term.path("matchExpressions")) {
        if ("kubernetes.io/hostname".equals(e.path("key").asText()) && "In".equals(e.path("operator").asText())
            && e.path("values").size() == 1) {
          return e.path("values").get(0).asText();
        }
      }
    }
    return "";
  }

  /** As the local-path provisioner's helper pod: {@code mkdir -m 0777 -p}, so that any user in a pod may write. */
  private static void makeDirectory(Path path) {
    try {
      if (!Files.isDirectory(path)) {
        Files.createDirectories(path);
        Files.setPosixFilePermissions(path, ProjectedFiles.permissions(0777));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void removeDirectory(Path path) {
    try {
      ProjectedFiles.deleteTree(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
