package io.troupe.node.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked layers, one directory per layer under {@code <root>/layers/<diff-id hex>/}, shared by every image that
 * has the layer, unpacked once: into a temporary directory first, then renamed into place, so a layer directory that
 * exists is whole. The diff id (the digest of the uncompressed tar) is checked while unpacking.
 *
 * <p>OCI whiteouts are turned into overlayfs' form when the agent runs as root, so each layer directory can be a
 * lower directory of an overlay mount: {@code .wh.NAME} becomes a character device 0/0 named {@code NAME}, and
 * {@code .wh..wh..opq} becomes the xattr {@code trusted.overlay.opaque=y} on its directory (set with
 * {@code setfattr}; Java's attribute views reach only the {@code user.} namespace). Without root (or without
 * {@code setfattr} for opaque directories) the whiteout files stay as the layer has them, for a runtime that copies
 * layers in order to apply.
 */
final class Layers {
  private static final Logger log = LoggerFactory.getLogger(Layers.class);
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  private final Path dir;
  private final Path tmp;
  private final boolean root;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  Layers(Path root) throws IOException {
    this.dir = Files.createDirectories(root.resolve("layers"));
    this.tmp = Files.createDirectories(root.resolve("tmp"));
    this.root = "root".equals(System.getProperty("user.name"));
  }

  Path path(String diffId) {
    return dir.resolve(Blobs.hex(diffId));
  }

  boolean has(String diffId) {
    return Files.isDirectory(path(diffId));
  }

