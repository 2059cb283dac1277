package io.troupe.node.volume;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes the files of a configMap, secret, downwardAPI or projected volume so that a reader sees either the old
 * set or the new one, never a mix: the kubelet's {@code AtomicWriter}. The files live in a fresh hidden
 * directory; {@code ..data} is a symbolic link to it, replaced in one rename; each top-level name is a link
 * through {@code ..data}. A container that has the volume mounted sees an update at once, through the same
 * links. Written by hand: no library does this dance, and its layout is what Kubernetes users find in their
 * pods.
 */
final class ProjectedFiles {
  static final String DATA = "..data";

  /** One file: its bytes and its permission bits ({@code 0644} is 420). */
  record File(byte[] content, int mode) {
    @Override
    public boolean equals(Object o) {
      return o instanceof File f && f.mode == mode && Arrays.equals(f.content, content);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(content) + mode;
    }
  }

  private ProjectedFiles() {}

  /**
   * Makes {@code dir} hold exactly {@code files} (relative paths, checked by the caller to stay inside).
   *
   * @return whether anything changed
   */
  static boolean write(Path dir, SortedMap<String, File> files) throws IOException {
    Files.createDirectories(dir);
    Path data = dir.resolve(DATA);
    Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
    if (previous != null && read(previous).equals(files)) return false;
    Path fresh = Files.createTempDirectory(dir, "..");
    for (Map.Entry<String, File> e : files.entrySet()) {
      Path file = fresh.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, e.getValue().content());
      Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
    }
    Files.setPosixFilePermissions(fresh, permissions(0755));
    Path link = dir.resolve(DATA + "_tmp");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, fresh.getFileName());
    try {
      Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(link, data, StandardCopyOption.REPLACE_EXISTING);
    }
    Set<String> names = new TreeSet<>();
    for (String path : files.keySet()) names.add(path.split("/", 2)[0]);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.startsWith("..") && !names.contains(name) && Files.isSymbolicLink(entry)) Files.delete(entry);
      }
    }
    for (String name : names) {
      Path top = dir.resolve(name);
      if (!Files.isSymbolicLink(top)) Files.createSymbolicLink(top, Path.of(DATA, name));
    }
    if (previous != null && !previous.equals(fresh)) deleteTree(previous);
    return true;
  }

  /** The regular files under {@code dir} by relative path. */
  private static Map<String, File> read(Path dir) throws IOException {
    Map<String, File> out = new HashMap<>();
    if (!Files.isDirectory(dir)) return out;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(file)) mode |= 1 << (8 - p.ordinal());
        out.put(dir.relativize(file).toString(), new File(Files.readAllBytes(file), mode));
      }
    }
    return out;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((mode & (1 << (8 - p.ordinal()))) != 0) out.add(p);
    }
    return out;
  }

  /** Deletes a tree without following its symbolic links. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
