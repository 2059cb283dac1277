package io.troupe.node.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.node.runtime.MemoryVolume;
import io.troupe.node.runtime.Mount;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The kubelet's volume manager for one node: before a pod's containers start, each of its volumes becomes a
 * directory (or file) on this node, which the runtime then mounts into the containers that ask for it.
 *
 * <ul>
 *   <li>{@code emptyDir}: {@code <root>/<pod uid>/empty-dir/<name>}, removed with the pod; with {@code medium:
 *       Memory} the runtime mounts a tmpfs there (in the pod's mount namespace). {@code sizeLimit} sizes the
 *       tmpfs; on disk it is not enforced.
 *   <li>{@code hostPath}: the path itself, checked or created by its {@code type}.
 *   <li>{@code configMap}, {@code secret}, {@code downwardAPI}, {@code projected}: files written under
 *       {@code <root>/<pod uid>/<plugin>/<name>} by {@link ProjectedFiles} (atomically), and rewritten by
 *       {@link #prepare} whenever their source changed; always mounted read-only.
 *   <li>{@code persistentVolumeClaim}: the path of the PersistentVolume its claim is bound to
 *       ({@code hostPath} or {@code local}); the claim must be Bound.
 * </ul>
 * Blocking (file I/O): called on a blocking dispatcher, never on an actor's thread.
 */
public final class PodVolumes {
  /** Where a pod's volumes are on this node, by volume name. */
  public record Prepared(Map<String, Volume> volumes) {
    public Prepared {
      volumes = Map.copyOf(volumes);
    }

    /** The tmpfs volumes the pod's sandbox mounts. */
    public List<MemoryVolume> memoryVolumes() {
      return volumes.values().stream().map(Volume::memory).filter(m -> m != null).toList();
    }
  }

  /**
   * One volume set up on this node.
   *
   * @param projected whose files are written from API objects (mounted read-only, kept up to date)
   * @param memory the tmpfs to mount for an {@code emptyDir} of {@code medium: Memory}, else null
   */
  public record Volume(String name, Path path, boolean readOnly, boolean projected, MemoryVolume memory) {}

  private static final int DEFAULT_MODE = 0644;
  private static final String SERVICE_ACCOUNT_TOKEN = "serviceAccountToken";

  private final Path root;
  private final Store store;
  /** Service account tokens, or null: no token volume ({@link ServiceAccountTokenFiles}). */
  private final ServiceAccountTokenFiles tokens;

  /** @param root where pods' own volumes go, {@code <data-dir>/node/<node>/volumes} */
  public PodVolumes(Path root, Store store) {
    this(root, store, null);
  }

  /** @param tokens signs the pods' service account tokens; null for none */
  public PodVolumes(Path root, Store store, ServiceAccountTokens tokens) {
    this.root = root;
    this.store = store;
    this.tokens = tokens == null ? null : new ServiceAccountTokenFiles(tokens, store, Clock.systemUTC());
  }

  /** Whether the pod has volumes whose content comes from API objects (and so may change). */
  public static boolean hasProjections(KubeObject pod) {
    for (JsonNode v : pod.spec().path("volumes")) {
      if (v.has("configMap") || v.has("secret") || v.has("downwardAPI") || v.has("projected")) return true;
    }
    return false;
  }

  /** Whether the pod has anything to set up here: volumes, or its service account token. */
  public boolean hasVolumes(KubeObject pod) {
    return !pod.spec().path("volumes").isEmpty() || mountsToken(pod);
  }

  /** Whether the pod's volumes must be brought up to date now and then: projections, or a token to renew. */
  public boolean needsSync(KubeObject pod) {
    return hasProjections(pod) || mountsToken(pod);
  }

  private boolean mountsToken(KubeObject pod) {
    return tokens != null && tokens.automount(pod);
  }

  /**
   * Sets up (or brings up to date) every volume of the pod.
   *
   * @param downwardApi the content of a downwardAPI item (its {@code fieldRef} or {@code resourceFieldRef})
   * @throws VolumeException for the first volume that cannot be set up
   */
  public Prepared prepare(KubeObject pod, Function<JsonNode, String> downwardApi) {
    Map<String, Volume> out = new LinkedHashMap<>();
    String uid = pod.metadata().uid();
    for (JsonNode v : pod.spec().path("volumes")) {
      String name = v.path("name").asText();
      try {
        out.put(name, prepare(pod, uid, name, v, downwardApi));
      } catch (IOException e) {
        throw new VolumeException(name, String.valueOf(e.getMessage()));
      } catch (ClaimPending e) {
        throw new VolumeException(name, e.getMessage(), true);
      } catch (IllegalArgumentException e) {
        throw new VolumeException(name, e.getMessage());
      }
    }
    if (mountsToken(pod)) {
      try {
        SortedMap<String, ProjectedFiles.File> files = new TreeMap<>();
        tokens.defaultFiles(pod, DEFAULT_MODE, files);
        Path dir = own(uid, "service-account", ServiceAccountTokenFiles.VOLUME);
        ProjectedFiles.write(dir, files);
        out.put(ServiceAccountTokenFiles.VOLUME, new Volume(ServiceAccountTokenFiles.VOLUME, dir, true, true, null));
      } catch (IOException | IllegalArgumentException e) {
        throw new VolumeException(ServiceAccountTokenFiles.VOLUME, String.valueOf(e.getMessage()));
      }
    }
    return new Prepared(out);
  }

  private Volume prepare(KubeObject pod, String uid, String name, JsonNode v, Function<JsonNode, String> downwardApi)
      throws IOException {
    if (v.has("emptyDir")) {
      Path dir = own(uid, "empty-dir", name);
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, ProjectedFiles.permissions(0777));
      JsonNode e = v.get("emptyDir");
      MemoryVolume memory = "Memory".equals(e.path("medium").asText(""))
          ? new MemoryVolume(dir.toString(), bytes(e.get("sizeLimit"))) : null;
      return new Volume(name, dir, false, false, memory);
    }
    if (v.has("hostPath")) {
      JsonNode h = v.get("hostPath");
      return new Volume(name, hostPath(h.path("path").asText(), h.path("type").asText("")), false, false, null);
    }
    if (v.has("persistentVolumeClaim")) {
      JsonNode c = v.get("persistentVolumeClaim");
      return new Volume(name, claimPath(pod, c.path("claimName").asText()), c.path("readOnly").asBoolean(false),
          false, null);
    }
    SortedMap<String, ProjectedFiles.File> files = new TreeMap<>();
    String plugin;
    if (v.has("configMap")) {
      plugin = "configmap";
      JsonNode c = v.get("configMap");
      configMapFiles(pod, c, mode(c), files);
    } else if (v.has("secret")) {
      plugin = "secret";
      JsonNode s = v.get("secret");
      secretFiles(pod, s.path("secretName").asText(), s, mode(s), files);
    } else if (v.has("downwardAPI")) {
      plugin = "downward-api";
      JsonNode d = v.get("downwardAPI");
      downwardApiFiles(d, mode(d), downwardApi, files);
    } else if (v.has("projected")) {
      plugin = "projected";
      JsonNode p = v.get("projected");
      int mode = mode(p);
      for (JsonNode source : p.path("sources")) {
        if (source.has("configMap")) configMapFiles(pod, source.get("configMap"), mode, files);
        else if (source.has("secret")) secretFiles(pod, source.get("secret").path("name").asText(),
            source.get("secret"), mode, files);
        else if (source.has("downwardAPI")) downwardApiFiles(source.get("downwardAPI"), mode, downwardApi, files);
        else if (source.has(SERVICE_ACCOUNT_TOKEN)) {
          if (tokens == null) throw new IllegalArgumentException("this node issues no service account tokens");
          JsonNode t = source.get(SERVICE_ACCOUNT_TOKEN);
          files.put(relative(t.path("path").asText()), new ProjectedFiles.File(tokens.projectedToken(pod, t), mode));
        }
      }
    } else {
      throw new IllegalArgumentException("unsupported volume type");
    }
    Path dir = own(uid, plugin, name);
    ProjectedFiles.write(dir, files);
    return new Volume(name, dir, true, true, null);
  }

  /**
   * The host paths a container's {@code volumeMounts} name, with their {@code subPath}s: a sub-path of a
   * projected volume is its file as it is now (it is not updated, as in Kubernetes); one of another volume is
   * made when missing, as the kubelet does.
   */
  public List<Mount> mounts(JsonNode container, Prepared prepared) {
    List<Mount> out = new ArrayList<>();
    for (JsonNode m : container.path("volumeMounts")) {
      String name = m.path("name").asText();
      Volume volume = prepared.volumes().get(name);
      if (volume == null) throw new VolumeException(name, "the pod has no volume \"" + name + "\"");
      Path host = volume.path();
      String subPath = m.path("subPath").asText("");
      if (!subPath.isEmpty()) {
        host = volume.path().resolve(subPath).normalize();
        if (!host.startsWith(volume.path())) {
          throw new VolumeException(name, "subPath \"" + subPath + "\" leaves the volume");
        }
        try {
          if (volume.projected()) {
            host = host.toRealPath();
          } else if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(host);
          }
        } catch (IOException e) {
          throw new VolumeException(name, "subPath \"" + subPath + "\": " + e.getMessage());
        }
      }
      out.add(new Mount(host.toString(), m.path("mountPath").asText(),
          volume.readOnly() || m.path("readOnly").asBoolean(false)));
    }
    Volume token = prepared.volumes().get(ServiceAccountTokenFiles.VOLUME);
    boolean ownMountThere = out.stream().anyMatch(m -> Path.of(m.containerPath()).normalize()
        .equals(Path.of(ServiceAccountTokenFiles.MOUNT_PATH)));
    if (token != null && !ownMountThere) {
      out.add(new Mount(token.path().toString(), ServiceAccountTokenFiles.MOUNT_PATH, true));
    }
    return out;
  }

  /** Removes the pod's own volumes (emptyDirs, projections); hostPaths and claims' volumes stay. */
  public void remove(String podUid) throws IOException {
    if (tokens != null) tokens.forget(podUid);
    if (!podUid.isEmpty() && !podUid.contains("/")) ProjectedFiles.deleteTree(root.resolve(podUid));
  }

  /** Removes the own volumes of every pod but these (at start: pods that went while the agent was away). */
  public void removeAllExcept(Set<String> podUids) throws IOException {
    if (!Files.isDirectory(root)) return;
    try (DirectoryStream<Path> pods = Files.newDirectoryStream(root)) {
      for (Path pod : pods) {
        if (!podUids.contains(pod.getFileName().toString())) ProjectedFiles.deleteTree(pod);
      }
    }
  }

  private Path own(String uid, String plugin, String name) {
    return root.resolve(uid).resolve(plugin).resolve(name);
  }

  /** kubelet's hostPath type checks; {@code DirectoryOrCreate} and {@code FileOrCreate} make what is missing. */
  static Path hostPath(String path, String type) throws IOException {
    Path p = Path.of(path);
    switch (type) {
      case "DirectoryOrCreate" -> {
        if (!Files.exists(p)) {
          Files.createDirectories(p);
          Files.setPosixFilePermissions(p, ProjectedFiles.permissions(0755));
        }
        if (!Files.isDirectory(p)) throw new IllegalArgumentException(path + " exists and is not a directory");
      }
      case "FileOrCreate" -> {
        if (!Files.exists(p)) {
          Files.createDirectories(p.getParent());
          Files.createFile(p);
        }
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(path + " exists and is not a file");
      }
      case "Directory" -> {
        if (!Files.isDirectory(p)) throw new IllegalArgumentException("hostPath type check failed: " + path
            + " is not a directory");
      }
      case "File" -> {
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("hostPath type check failed: " + path
            + " is not a file");
      }
      case "Socket", "CharDevice", "BlockDevice" -> {
        String want = switch (type) {
          case "Socket" -> "socket";
          case "CharDevice" -> "character device";
          default -> "block device";
        };
        if (!Files.exists(p) || Files.isDirectory(p) || Files.isRegularFile(p)) {
          throw new IllegalArgumentException("hostPath type check failed: " + path + " is not a " + want);
        }
      }
      default -> {
        // "": no check, as Kubernetes
      }
    }
    return p;
  }

  /** The path of the PersistentVolume the claim is bound to. */
  private Path claimPath(KubeObject pod, String claimName) throws IOException {
    KubeObject claim = store.get(ObjectKey.of("PersistentVolumeClaim", pod.metadata().namespace(), claimName))
        .map(Stored::object).orElseThrow(() -> new IllegalArgumentException(
            "persistentvolumeclaim \"" + claimName + "\" not found"));
    String volumeName = claim.spec().path("volumeName").asText("");
    if (volumeName.isEmpty() || !"Bound".equals(claim.status().path("phase").asText())) {
      throw new ClaimPending("persistentvolumeclaim \"" + claimName + "\" is not bound yet");
    }
    KubeObject volume = store.get(ObjectKey.of("PersistentVolume", null, volumeName)).map(Stored::object)
        .orElseThrow(() -> new IllegalArgumentException("persistentvolume \"" + volumeName + "\" of claim \""
            + claimName + "\" not found"));
    JsonNode spec = volume.spec();
    if (spec.has("hostPath")) {
      return hostPath(spec.get("hostPath").path("path").asText(), spec.get("hostPath").path("type").asText(""));
    }
    if (spec.has("local")) {
      return hostPath(spec.get("local").path("path").asText(), "Directory");
    }
    throw new IllegalArgumentException("persistentvolume \"" + volumeName + "\" has no hostPath or local path");
  }

  /** A claim not bound yet: its volume is being provisioned (the scheduler has just chosen the node). */
  private static final class ClaimPending extends IllegalArgumentException {
    ClaimPending(String message) {
      super(message);
    }
  }

  private void configMapFiles(KubeObject pod, JsonNode ref, int mode, SortedMap<String, ProjectedFiles.File> out) {
    String name = ref.path("name").asText();
    Optional<Map<String, byte[]>> data = store.get(ObjectKey.of("ConfigMap", pod.metadata().namespace(), name))
        .map(s -> {
          Map<String, byte[]> d = new TreeMap<>();
          s.object().body().path("data").fields().forEachRemaining(e ->
              d.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
          s.object().body().path("binaryData").fields().forEachRemaining(e ->
              d.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
          return d;
        });
    keyFiles("configmap", name, data, ref, mode, out);
  }

  private void secretFiles(KubeObject pod, String name, JsonNode ref, int mode,
      SortedMap<String, ProjectedFiles.File> out) {
    Optional<Map<String, byte[]>> data = store.get(ObjectKey.of("Secret", pod.metadata().namespace(), name))
        .map(s -> {
          Map<String, byte[]> d = new TreeMap<>();
          s.object().body().path("data").fields().forEachRemaining(e ->
              d.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
          return d;
        });
    keyFiles("secret", name, data, ref, mode, out);
  }

  /** All keys, or the {@code items} asked for, each under its path; a missing object or key fails unless optional. */
  private static void keyFiles(String kind, String name, Optional<Map<String, byte[]>> data, JsonNode ref,
      int mode, SortedMap<String, ProjectedFiles.File> out) {
    boolean optional = ref.path("optional").asBoolean(false);
    if (data.isEmpty()) {
      if (optional) return;
      throw new IllegalArgumentException(kind + " \"" + name + "\" not found");
    }
    JsonNode items = ref.get("items");
    if (items == null || !items.isArray() || items.isEmpty()) {
      data.get().forEach((key, bytes) -> out.put(key, new ProjectedFiles.File(bytes, mode)));
      return;
    }
    for (JsonNode item : items) {
      String key = item.path("key").asText();
      byte[] bytes = data.get().get(key);
      if (bytes == null) {
        if (optional) continue;
        throw new IllegalArgumentException(kind + " \"" + name + "\" has no key \"" + key + "\"");
      }
      out.put(relative(item.path("path").asText()), new ProjectedFiles.File(bytes, item.path("mode").asInt(mode)));
    }
  }

  private static void downwardApiFiles(JsonNode source, int mode, Function<JsonNode, String> downwardApi,
      SortedMap<String, ProjectedFiles.File> out) {
    for (JsonNode item : source.path("items")) {
      out.put(relative(item.path("path").asText()), new ProjectedFiles.File(
          downwardApi.apply(item).getBytes(StandardCharsets.UTF_8), item.path("mode").asInt(mode)));
    }
  }

  /** A file's path in a volume: relative, without {@code ..} (validated by the API; checked again here). */
  private static String relative(String path) {
    Path p = Path.of(path).normalize();
    if (path.isEmpty() || p.isAbsolute() || p.startsWith("..")) {
      throw new IllegalArgumentException("invalid path \"" + path + "\" in the volume");
    }
    return p.toString();
  }

  private static int mode(JsonNode source) {
    return source.path("defaultMode").asInt(DEFAULT_MODE);
  }

  private static long bytes(JsonNode quantity) {
    if (quantity == null || quantity.isNull()) return 0;
    try {
      return Quantity.parse(quantity).value();
    } catch (QuantityFormatException e) {
      throw new IllegalArgumentException("invalid sizeLimit: " + e.getMessage());
    }
  }
}