  /**
   * The directory of layer {@code diffId}, unpacked from {@code blob} (a tar, gzip-compressed or not) unless it is
   * there already. Two callers asking for one layer at once unpack it once.
   */
  Path unpack(String diffId, Path blob) throws IOException {
    Path target = path(diffId);
    if (Files.isDirectory(target)) return target;
    synchronized (locks.computeIfAbsent(diffId, d -> new Object())) {
      if (Files.isDirectory(target)) return target;
      Path work = tmp.resolve("layer-" + UUID.randomUUID());
      try {
        Files.createDirectory(work);
        MessageDigest sha = Blobs.sha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob));
            InputStream tar = new DigestInputStream(decompressed(raw), sha)) {
          extract(tar, work);
          tar.transferTo(OutputStream.nullOutputStream());
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(diffId)) {
          throw new IOException("layer diff id mismatch: the image's config says " + diffId + ", the layer is "
              + actual);
        }
        try {
          Blobs.move(work, target);
        } catch (java.nio.file.FileSystemException e) {
          // another unpack of the same layer got there first (after a failed one let two in): its copy is whole
          if (!Files.isDirectory(target)) throw e;
        }
        return target;
      } finally {
        if (Files.exists(work, LinkOption.NOFOLLOW_LINKS)) deleteTree(work);
        locks.remove(diffId);
      }
    }
  }

  /** The diff id of a layer blob: the digest of its uncompressed tar. */
  static String diffId(Path blob) throws IOException {
    MessageDigest sha = Blobs.sha256();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob));
        InputStream tar = new DigestInputStream(decompressed(raw), sha)) {
      tar.transferTo(OutputStream.nullOutputStream());
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }

  static InputStream decompressed(InputStream raw) throws IOException {
    raw.mark(4);
    byte[] magic = raw.readNBytes(4);
    raw.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GzipCompressorInputStream(raw, true);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      throw new IOException("zstd-compressed layers are not supported (only tar and tar+gzip)");
    }
    return raw;
  }

  /** The size on disk of a layer directory's files. */
  static long size(Path layer) throws IOException {
    try (Stream<Path> files = Files.walk(layer)) {
      return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  /** The diff ids of every layer unpacked. */
  Set<String> all() throws IOException {
    try (Stream<Path> dirs = Files.list(dir)) {
      return dirs.map(p -> "sha256:" + p.getFileName()).collect(Collectors.toSet());
    }
  }

  void delete(String diffId) throws IOException {
    Path target = path(diffId);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
    // renamed away first, so the layer is either whole or absent
    Path doomed = tmp.resolve("deleted-" + UUID.randomUUID());
    Blobs.move(target, doomed);
    deleteTree(doomed);
  }

  private void extract(InputStream in, Path work) throws IOException {
    List<Runnable> directoryModes = new ArrayList<>();
    // the uncompressed tar is read to its end by the caller, so the diff id covers its padding too
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry entry;
    while ((entry = tar.getNextEntry()) != null) {
      Path target = inside(work, entry.getName());
      if (target == null) continue;
      String base = target.getFileName().toString();
      Files.createDirectories(target.getParent());
      if (base.equals(OPAQUE)) {
        opaque(target.getParent(), target);
        continue;
      }
      if (base.startsWith(WHITEOUT)) {
        whiteout(target.getParent().resolve(base.substring(WHITEOUT.length())), target);
        continue;
      }
      if (entry.isDirectory()) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          removeExisting(target);
          Files.createDirectory(target);
        }
        owner(target, entry);
        int mode = entry.getMode() & 07777;
        directoryModes.add(() -> mode(target, mode));
        continue;
      }
      removeExisting(target);
      if (entry.isSymbolicLink()) {
        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        owner(target, entry);
      } else if (entry.isLink()) {
        Path source = inside(work, entry.getLinkName());
        if (source == null || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException("hard link " + entry.getName() + " to " + entry.getLinkName()
              + " which is not a file of the layer");
        }
        Files.createLink(target, source);
      } else if (entry.isFile()) {
        try (OutputStream out = Files.newOutputStream(target)) {
          tar.transferTo(out);
        }
        owner(target, entry);
        mode(target, entry.getMode() & 07777);
        Files.setLastModifiedTime(target, FileTime.from(entry.getModTime().toInstant()));
      } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
        if (!root) continue; // a device or FIFO needs root to exist; images rarely carry them
        String type = entry.isFIFO() ? "p" : entry.isCharacterDevice() ? "c" : "b";
        List<String> command = new ArrayList<>(List.of("mknod", target.toString(), type));
        if (!entry.isFIFO()) {
          command.add(String.valueOf(entry.getDevMajor()));
          command.add(String.valueOf(entry.getDevMinor()));
        }
        run(command);
        owner(target, entry);
      }
    }
    // directory modes last: a read-only directory still receives its files
    for (int i = directoryModes.size() - 1; i >= 0; i--) directoryModes.get(i).run();
  }

  /**
   * The path an entry names inside {@code work}, or null for the layer's root itself; an entry that would leave the
   * layer ({@code ..}, or through a symbolic link it made) is refused.
   */
  private static Path inside(Path work, String name) throws IOException {
    String clean = name;
    while (clean.startsWith("/")) clean = clean.substring(1);
    if (clean.startsWith("./")) clean = clean.substring(2);
    if (clean.isEmpty() || clean.equals(".") || clean.equals("./")) return null;
    Path target = work.resolve(clean).normalize();
    if (!target.startsWith(work) || target.equals(work)) {
      if (target.equals(work)) return null;
      throw new IOException("layer entry " + name + " points outside the layer");
    }
    for (Path p = target.getParent(); p != null && !p.equals(work); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw new IOException("layer entry " + name + " goes through the symbolic link " + work.relativize(p));
      }
    }
    return target;
  }

  private void whiteout(Path hidden, Path marker) throws IOException {
    if (!root) {
      Files.createFile(marker);
      return;
    }
    removeExisting(hidden);
    run(List.of("mknod", hidden.toString(), "c", "0", "0"));
  }

  private void opaque(Path directory, Path marker) throws IOException {
    if (root && Files.isExecutable(Path.of("/usr/bin/setfattr"))) {
      run(List.of("/usr/bin/setfattr", "-n", "trusted.overlay.opaque", "-v", "y", directory.toString()));
    } else {
      Files.createFile(marker);
    }
  }

  private void owner(Path target, TarArchiveEntry entry) throws IOException {
    if (!root) return;
    Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
  }

  private static void mode(Path target, int mode) {
    try {
      Files.setAttribute(target, "unix:mode", mode);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot set the mode of {}: {}", target, e.toString());
    }
  }

  private static void removeExisting(Path target) throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      deleteTree(target);
    } else {
      Files.deleteIfExists(target);
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
    }
  }

  static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) return;
    // read-only directories of a layer (mode 0555) are made writable first, for an agent that does not run as root
    try (Stream<Path> walk = Files.walk(top)) {
      walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> mode(p, 0700));
    }
    try (Stream<Path> walk = Files.walk(top)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
