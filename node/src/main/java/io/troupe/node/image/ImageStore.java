package io.troupe.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's image store, in the shape of containerd's: blobs by digest under {@code blobs/sha256/}, layers unpacked
 * once under {@code layers/<diff id>/} and shared by the images that have them, and an index of names
 * ({@code docker.io/library/busybox:latest}) kept in {@code images.json}, which a restart reads back. Images come
 * from tarballs ({@link #importTarball}) or from an OCI distribution registry ({@link #ensure}).
 *
 * <p>Work runs on the store's own threads. One reference is pulled once even when several pods ask for it at once
 * (they share the pull). Pulls and imports run side by side; a removal waits for them and they for it (a read-write
 * lock), so the removal's sweep of unused layers and blobs never takes what a pull in flight has just stored.
 */
public final class ImageStore implements ImageService {
  private static final Logger log = LoggerFactory.getLogger(ImageStore.class);

  private final ImageStoreSettings settings;
  private final Blobs blobs;
  private final Layers layers;
  private final ImageIndex index;
  private final RegistryClient registry;
  private final ExecutorService executor;
  private final ReentrantReadWriteLock sweep = new ReentrantReadWriteLock();
  private final Map<String, CompletableFuture<Image>> pulls = new ConcurrentHashMap<>();
  /** What {@link #held()} answers: the index as of its last change. */
  private volatile List<ImageSummary> held;

  private ImageStore(ImageStoreSettings settings) throws IOException {
    this.settings = settings;
    Files.createDirectories(settings.root());
    // nothing runs yet: what a crash left half-written is dropped
    Layers.deleteTree(settings.root().resolve("tmp"));
    this.blobs = new Blobs(settings.root());
    this.layers = new Layers(settings.root());
    this.index = new ImageIndex(settings.root());
    this.registry = new RegistryClient(settings);
    this.held = index.all().stream().map(ImageIndex.Entry::summary).toList();
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "image-store-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens (or creates) the store {@code settings} describe. */
  public static ImageStore open(ImageStoreSettings settings) {
    try {
      return new ImageStore(settings);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the image store at " + settings.root() + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return settings.root();
  }

  @Override
  public CompletionStage<Image> ensure(String reference, PullPolicy policy, List<RegistryCredential> credentials) {
    ImageReference ref;
    try {
      ref = ImageReference.parse(reference);
    } catch (ImagePullException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (policy != PullPolicy.Always) {
      Optional<Image> present = present(ref);
      if (present.isPresent()) return CompletableFuture.completedFuture(present.get());
      if (policy == PullPolicy.Never) {
        return CompletableFuture.failedFuture(new ImagePullException("ErrImageNeverPull",
            "Container image \"" + reference + "\" is not present with pull policy of Never"));
      }
    }
    List<RegistryCredential> creds = credentials == null ? List.of() : List.copyOf(credentials);
    // one pull per name at a time; those who ask meanwhile get its outcome
    CompletableFuture<Image> mine = new CompletableFuture<>();
    CompletableFuture<Image> running = pulls.putIfAbsent(ref.name(), mine);
    if (running != null) return running.thenApply(image -> image);
    executor.execute(() -> {
      Image image = null;
      Throwable failure = null;
      try {
        image = locked(false, () -> pull(ref, creds));
      } catch (Throwable t) {
        failure = t;
      }
      // gone from the map before it completes: who asks after that starts a pull of their own
      pulls.remove(ref.name(), mine);
      if (failure == null) {
        mine.complete(image);
      } else {
        mine.completeExceptionally(failure);
      }
    });
    return mine.thenApply(image -> image);
  }

  @Override
  public CompletionStage<List<ImageSummary>> importTarball(Path tarball) {
    return CompletableFuture.supplyAsync(() -> locked(false, () -> {
      try {
        List<ImageSummary> imported = new ArrayList<>();
        for (TarballImport.Found found : TarballImport.read(tarball, blobs, settings.root().resolve("tmp"))) {
          ImageIndex.Entry entry = register(found.names(), found.manifest(), found.config(), found.layers());
          // the names the tarball gave (the image may have more from before)
          imported.add(new ImageSummary(entry.id(), found.names(), entry.sizeBytes()));
        }
        return imported;
      } catch (IOException e) {
        throw new CompletionException(new IOException("cannot import the tarball: " + e.getMessage(), e));
      }
    }), executor);
  }

  /** At once, from the index as of its last change: a listing never waits behind pulls that fill the threads. */
  @Override
  public CompletionStage<List<ImageSummary>> list() {
    return CompletableFuture.completedFuture(held);
  }

  @Override
  public CompletionStage<Boolean> remove(String reference) {
    return CompletableFuture.supplyAsync(() -> locked(true, () -> {
      try {
        boolean removed;
        synchronized (index) {
          removed = untag(reference);
          held = index.all().stream().map(ImageIndex.Entry::summary).toList();
        }
        if (removed) collectGarbage();
        return removed;
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }), executor);
  }

  /**
   * The images held, as of the last change, at once and without waiting (for the Node's {@code status.images},
   * which the node agent writes with its heartbeat).
   */
  public List<ImageSummary> held() {
    return held;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    registry.close();
  }

  /** The image {@code ref} names, when the store holds it whole. */
  private Optional<Image> present(ImageReference ref) {
    synchronized (index) {
      return index.byName(ref.name()).filter(e -> e.layers().stream().allMatch(l -> layers.has(l.diffId())))
          .map(e -> image(ref, e));
    }
  }

  private Image image(ImageReference ref, ImageIndex.Entry e) {
    return new Image(ref.name(), e.id(), e.layers().stream().map(l -> layers.path(l.diffId())).toList(), e.config());
  }

  private Image pull(ImageReference ref, List<RegistryCredential> credentials) {
    try {
      RegistryClient.Fetched top = registry.manifest(ref, ref.manifestReference(), credentials);
      RegistryClient.Fetched fetched = top;
      JsonNode doc = ImageContent.json(fetched.bytes(), "the manifest of " + ref);
      if (ImageContent.isIndex(fetched.mediaType(), doc)) {
        blobs.write(fetched.bytes(), fetched.digest());
        ImageContent.Descriptor mine = ImageContent.platform(doc).orElseThrow(() -> new IOException(
            "no image for linux/" + ImageContent.hostArchitecture() + " in the index of " + ref));
        fetched = registry.manifest(ref, mine.digest(), credentials);
        doc = ImageContent.json(fetched.bytes(), "the manifest of " + ref);
      }
      ImageContent.Manifest manifest = ImageContent.manifest(doc);
      blobs.write(fetched.bytes(), fetched.digest());
      if (!blobs.has(manifest.config().digest())) {
        registry.blob(ref, manifest.config().digest(), credentials, blobs);
      }
      ImageContent.Config config = ImageContent.config(blobs.read(manifest.config().digest()));
      if (config.diffIds().size() != manifest.layers().size()) {
        throw new IOException("the manifest has " + manifest.layers().size() + " layers, its config "
            + config.diffIds().size() + " diff ids");
      }
      List<String> layerDigests = new ArrayList<>();
      for (int i = 0; i < manifest.layers().size(); i++) {
        String digest = manifest.layers().get(i).digest();
        // a layer unpacked already (from any image) is not downloaded again
        if (!layers.has(config.diffIds().get(i)) && !blobs.has(digest)) {
          registry.blob(ref, digest, credentials, blobs);
        }
        layerDigests.add(digest);
      }
      List<String> names = new ArrayList<>();
      names.add(ref.name());
      if (ref.digest() == null) names.add(ref.withDigest(top.digest()));
      return image(ref, register(names, fetched.digest(), manifest.config().digest(), layerDigests));
    } catch (ImagePullException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImagePullException("ErrImagePull", "failed to pull image \"" + ref + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Unpacks the layers of an image whose blobs are stored (checking each against the config's diff ids) and records
   * it under {@code names}.
   */
  private ImageIndex.Entry register(List<String> names, String manifest, String configDigest,
      List<String> layerDigests) throws IOException {
    ImageContent.Config config = ImageContent.config(blobs.read(configDigest));
    if (config.diffIds().size() != layerDigests.size()) {
      throw new IOException("the image has " + layerDigests.size() + " layers, its config "
          + config.diffIds().size() + " diff ids");
    }
    List<ImageIndex.Layer> stored = new ArrayList<>();
    long size = 0;
    for (int i = 0; i < layerDigests.size(); i++) {
      String diffId = config.diffIds().get(i);
      if (!layers.has(diffId)) {
        if (!blobs.has(layerDigests.get(i))) throw new IOException("layer " + layerDigests.get(i) + " is missing");
        layers.unpack(diffId, blobs.path(layerDigests.get(i)));
      }
      long layerSize = Layers.size(layers.path(diffId));
      size += layerSize;
      stored.add(new ImageIndex.Layer(layerDigests.get(i), diffId, layerSize));
    }
    ImageIndex.Entry entry = new ImageIndex.Entry(configDigest, manifest, stored, config.config(), size, List.of());
    synchronized (index) {
      if (index.put(entry, names)) sweepLater();
      held = index.all().stream().map(ImageIndex.Entry::summary).toList();
      return index.byId(configDigest).orElseThrow();
    }
  }

  /** Removes the name {@code reference}, or every name of the image it is the id of; false when none had it. */
  private boolean untag(String reference) throws IOException {
    Optional<ImageIndex.Entry> byId = index.byIdPrefix(reference);
    if (byId.isPresent()) {
      index.delete(byId.get().id());
      return true;
    }
    ImageReference ref = ImageReference.parse(reference);
    Optional<ImageIndex.Entry> found = index.byName(ref.name());
    if (found.isEmpty()) return false;
    ImageIndex.Entry image = found.get();
    List<String> kept = new ArrayList<>(image.names());
    kept.remove(ref.name());
    kept = ImageIndex.withoutUntaggedDigests(kept, image.names());
    if (kept.isEmpty()) {
      index.delete(image.id());
    } else {
      index.replace(image.withNames(kept));
    }
    return true;
  }

  /** Deletes the layers and blobs no image uses (under the write lock: no pull or import is in flight). */
  private void collectGarbage() throws IOException {
    Set<String> usedBlobs = new HashSet<>();
    Set<String> usedLayers = new HashSet<>();
    synchronized (index) {
      for (ImageIndex.Entry e : index.all()) {
        usedBlobs.add(e.id());
        if (e.manifest() != null) usedBlobs.add(e.manifest());
        for (ImageIndex.Layer l : e.layers()) {
          usedBlobs.add(l.digest());
          usedLayers.add(l.diffId());
        }
      }
    }
    for (String layer : layers.all()) {
      if (!usedLayers.contains(layer)) layers.delete(layer);
    }
    // an index pulled with its manifest is not named by the entry: it goes too (it is a few hundred bytes)
    for (String blob : blobs.all()) {
      if (!usedBlobs.contains(blob)) blobs.delete(blob);
    }
    log.debug("image store swept: {} images, {} layers", usedBlobs.size(), usedLayers.size());
  }

  /** A sweep once the pulls and imports in flight are done (an image lost its last name to another). */
  private void sweepLater() {
    try {
      executor.execute(() -> locked(true, () -> {
        try {
          collectGarbage();
        } catch (IOException e) {
          log.warn("image store sweep failed: {}", e.toString());
        }
        return null;
      }));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: the next removal sweeps
    }
  }

  private <T> T locked(boolean exclusive, Supplier<T> work) {
    var lock = exclusive ? sweep.writeLock() : sweep.readLock();
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}
