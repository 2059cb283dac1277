package io.troupe.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Reads the images of a tarball into the blob store, as {@code ctr image import} does: a {@code docker save}
 * tarball ({@code manifest.json} with {@code RepoTags}, a config and layer tars) or an OCI image layout
 * ({@code oci-layout}, {@code index.json} whose manifests carry their names in the annotation
 * {@code org.opencontainers.image.ref.name} or containerd's {@code io.containerd.image.name}). A gzip-compressed
 * tarball is taken too. Every blob is verified by its digest where the tarball names one.
 */
final class TarballImport {
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final String CONTAINERD_NAME = "io.containerd.image.name";

  /** One image found: its names, and the digests of its blobs (the manifest's null for a docker-save image). */
  record Found(List<String> names, String manifest, String config, List<String> layers) {}

  private TarballImport() {}

  static List<Found> read(Path tarball, Blobs blobs, Path tmp) throws IOException {
    Path plain = tarball;
    boolean unzipped = false;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball))) {
      InputStream in = Layers.decompressed(raw);
      if (in != raw) {
        plain = Files.createTempFile(tmp, "import-", ".tar");
        unzipped = true;
        try (OutputStream out = Files.newOutputStream(plain)) {
          in.transferTo(out);
        }
      }
    }
    try (TarFile tar = new TarFile(plain)) {
      Map<String, TarArchiveEntry> entries = new HashMap<>();
      for (TarArchiveEntry e : tar.getEntries()) {
        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        if (e.isFile()) entries.put(name, e);
      }
      if (entries.containsKey("manifest.json")) return dockerSave(tar, entries, blobs);
      if (entries.containsKey("index.json")) return ociLayout(tar, entries, blobs);
      throw new IOException("neither a docker-save tarball (manifest.json) nor an OCI image layout (index.json)");
    } finally {
      if (unzipped) Files.deleteIfExists(plain);
    }
  }

  private static List<Found> dockerSave(TarFile tar, Map<String, TarArchiveEntry> entries, Blobs blobs)
      throws IOException {
    JsonNode manifest = ImageContent.json(bytes(tar, entries, "manifest.json"), "manifest.json");
    if (!manifest.isArray()) throw new IOException("manifest.json is not a list of images");
    List<Found> found = new ArrayList<>();
    for (JsonNode image : manifest) {
      String config = blobs.write(bytes(tar, entries, image.path("Config").asText()), null);
      List<String> layers = new ArrayList<>();
      for (JsonNode layer : image.path("Layers")) {
        String file = layer.asText();
        try (InputStream in = tar.getInputStream(entry(entries, file))) {
          layers.add(blobs.write(in, digestOfPath(file)));
        }
      }
      List<String> names = new ArrayList<>();
      for (JsonNode tag : image.path("RepoTags")) names.add(ImageReference.parse(tag.asText()).name());
      found.add(new Found(names, null, config, layers));
    }
    return found;
  }

  /** {@code blobs/sha256/<hex>} names its digest (Docker 25's save); older layer paths name none. */
  private static String digestOfPath(String file) {
    if (file.startsWith("blobs/sha256/")) {
      String digest = "sha256:" + file.substring("blobs/sha256/".length());
      if (ImageReference.DIGEST.matcher(digest).matches()) return digest;
    }
    return null;
  }

  private static List<Found> ociLayout(TarFile tar, Map<String, TarArchiveEntry> entries, Blobs blobs)
      throws IOException {
    if (entries.containsKey("oci-layout")) {
      JsonNode layout = ImageContent.json(bytes(tar, entries, "oci-layout"), "oci-layout");
      String version = layout.path("imageLayoutVersion").asText();
      if (!version.startsWith("1.")) throw new IOException("unknown OCI image layout version " + version);
    }
    JsonNode index = ImageContent.json(bytes(tar, entries, "index.json"), "index.json");
    List<Found> found = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      ImageContent.Descriptor d = ImageContent.Descriptor.of(m);
      List<String> names = new ArrayList<>();
      String name = m.path("annotations").path(CONTAINERD_NAME).asText("");
      if (name.isEmpty()) name = m.path("annotations").path(REF_NAME).asText("");
      // a bare tag ("latest") names no repository: such an image is imported under its id only
      if (name.contains("/") || name.contains(":") || name.contains("@")) {
        names.add(ImageReference.parse(name).name());
      }
      found.add(image(tar, entries, blobs, d, names));
    }
    return found;
  }

  private static Found image(TarFile tar, Map<String, TarArchiveEntry> entries, Blobs blobs,
      ImageContent.Descriptor d, List<String> names) throws IOException {
    byte[] doc = blob(tar, entries, blobs, d.digest());
    JsonNode json = ImageContent.json(doc, "manifest " + d.digest());
    if (ImageContent.isIndex(d.mediaType(), json)) {
      Optional<ImageContent.Descriptor> mine = ImageContent.platform(json);
      if (mine.isEmpty()) {
        throw new IOException("index " + d.digest() + " has no image for linux/" + ImageContent.hostArchitecture());
      }
      return image(tar, entries, blobs, mine.get(), names);
    }
    ImageContent.Manifest manifest = ImageContent.manifest(json);
    blob(tar, entries, blobs, manifest.config().digest());
    List<String> layers = new ArrayList<>();
    for (ImageContent.Descriptor layer : manifest.layers()) {
      try (InputStream in = tar.getInputStream(entry(entries, "blobs/sha256/" + Blobs.hex(layer.digest())))) {
        layers.add(blobs.write(in, layer.digest()));
      }
    }
    return new Found(names, d.digest(), manifest.config().digest(), layers);
  }

  private static byte[] blob(TarFile tar, Map<String, TarArchiveEntry> entries, Blobs blobs, String digest)
      throws IOException {
    byte[] bytes = bytes(tar, entries, "blobs/sha256/" + Blobs.hex(digest));
    blobs.write(bytes, digest);
    return bytes;
  }

  private static byte[] bytes(TarFile tar, Map<String, TarArchiveEntry> entries, String name) throws IOException {
    TarArchiveEntry e = entry(entries, name);
    if (e.getSize() > 64L * 1024 * 1024) throw new IOException(name + " is too large for a JSON document");
    try (InputStream in = tar.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  private static TarArchiveEntry entry(Map<String, TarArchiveEntry> entries, String name) throws IOException {
    TarArchiveEntry e = entries.get(name.startsWith("./") ? name.substring(2) : name);
    if (e == null) throw new IOException("the tarball has no " + name);
    return e;
  }
}
