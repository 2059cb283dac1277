package io.troupe.node.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.junit.jupiter.api.Assumptions;

/**
 * Container images the tests build themselves, so nothing is downloaded: a static busybox (Debian's
 * {@code busybox-static}, {@code /usr/bin/busybox}) at {@code /bin/busybox} with its applets as symbolic links
 * ({@code /bin/sh}, {@code httpd}, {@code wget}, {@code sleep}...), {@code /etc/passwd}, {@code /tmp}; config
 * {@code Cmd ["sh"]} and a {@code PATH}. Written as a {@code docker save} tarball, an OCI image layout tarball, or
 * pushed to a registry. Everything is deterministic: the same busybox gives the same digests.
 *
 * <pre>{@code
 * TestImages.assumeBusybox();
 * Path tar = TestImages.dockerSaveTarball(dir, "busybox:latest");
 * TestImages.busybox().withFile("/www/index.html", "hello").withCmd("httpd", "-f", "-h", "/www")
 *     .writeDockerSave(dir.resolve("web.tar"), "web:1");
 * }</pre>
 */
public final class TestImages {
  public static final Path BUSYBOX = Path.of("/usr/bin/busybox");
  /** The applets linked to /bin/busybox. */
  public static final List<String> APPLETS = List.of("sh", "ash", "cat", "echo", "sleep", "ls", "ps", "httpd", "wget",
      "nc", "env", "true", "false", "test", "[", "mkdir", "rm", "cp", "mv", "touch", "hostname", "id", "kill", "head",
      "tail", "grep", "sed", "awk", "date", "ping", "nslookup", "tee", "wc", "printf", "pwd", "sort", "uname",
      "whoami", "mount", "umount", "df", "du", "ln", "chmod", "chown", "stat", "find", "xargs", "which", "timeout",
      "seq", "nohup", "netstat", "ip", "ifconfig", "top", "free", "dd", "yes", "basename", "dirname", "tr", "cut",
      "uptime", "tar", "gzip", "md5sum", "sha256sum", "vi", "less", "readlink", "realpath", "expr", "pidof", "xxd",
      "hexdump", "mkfifo", "rmdir", "sync", "usleep", "watch", "uniq", "nproc", "diff", "od", "telnet", "traceroute");
  public static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /** Every file's time: 2024-01-01T00:00:00Z. */
  private static final long MTIME = 1_704_067_200_000L;
  private static Layer base;

  private TestImages() {}

  /** Whether the tests can build images here: {@code /usr/bin/busybox} is there and statically linked. */
  public static boolean available() {
    return Files.isRegularFile(BUSYBOX) && Files.isExecutable(BUSYBOX) && statical(BUSYBOX);
  }

  /** Skips the calling test where a static {@code /usr/bin/busybox} is missing. */
  public static void assumeBusybox() {
    Assumptions.assumeTrue(available(), "needs a static busybox at " + BUSYBOX
        + " to build test images (apt-get install busybox-static; Debian's busybox package is dynamically linked)");
  }

