package io.troupe.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the JSON documents of an image say: OCI image indexes and manifests (and their Docker schema 2 twins), and
 * the image configuration.
 */
final class ImageContent {
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

  private ImageContent() {}

  /** A blob a manifest names. */
  record Descriptor(String mediaType, String digest, long size) {
    static Descriptor of(JsonNode node) throws IOException {
      String digest = node.path("digest").asText("");
      if (!ImageReference.DIGEST.matcher(digest).matches()) {
        throw new IOException("descriptor without a sha256 digest: " + node);
      }
      return new Descriptor(node.path("mediaType").asText(""), digest, node.path("size").asLong(-1));
    }
  }

  /** An image manifest: its config and layers, bottom first. */
  record Manifest(Descriptor config, List<Descriptor> layers) {}

  /** The config's parts a node needs: the defaults to run with and the diff ids of the layers, bottom first. */
  record Config(ImageConfig config, List<String> diffIds, String os, String architecture) {}

  static JsonNode json(byte[] bytes, String what) throws IOException {
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new IOException(what + " is not JSON: " + e.getMessage(), e);
    }
  }

  static boolean isIndex(String mediaType, JsonNode doc) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType)
        || (mediaType.isEmpty() && doc.has("manifests") && !doc.has("layers"));
  }

  static Manifest manifest(JsonNode doc) throws IOException {
    if (doc.path("schemaVersion").asInt() != 2 || !doc.has("config")) {
      throw new IOException("not an image manifest of schema version 2 (Docker schema 1 images are not supported)");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (JsonNode l : doc.path("layers")) {
      Descriptor d = Descriptor.of(l);
      if (d.mediaType().contains("zstd")) throw new IOException("zstd-compressed layers are not supported: " + d);
      if (d.mediaType().contains("nondistributable") || d.mediaType().contains("foreign")) {
        throw new IOException("foreign (non-distributable) layers are not supported: " + d);
      }
      layers.add(d);
    }
    return new Manifest(Descriptor.of(doc.path("config")), layers);
  }

  /** The manifest of an index that fits this host (linux and its architecture). */
  static Optional<Descriptor> platform(JsonNode index) throws IOException {
    String arch = hostArchitecture();
    for (JsonNode m : index.path("manifests")) {
      JsonNode p = m.path("platform");
      if (p.isMissingNode()) continue;
      if ("linux".equals(p.path("os").asText()) && arch.equals(p.path("architecture").asText())
          && (!arch.equals("arm64") || p.path("variant").asText("v8").equals("v8"))) {
        return Optional.of(Descriptor.of(m));
      }
    }
    return Optional.empty();
  }

  static Config config(byte[] bytes) throws IOException {
    JsonNode doc = json(bytes, "the image config");
    JsonNode c = doc.path("config");
    List<String> diffIds = new ArrayList<>();
    for (JsonNode d : doc.path("rootfs").path("diff_ids")) diffIds.add(d.asText());
    for (String d : diffIds) {
      if (!ImageReference.DIGEST.matcher(d).matches()) throw new IOException("the image config's diff id " + d);
    }
    return new Config(new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
        c.path("WorkingDir").asText(""), c.path("User").asText("")), diffIds, doc.path("os").asText(""),
        doc.path("architecture").asText(""));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : array) out.add(s.asText());
    return out;
  }

  /** This JVM's architecture in OCI words ({@code amd64}, {@code arm64}). */
  static String hostArchitecture() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    switch (arch) {
      case "x86_64":
      case "amd64":
        return "amd64";
      case "aarch64":
      case "arm64":
        return "arm64";
      default:
        return arch;
    }
  }
}
