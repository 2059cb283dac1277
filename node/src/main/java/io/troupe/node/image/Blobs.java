package io.troupe.node.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Content-addressed blobs (manifests, configs, layers as they were shipped) under {@code <root>/blobs/sha256/<hex>}.
 * A blob is written to a temporary file, its digest checked against what it must be, then renamed into place: a
 * blob that exists is whole and verified.
 */
final class Blobs {
  private final Path dir;
  private final Path tmp;

  Blobs(Path root) throws IOException {
    this.dir = Files.createDirectories(root.resolve("blobs").resolve("sha256"));
    this.tmp = Files.createDirectories(root.resolve("tmp"));
  }

  Path path(String digest) {
    return dir.resolve(hex(digest));
  }

  boolean has(String digest) {
    return Files.isRegularFile(path(digest));
  }

  byte[] read(String digest) throws IOException {
    return Files.readAllBytes(path(digest));
  }

  /** Stores {@code bytes}, which must have {@code digest} (null: whatever they have); the digest. */
  String write(byte[] bytes, String digest) throws IOException {
    return write(new java.io.ByteArrayInputStream(bytes), digest);
  }

  /**
   * Stores what {@code in} holds, which must have {@code expected} as its digest (null: any); the digest it has.
   * A mismatch is an {@link IOException} and stores nothing.
   */
  String write(InputStream in, String expected) throws IOException {
    if (expected != null && has(expected)) {
      in.transferTo(OutputStream.nullOutputStream());
      return expected;
    }
    Path file = tmp.resolve("blob-" + UUID.randomUUID());
    try {
      MessageDigest sha = sha256();
      try (OutputStream out = Files.newOutputStream(file);
          DigestInputStream digesting = new DigestInputStream(in, sha)) {
        digesting.transferTo(out);
      }
      String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
      if (expected != null && !expected.equals(actual)) {
        throw new IOException("digest mismatch: expected " + expected + ", got " + actual);
      }
      move(file, path(actual));
      return actual;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The digests of every blob held. */
  Set<String> all() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> "sha256:" + p.getFileName()).collect(java.util.stream.Collectors.toSet());
    }
  }

  void delete(String digest) throws IOException {
    Files.deleteIfExists(path(digest));
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String hex(String digest) {
    if (digest == null || !ImageReference.DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    return digest.substring("sha256:".length());
  }

  static String digest(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
