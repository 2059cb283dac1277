package io.troupe.node.image;

import com.fasterxml.jackson.core.type.TypeReference;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The images a node holds and their names, kept in {@code <root>/images.json}: rewritten whole into a temporary file
 * and renamed over the old one at every change, so a restart finds it whole. Not thread-safe: {@link ImageStore}
 * holds its lock around every use.
 */
final class ImageIndex {
  /** One layer of an image: the blob as shipped and the directory it unpacks to. */
  record Layer(String digest, String diffId, long size) {}

  /**
   * One image.
   *
   * @param id the config digest
   * @param manifest the digest of its manifest blob (null for a docker-save import, which has none)
   * @param names {@code repo:tag} and {@code repo@sha256:...} names
   */
  record Entry(String id, String manifest, List<Layer> layers, ImageConfig config, long sizeBytes,
      List<String> names) {
    Entry {
      layers = List.copyOf(layers);
      names = List.copyOf(names);
    }

    Entry withNames(List<String> names) {
      return new Entry(id, manifest, layers, config, sizeBytes, names);
    }

    ImageSummary summary() {
      return new ImageSummary(id, names, sizeBytes);
    }
  }

  private final Path file;
  private final Map<String, Entry> images = new LinkedHashMap<>();

  ImageIndex(Path root) throws IOException {
    this.file = root.resolve("images.json");
    if (Files.exists(file)) {
      List<Entry> stored = Json.MAPPER.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
      for (Entry e : stored) images.put(e.id(), e);
    }
  }

  Optional<Entry> byName(String name) {
    return images.values().stream().filter(e -> e.names().contains(name)).findFirst();
  }

  Optional<Entry> byId(String id) {
    return Optional.ofNullable(images.get(id));
  }

  /** The image whose id is {@code idOrPrefix} ({@code sha256:<hex>}, its hex, or a unique prefix of 12+ digits). */
  Optional<Entry> byIdPrefix(String idOrPrefix) {
    String hex = idOrPrefix.startsWith("sha256:") ? idOrPrefix.substring(7) : idOrPrefix;
    if (!hex.matches("[a-f0-9]{12,64}")) return Optional.empty();
    List<Entry> found = images.values().stream().filter(e -> e.id().substring(7).startsWith(hex)).toList();
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  List<Entry> all() {
    List<Entry> all = new ArrayList<>(images.values());
    all.sort(Comparator.comparing(e -> e.names().isEmpty() ? e.id() : e.names().get(0)));
    return all;
  }

  /**
   * Records {@code image} under {@code names}: each name moves to it from any image that had it (as a tag moves
   * in Docker), and an image whose last tag of a repository moved loses its digest names of that repository too;
   * an image left without names is dropped. True when one was dropped (its layers go at the next sweep).
   */
  boolean put(Entry image, List<String> names) throws IOException {
    boolean dropped = false;
    for (Entry other : List.copyOf(images.values())) {
      if (other.id().equals(image.id())) continue;
      List<String> kept = new ArrayList<>(other.names());
      if (!kept.removeAll(names)) continue;
      kept = withoutUntaggedDigests(kept, other.names());
      if (kept.isEmpty()) {
        images.remove(other.id());
        dropped = true;
      } else {
        images.put(other.id(), other.withNames(kept));
      }
    }
    Entry existing = images.get(image.id());
    List<String> all = new ArrayList<>(existing == null ? List.of() : existing.names());
    for (String n : names) if (!all.contains(n)) all.add(n);
    images.put(image.id(), image.withNames(all));
    save();
    return dropped;
  }

  /**
   * {@code kept} without the digest names ({@code repo@sha256:...}) of repositories that had a tag in {@code before}
   * and have none left: a repository's digest name goes with its last tag, as in Docker.
   */
  static List<String> withoutUntaggedDigests(List<String> kept, List<String> before) {
    List<String> out = new ArrayList<>(kept);
    for (String name : before) {
      if (name.contains("@")) continue;
      String repo = name.substring(0, name.lastIndexOf(':'));
      boolean tagged = out.stream().anyMatch(n -> !n.contains("@") && n.startsWith(repo + ":"));
      if (!tagged) out.removeIf(n -> n.startsWith(repo + "@"));
    }
    return out;
  }

  void replace(Entry image) throws IOException {
    images.put(image.id(), image);
    save();
  }

  void delete(String id) throws IOException {
    images.remove(id);
    save();
  }

  private void save() throws IOException {
    Path tmp = file.resolveSibling("images.json." + UUID.randomUUID() + ".tmp");
    try {
      Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(List.copyOf(images.values())));
      try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Blobs.move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