  /** A 64-bit little-endian ELF without a PT_INTERP program header (no dynamic loader): runs in an empty root. */
  private static boolean statical(Path elf) {
    try (var channel = java.nio.channels.FileChannel.open(elf)) {
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      channel.read(header, 0);
      if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) return false;
      long phoff = header.getLong(0x20);
      int phentsize = Short.toUnsignedInt(header.getShort(0x36));
      int phnum = Short.toUnsignedInt(header.getShort(0x38));
      java.nio.ByteBuffer type = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < phnum; i++) {
        type.clear();
        channel.read(type, phoff + (long) i * phentsize);
        if (type.getInt(0) == 3) return false;
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The busybox image. */
  public static TestImage busybox() {
    return new TestImage(List.of(baseLayer()), List.of(), List.of("sh"), List.of(PATH_ENV), "", "");
  }

  /** Writes the busybox image named {@code reference} as a docker-save tarball in {@code dir}; its path. */
  public static Path dockerSaveTarball(Path dir, String reference) {
    Path file = dir.resolve(fileName(reference) + ".docker.tar");
    busybox().writeDockerSave(file, reference);
    return file;
  }

  /** Writes the busybox image named {@code reference} as an OCI image layout tarball in {@code dir}; its path. */
  public static Path ociLayoutTarball(Path dir, String reference) {
    Path file = dir.resolve(fileName(reference) + ".oci.tar");
    busybox().writeOciLayout(file, reference);
    return file;
  }

  private static String fileName(String reference) {
    return reference.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /** One layer: its tar, the tar gzip-compressed, and their digests (the diff id and the blob's). */
  public record Layer(byte[] tar, byte[] gzip, String diffId, String digest) {
    static Layer of(byte[] tar) {
      byte[] gzip = compress(tar);
      return new Layer(tar, gzip, Blobs.digest(tar), Blobs.digest(gzip));
    }
  }

  /** An image: layers bottom first and the config's defaults. Immutable; {@code with...} give new images. */
  public record TestImage(List<Layer> layers, List<String> entrypoint, List<String> cmd, List<String> env,
      String workingDir, String user) {
    public TestImage {
      layers = List.copyOf(layers);
      entrypoint = List.copyOf(entrypoint);
      cmd = List.copyOf(cmd);
      env = List.copyOf(env);
    }

    /** A layer on top with these text files (path → content), mode 0644 (0755 when the path ends in .sh). */
    public TestImage withFiles(Map<String, String> files) {
      Map<String, byte[]> bytes = new TreeMap<>();
      files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      List<Layer> more = new ArrayList<>(layers);
      more.add(Layer.of(tar(bytes, List.of())));
      return new TestImage(more, entrypoint, cmd, env, workingDir, user);
    }

    public TestImage withFile(String path, String content) {
      return withFiles(Map.of(path, content));
    }

    /**
     * A layer on top that deletes {@code paths} of the layers below (OCI whiteouts: {@code .wh.NAME}); a path ending
     * in {@code /} makes that directory opaque ({@code .wh..wh..opq}: nothing of it from below shows).
     */
    public TestImage withWhiteouts(String... paths) {
      return withChanges(Map.of(), paths);
    }

    /** A layer on top with these text files and these whiteouts (see {@link #withWhiteouts}). */
    public TestImage withChanges(Map<String, String> files, String... whiteouts) {
      Map<String, byte[]> bytes = new TreeMap<>();
      files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      List<Layer> more = new ArrayList<>(layers);
      more.add(Layer.of(tar(bytes, List.of(whiteouts))));
      return new TestImage(more, entrypoint, cmd, env, workingDir, user);
    }

    public TestImage withCmd(String... command) {
      return new TestImage(layers, entrypoint, List.of(command), env, workingDir, user);
    }

    public TestImage withEntrypoint(String... command) {
      return new TestImage(layers, List.of(command), cmd, env, workingDir, user);
    }

    public TestImage withEnv(String... entries) {
      List<String> all = new ArrayList<>(env);
      all.addAll(List.of(entries));
      return new TestImage(layers, entrypoint, cmd, all, workingDir, user);
    }

    public TestImage withWorkingDir(String dir) {
      return new TestImage(layers, entrypoint, cmd, env, dir, user);
    }

    public TestImage withUser(String name) {
      return new TestImage(layers, entrypoint, cmd, env, workingDir, name);
    }

    /** The image config (JSON). */
    public byte[] config() {
      ObjectNode c = Json.object();
      c.put("architecture", ImageContent.hostArchitecture());
      c.put("os", "linux");
      ObjectNode conf = c.putObject("config");
      if (!env.isEmpty()) strings(conf.putArray("Env"), env);
      if (!entrypoint.isEmpty()) strings(conf.putArray("Entrypoint"), entrypoint);
      if (!cmd.isEmpty()) strings(conf.putArray("Cmd"), cmd);
      if (!workingDir.isEmpty()) conf.put("WorkingDir", workingDir);
      if (!user.isEmpty()) conf.put("User", user);
      ObjectNode rootfs = c.putObject("rootfs");
      rootfs.put("type", "layers");
      strings(rootfs.putArray("diff_ids"), layers.stream().map(Layer::diffId).toList());
      ArrayNode history = c.putArray("history");
      for (int i = 0; i < layers.size(); i++) {
        history.addObject().put("created", "2024-01-01T00:00:00Z").put("created_by", "TestImages layer " + i);
      }
      return Json.write(c).getBytes(StandardCharsets.UTF_8);
    }

    /** The image id, as the store reports it: the config's digest. */
    public String id() {
      return Blobs.digest(config());
    }

    /** The OCI image manifest (gzip layers). */
    public byte[] manifest() {
      ObjectNode m = Json.object();
      m.put("schemaVersion", 2);
      m.put("mediaType", ImageContent.OCI_MANIFEST);
      byte[] config = config();
      m.putObject("config").put("mediaType", ImageContent.OCI_CONFIG).put("digest", Blobs.digest(config))
          .put("size", config.length);
      ArrayNode ls = m.putArray("layers");
      for (Layer l : layers) {
        ls.addObject().put("mediaType", ImageContent.OCI_LAYER_GZIP).put("digest", l.digest())
            .put("size", l.gzip().length);
      }
      return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    public String manifestDigest() {
      return Blobs.digest(manifest());
    }

    /** Writes a {@code docker save} tarball (uncompressed layer tars) of this image under {@code references}. */
    public void writeDockerSave(Path file, String... references) {
      Map<String, byte[]> files = new TreeMap<>();
      byte[] config = config();
      String configName = Blobs.hex(Blobs.digest(config)) + ".json";
      files.put(configName, config);
      List<String> layerNames = new ArrayList<>();
      for (Layer l : layers) {
        String name = Blobs.hex(l.diffId()) + "/layer.tar";
        files.put(name, l.tar());
        files.put(Blobs.hex(l.diffId()) + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
        layerNames.add(name);
      }
      ArrayNode manifest = Json.MAPPER.createArrayNode();
      ObjectNode image = manifest.addObject();
      image.put("Config", configName);
      strings(image.putArray("RepoTags"), List.of(references));
      strings(image.putArray("Layers"), layerNames);
      files.put("manifest.json", Json.write(manifest).getBytes(StandardCharsets.UTF_8));
      ObjectNode repositories = Json.object();
      String top = Blobs.hex(layers.get(layers.size() - 1).diffId());
      for (String r : references) {
        int colon = r.lastIndexOf(':');
        boolean tagged = colon > r.lastIndexOf('/');
        ObjectNode repo = repositories.has(tagged ? r.substring(0, colon) : r)
            ? (ObjectNode) repositories.get(tagged ? r.substring(0, colon) : r)
            : repositories.putObject(tagged ? r.substring(0, colon) : r);
        repo.put(tagged ? r.substring(colon + 1) : "latest", top);
      }
      files.put("repositories", Json.write(repositories).getBytes(StandardCharsets.UTF_8));
      write(file, tar(files));
    }

    /**
     * Writes an OCI image layout tarball of this image, named as {@code ctr image export} names it: the full name
     * in {@code io.containerd.image.name}, the tag in {@code org.opencontainers.image.ref.name}.
     */
    public void writeOciLayout(Path file, String reference) {
      Map<String, byte[]> files = new TreeMap<>();
      files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      byte[] manifest = manifest();
      byte[] config = config();
      files.put("blobs/sha256/" + Blobs.hex(Blobs.digest(manifest)), manifest);
      files.put("blobs/sha256/" + Blobs.hex(Blobs.digest(config)), config);
      for (Layer l : layers) files.put("blobs/sha256/" + Blobs.hex(l.digest()), l.gzip());
      ImageReference ref = ImageReference.parse(reference);
      ObjectNode index = Json.object();
      index.put("schemaVersion", 2);
      index.put("mediaType", ImageContent.OCI_INDEX);
      ObjectNode m = index.putArray("manifests").addObject();
      m.put("mediaType", ImageContent.OCI_MANIFEST).put("digest", Blobs.digest(manifest)).put("size", manifest.length);
      ObjectNode annotations = m.putObject("annotations");
      annotations.put(TarballImport.CONTAINERD_NAME, ref.name());
      annotations.put(TarballImport.REF_NAME, ref.tag() == null ? ref.name() : ref.tag());
      files.put("index.json", Json.write(index).getBytes(StandardCharsets.UTF_8));
      write(file, tar(files));
    }

    /**
     * Pushes this image to the registry at {@code registry} (http://host:port) as {@code repository:tag} with the
     * distribution API (blob uploads, then the manifest), answering a Bearer challenge with a token for
     * {@code username}/{@code password} (null for none); the manifest's digest.
     */
    public String push(URI registry, String repository, String tag, String username, String password) {
      Pusher pusher = new Pusher(registry, repository, username, password);
      try {
        byte[] config = config();
        pusher.blob(config);
        for (Layer l : layers) pusher.blob(l.gzip());
        byte[] manifest = manifest();
        pusher.send("PUT", registry.resolve("/v2/" + repository + "/manifests/" + tag),
            ImageContent.OCI_MANIFEST, manifest, 201);
        return Blobs.digest(manifest);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Pushes an OCI image index (a multi-platform image) as {@code repository:tag}: each image by its digest, listed
   * under the architecture it is keyed by (linux), in that order; the index's digest.
   */
  public static String pushIndex(URI registry, String repository, String tag, String username, String password,
      Map<String, TestImage> byArchitecture) {
    ObjectNode index = Json.object();
    index.put("schemaVersion", 2);
    index.put("mediaType", ImageContent.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    byArchitecture.forEach((arch, image) -> {
      byte[] manifest = image.manifest();
      image.push(registry, repository, Blobs.digest(manifest), username, password);
      ObjectNode m = manifests.addObject();
      m.put("mediaType", ImageContent.OCI_MANIFEST).put("digest", Blobs.digest(manifest)).put("size", manifest.length);
      m.putObject("platform").put("architecture", arch).put("os", "linux");
    });
    byte[] bytes = Json.write(index).getBytes(StandardCharsets.UTF_8);
    try {
      new Pusher(registry, repository, username, password).send("PUT",
          registry.resolve("/v2/" + repository + "/manifests/" + tag), ImageContent.OCI_INDEX, bytes, 201);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Blobs.digest(bytes);
  }

  /** A registry client for pushes (the store only pulls). */
  private static final class Pusher {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI registry;
    private final String repository;
    private final String username;
    private final String password;
    private String authorization;

    Pusher(URI registry, String repository, String username, String password) {
      this.registry = registry;
      this.repository = repository;
      this.username = username;
      this.password = password;
    }

    void blob(byte[] bytes) throws IOException, InterruptedException {
      String digest = Blobs.digest(bytes);
      HttpResponse<String> start = send("POST", registry.resolve("/v2/" + repository + "/blobs/uploads/"), null,
          new byte[0], 202);
      String location = start.headers().firstValue("Location").orElseThrow();
      URI upload = registry.resolve(location);
      String separator = upload.toString().contains("?") ? "&" : "?";
      send("PUT", URI.create(upload + separator + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8)),
          "application/octet-stream", bytes, 201);
    }

    HttpResponse<String> send(String method, URI uri, String type, byte[] body, int expected)
        throws IOException, InterruptedException {
      HttpResponse<String> response = http.send(request(method, uri, type, body), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401) {
        authorization = token(response.headers().firstValue("WWW-Authenticate").orElse(""));
        response = http.send(request(method, uri, type, body), HttpResponse.BodyHandlers.ofString());
      }
      if (response.statusCode() != expected) {
        throw new IOException(method + " " + uri + ": " + response.statusCode() + " " + response.body());
      }
      return response;
    }

    private HttpRequest request(String method, URI uri, String type, byte[] body) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      if (type != null) b.header("Content-Type", type);
      if (authorization != null) b.header("Authorization", authorization);
      return b.build();
    }

    private String token(String challenge) throws IOException, InterruptedException {
      if (!challenge.startsWith("Bearer ")) throw new IOException("cannot answer the challenge " + challenge);
      Map<String, String> params = new LinkedHashMap<>();
      Matcher m = PARAM.matcher(challenge);
      while (m.find()) params.put(m.group(1), m.group(2));
      String uri = params.get("realm") + "?service=" + URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)
          + "&scope=" + URLEncoder.encode(params.get("scope"), StandardCharsets.UTF_8);
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).GET();
      if (username != null) {
        b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
            .getBytes(StandardCharsets.UTF_8)));
      }
      HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) throw new IOException("token: " + response.statusCode() + " " + response.body());
      return "Bearer " + Json.MAPPER.readTree(response.body()).path("token").asText();
    }
  }

  private static synchronized Layer baseLayer() {
    if (base == null) {
      try {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("bin/busybox", Files.readAllBytes(BUSYBOX));
        files.put("etc/passwd", ("root:x:0:0:root:/root:/bin/sh\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8));
        files.put("etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8));
        base = Layer.of(tar(files, List.of()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + BUSYBOX, e);
      }
    }
    return base;
  }

  /**
   * A layer tar: its files (with their parent directories), the busybox applet links when it has
   * {@code bin/busybox}, the empty {@code /tmp} and {@code /root} of a base layer, and whiteouts.
   */
  static byte[] tar(Map<String, byte[]> files, List<String> whiteouts) {
    TreeMap<String, TarArchiveEntry> entries = new TreeMap<>();
    Map<String, byte[]> contents = new TreeMap<>();
    files.forEach((path, bytes) -> {
      String name = path.startsWith("/") ? path.substring(1) : path;
      directories(entries, name);
      TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL);
      boolean executable = name.equals("bin/busybox") || name.endsWith(".sh");
      e.setMode(0100000 | (executable ? 0755 : 0644));
      e.setSize(bytes.length);
      entries.put(name, e);
      contents.put(name, bytes);
    });
    if (files.containsKey("bin/busybox")) {
      for (String applet : APPLETS) {
        TarArchiveEntry link = entry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        link.setMode(0120777);
        entries.put("bin/" + applet, link);
      }
      for (String dir : List.of("tmp/", "root/", "var/", "usr/", "usr/bin/", "sbin/", "dev/", "proc/", "sys/")) {
        TarArchiveEntry d = entry(dir, TarArchiveEntry.LF_DIR);
        d.setMode(040000 | (dir.equals("tmp/") ? 01777 : dir.equals("root/") ? 0700 : 0755));
        entries.put(dir, d);
      }
    }
    for (String path : whiteouts) {
      String name = path.startsWith("/") ? path.substring(1) : path;
      int slash = name.lastIndexOf('/');
      String marker = name.endsWith("/") ? name + ".wh..wh..opq"
          : (slash < 0 ? "" : name.substring(0, slash + 1)) + ".wh." + name.substring(slash + 1);
      directories(entries, marker);
      TarArchiveEntry e = entry(marker, TarArchiveEntry.LF_NORMAL);
      e.setMode(0100644);
      entries.put(marker, e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Map.Entry<String, TarArchiveEntry> e : entries.entrySet()) {
        tar.putArchiveEntry(e.getValue());
        byte[] bytes = contents.get(e.getKey());
        if (bytes != null) tar.write(bytes);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A plain tar of whole files (for the tarballs themselves). */
  private static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TreeMap<String, TarArchiveEntry> dirs = new TreeMap<>();
      for (String name : files.keySet()) directories(dirs, name);
      for (TarArchiveEntry d : dirs.values()) {
        tar.putArchiveEntry(d);
        tar.closeArchiveEntry();
      }
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        TarArchiveEntry e = entry(f.getKey(), TarArchiveEntry.LF_NORMAL);
        e.setMode(0100644);
        e.setSize(f.getValue().length);
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void directories(Map<String, TarArchiveEntry> entries, String name) {
    for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
      String dir = name.substring(0, slash + 1);
      if (!entries.containsKey(dir)) {
        TarArchiveEntry d = entry(dir, TarArchiveEntry.LF_DIR);
        d.setMode(040755);
        entries.put(dir, d);
      }
    }
  }

  private static TarArchiveEntry entry(String name, byte type) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setModTime(MTIME);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }

  private static byte[] compress(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    GzipParameters parameters = new GzipParameters();
    parameters.setModificationTime(0);
    try (OutputStream gz = new GzipCompressorOutputStream(out, parameters)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
